"""Greetings and weather notes (CC06): a manager's text to a chosen group of customers, through the outbox."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from customer_care import selectors
from customer_care.models import Broadcast, BroadcastKind
from dealership.errors import NotPermitted
from dealership.models import Role
from dealership.outbox import enqueue_many
from dealership.permissions import has_role

CHUNK = 5000  # texts written to the outbox per INSERT


@transaction.atomic
def broadcast(
    *,
    by: AbstractBaseUser,
    kind: str,
    text: str,
    at: datetime,
    visited_within_days: int | None = None,
    model_contains: str = "",
) -> Broadcast:
    """A manager's greeting or weather note to a chosen group; customers who opted out are left out."""
    if kind not in BroadcastKind.values:
        raise ValidationError({"kind": _("Choose greeting or weather note.")})
    if not text.strip():
        raise ValidationError({"text": _("Write the message.")})
    if not has_role(by, Role.MANAGER):
        raise NotPermitted(_("Only a manager sends greetings and weather notes."))
    audience = selectors.broadcast_audience(
        at=at, visited_within_days=visited_within_days, model_contains=model_contains
    )
    words = []
    if visited_within_days:
        words.append(_("visited in the last %(days)d days") % {"days": visited_within_days})
    if model_contains.strip():
        words.append(_("model contains “%(model)s”") % {"model": model_contains.strip()})
    recipients = list(audience.filter(sms_opt_out=False).values_list("pk", "name", "mobile"))
    sent = Broadcast.objects.create(
        kind=kind,
        text=text.strip(),
        audience="；".join(words) or _("every customer"),
        recipients=len(recipients),
        skipped=audience.filter(sms_opt_out=True).count(),
        by=by,
        at=at,
    )
    messages = [
        {
            "mobile": mobile,
            "kind": f"care_{kind}",
            "dedupe_key": f"care:broadcast:{sent.pk}:{pk}",
            "context": {"customer": name, "text": sent.text},
        }
        for pk, name, mobile in recipients
    ]
    for start in range(0, len(messages), CHUNK):
        enqueue_many(messages[start : start + CHUNK], at=at, by=by)
    return sent
