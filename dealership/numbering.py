"""Document numbers a person can read out over the phone: prefix, local date, a 4-digit sequence."""

from datetime import date, datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dealership.models import DocumentCounter


def next_number(prefix: str, *, at: datetime) -> str:
    """Return the next number of the day for `prefix`, e.g. RO202611260001. Never the same twice."""
    day = timezone.localdate(at)
    return f"{prefix}{day:%Y%m%d}{next_sequence(prefix, day=day):04d}"


@transaction.atomic
def next_sequence(prefix: str, *, day: date) -> int:
    """Return 1, 2, 3 ... per prefix and day.

    The counter row stays locked until the caller's transaction ends, so numbers of one kind are
    handed out one at a time; a rolled-back caller leaves a gap, never a duplicate.
    """
    counter, _created = DocumentCounter.objects.get_or_create(prefix=prefix, day=day)
    DocumentCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    return DocumentCounter.objects.values_list("last", flat=True).get(pk=counter.pk)
