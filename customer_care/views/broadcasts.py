"""Greetings and weather notes (CC06): the group is counted and the text previewed before it is sent."""

from django.contrib import messages
from django.core import signing
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from customer_care import selectors, services
from customer_care.forms import BroadcastForm
from dealership import sms_templates
from dealership.actions import REFUSALS, refusal
from dealership.models import Role, SmsPolicy, SmsTemplate
from dealership.permissions import role_required


def _was_counted(token: str, data: dict) -> bool:
    """The token shown with the count names these very choices (compared by content: a token carries
    the second it was made, so two made a second apart differ as strings)."""
    try:
        return signing.loads(token, salt="care.broadcast", max_age=3600) == data
    except signing.BadSignature:
        return False


def _counted(data: dict) -> tuple[dict, str]:
    """How many the chosen group holds, how many of them opted out, and the text as they will read it."""
    now = timezone.now()
    rows = selectors.broadcast_audience(
        at=now, visited_within_days=data["visited_within_days"], model_contains=data["model_contains"]
    )
    preview = sms_templates.render(
        SmsTemplate.objects.get(kind=f"care_{data['kind']}"),
        {"customer": _("Mr Zhang"), "text": data["text"]},
        SmsPolicy.current(),
    )
    counted = signing.dumps(data, salt="care.broadcast")
    return {"total": rows.count(), "opted_out": rows.filter(sms_opt_out=True).count(), "counted": counted}, preview


@role_required(Role.MANAGER)
def broadcasts(request):
    """CC06: a greeting or weather note to a chosen group; the count is shown before sending."""
    form = BroadcastForm(request.POST or None)
    audience = preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Sent only to the group that was counted and the text that was previewed: any change counts again.
        if _was_counted(request.POST.get("counted", ""), data):
            try:
                sent = services.broadcast(by=request.user, at=timezone.now(), **data)
            except REFUSALS as refused:
                messages.error(request, refusal(refused))
            else:
                messages.success(
                    request,
                    _("%(count)d texts queued; %(skipped)d customers opted out and were left out.")
                    % {"count": sent.recipients, "skipped": sent.skipped},
                )
                return redirect("broadcasts")
        audience, preview = _counted(data)
    return render(
        request,
        "customer_care/broadcasts.html",
        {"form": form, "audience": audience, "preview": preview, "sent": selectors.recent_broadcasts()},
    )
