"""The call log (CC02): hotline and rescue-line calls; a call becomes a complaint or a rescue in the same step."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from customer_care import selectors, services
from customer_care.filters import CallFilter
from customer_care.forms import CallForm, add_refusal
from customer_care.selectors import CARE
from dealership.actions import REFUSALS
from dealership.permissions import role_required
from dealership.views.directory import chosen_customer


def _log(request, data: dict):
    """The call as the form gave it, with the complaint or rescue it becomes."""
    complaint = rescue = None
    if data["then"] == "complaint":
        summary = data["topic"] + (f"\n{data['outcome']}" if data["outcome"] else "")
        complaint = {"category": data["category"], "assignee": data["assignee"], "summary": summary}
    if data["then"] == "rescue":
        rescue = {
            "zone": data["zone"],
            "location": data["location"],
            "plate": data["plate"],
            "mobile": data["rescue_mobile"],
        }
    return services.log_call(
        by=request.user,
        line=data["line"],
        caller=data["caller"],
        number=data["number"],
        topic=data["topic"],
        outcome=data["outcome"],
        customer=data.get("customer"),
        complaint=complaint,
        rescue=rescue,
        at=timezone.now(),
    )


@role_required(*CARE)
def call_log(request):
    """CC02: hotline and rescue-line calls; a call can become a complaint or a rescue in the same step."""
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call = _log(request, form.cleaned_data)
        except REFUSALS as refused:
            add_refusal(form, refused)
        else:
            messages.success(request, _("Call logged."))
            if call.complaint_id:
                return redirect("complaint_detail", pk=call.complaint_id)
            if call.rescue_id:
                return redirect("rescue_board")
            return redirect("call_log")
    filterset = CallFilter(request.GET, queryset=selectors.calls())
    page = Paginator(filterset.filtered(), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "customer_care/call_log.html",
        {"form": form, "page": page, "filterset": filterset, "customer": chosen_customer(form)},
    )
