"""The call log (CC02): a hotline or rescue-line call, which may become a complaint or a rescue in the same step."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from customer_care.models import Call, Channel, Line
from customer_care.services.complaints import raise_complaint
from customer_care.services.rescue import request_rescue
from dealership.models import Customer


@transaction.atomic
def log_call(
    *,
    by: AbstractBaseUser,
    line: str,
    caller: str,
    number: str,
    topic: str,
    at: datetime,
    outcome: str = "",
    customer: Customer | None = None,
    complaint: dict | None = None,
    rescue: dict | None = None,
) -> Call:
    """Log a hotline or rescue-line call; in the same step it may become a complaint or a rescue."""
    errors = {}
    if line not in Line.values:
        errors["line"] = _("Which line rang?")
    if not caller.strip():
        errors["caller"] = _("Who is calling?")
    if not number.strip():
        errors["number"] = _("Write down the number they called from.")
    if not topic.strip():
        errors["topic"] = _("What is the call about?")
    if complaint is not None and customer is None:
        errors["customer"] = _("A complaint needs the customer: find them first.")
    if errors:
        raise ValidationError(errors)
    raised = taken = None
    if complaint is not None:
        summary = complaint.pop("summary", topic)
        raised = raise_complaint(by=by, customer=customer, channel=Channel.HOTLINE, summary=summary, at=at, **complaint)
    if rescue is not None:
        mobile, problem = rescue.pop("mobile", number), rescue.pop("problem", topic)
        taken = request_rescue(by=by, caller=caller, mobile=mobile, customer=customer, problem=problem, at=at, **rescue)
    return Call.objects.create(
        line=line,
        caller=caller.strip(),
        number=number.strip(),
        at=at,
        topic=topic.strip(),
        outcome=outcome.strip(),
        customer=customer,
        complaint=raised,
        rescue=taken,
        taken_by=by,
    )
