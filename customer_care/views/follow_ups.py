"""The follow-up queue and one call (CC04, CC05)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from customer_care import selectors, services
from customer_care.forms import FollowUpForm, QueueScopeForm
from customer_care.selectors import CARE
from dealership.actions import REFUSALS, refusal
from dealership.permissions import role_required


@role_required(*CARE)
def follow_up_queue(request):
    """CC04, CC05: the calls due now; an agent sees their paired advisors' customers and unassigned ones."""
    now = timezone.now()
    scope = QueueScopeForm(request.GET)
    agent = selectors.queue_agent(request.user, everyone=scope.is_valid() and scope.cleaned_data["all"])
    page = Paginator(selectors.follow_up_queue(at=now, agent=agent), 30).get_page(request.GET.get("page"))
    finished = selectors.finished_follow_ups(agent=agent)[:20]
    return render(
        request,
        "customer_care/follow_up_queue.html",
        {"page": page, "everyone": agent is None, "now": now, "finished": finished},
    )


@role_required(*CARE)
def follow_up_call(request, pk: int):
    follow_up = selectors.follow_up_detail(pk)
    people = selectors.praise_choices(follow_up)
    form = FollowUpForm(request.POST or None, praise_choices=people, initial={"version": follow_up.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        complaint = None
        if data["reached"] and data["complaint"]:
            complaint = {"category": data["complaint_category"] or "other", "summary": data["complaint_summary"]}
        try:
            services.record_follow_up(
                by=request.user,
                follow_up=follow_up,
                reached=data["reached"],
                satisfaction=data["satisfaction"],
                praised=form.praised_people(),
                notes=data["notes"],
                complaint=complaint,
                version=data["version"],
                at=timezone.now(),
            )
        except REFUSALS as refused:
            messages.error(request, refusal(refused))
        else:
            messages.success(request, _("Call recorded."))
            return redirect("follow_up_queue")
    return render(request, "customer_care/follow_up_call.html", {"follow_up": follow_up, "form": form})
