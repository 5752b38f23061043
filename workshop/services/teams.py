"""6S checks of the workshop's areas (WS07) and the quarterly team-leader assessments (WS08)."""

from datetime import date, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workshop import selectors
from workshop.models import SIX_S, LeaderAssessment, SixSArea, SixSCheck, WorkshopPolicy


@transaction.atomic
def record_six_s(
    *, by: AbstractBaseUser, area: SixSArea, week_of: date, results: dict, at: datetime, notes: str = ""
) -> SixSCheck:
    """A week's 6S check of an area; checking again the same week replaces it."""
    monday = week_of - timedelta(days=week_of.weekday())
    clean = {key: bool(results.get(key)) for key in SIX_S}
    check, _created = SixSCheck.objects.update_or_create(
        area=area,
        week_of=monday,
        defaults={"results": clean, "notes": notes.strip(), "checked_by": by, "checked_at": at},
    )
    return check


@transaction.atomic
def assess_leader(
    *,
    by: AbstractBaseUser,
    leader: AbstractBaseUser,
    year: int,
    quarter: int,
    skill_score: int,
    at: datetime,
    notes: str = "",
) -> LeaderAssessment:
    """Assess a team leader for a quarter (WS08): skill plus their team's output and rework from the records."""
    if not 1 <= quarter <= 4 or not 0 <= skill_score <= 100:
        raise ValidationError(_("A quarter is 1 to 4 and a skill score 0 to 100."))
    if not leader.led_teams.exists():
        raise ValidationError({"leader": _("Only a team's leader is assessed; set the leader on the team first.")})
    if date(year, 3 * quarter, 1) >= timezone.localdate(at).replace(day=1):
        raise ValidationError({"quarter": _("A quarter is assessed once it is over.")})
    figures = selectors.team_quarter(leader, year=year, quarter=quarter)
    policy = WorkshopPolicy.current()
    meets = skill_score >= policy.leader_pass_score and figures["internal_percent"] <= policy.leader_max_rework_percent
    try:
        with transaction.atomic():
            return LeaderAssessment.objects.create(
                leader=leader,
                year=year,
                quarter=quarter,
                skill_score=skill_score,
                output_hours=figures["billed_hours"],
                internal_rework_percent=figures["internal_percent"],
                external_rework_percent=figures["external_percent"],
                meets_standard=meets,
                notes=notes.strip(),
                assessed_by=by,
                assessed_at=at,
            )
    except IntegrityError as twice:
        raise ValidationError(_("This leader is already assessed for that quarter.")) from twice
