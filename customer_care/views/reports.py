"""The manager's reports at /reports/: the monthly awards with the month close, the weekly figures
per advisor, rework, complaint deadlines and reception timing. Each page downloads as Excel with
`?format=xlsx`: the same rows, in a workbook."""

from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customer_care import exports, reports, services
from dealership.actions import act
from dealership.clock import next_month, parse_month
from dealership.models import Role
from dealership.permissions import role_required


def _wants_xlsx(request) -> bool:
    return request.GET.get("format") == "xlsx"


def _months(month):
    """The month before and after, for the page's arrows."""
    return {"previous": reports.previous_month(month), "following": next_month(month)}


@role_required(Role.MANAGER)
def index(request):
    today = timezone.localdate()
    last_monday = reports.week_start(today) - timezone.timedelta(days=7)
    return render(
        request,
        "customer_care/reports/index.html",
        {
            "this_month": today.replace(day=1),
            "last_month": reports.previous_month(today.replace(day=1)),
            "last_week": reports.iso_week(last_monday),
            "monthly": [
                (
                    "report_rework",
                    "arrow-repeat",
                    _("Rework rates"),
                    _("Internal and external rework per technician and team, per job passed."),
                ),
                (
                    "report_complaints",
                    "stopwatch",
                    _("Complaint deadlines kept"),
                    _("Respond, organise, close: the share on time per stage and per advisor."),
                ),
                (
                    "report_reception",
                    "person-walking",
                    _("Reception timing"),
                    _("Arrival to greeting and to a work bay per advisor, against the desk's targets."),
                ),
            ],
        },
    )


@role_required(Role.MANAGER)
def awards(request):
    """IN02, IN04, IN05: the month's ranking, awards and weak points (last month by default), and its close."""
    today = timezone.localdate()
    month = parse_month(request.GET.get("month"), default=reports.previous_month(today.replace(day=1)))
    report = reports.award_report(month, today=today)
    if _wants_xlsx(request):
        return exports.response(f"awards-{report['label']}.xlsx", exports.award_sheets(report))
    return render(request, "customer_care/reports/awards.html", {"report": report, **_months(month)})


@role_required(Role.MANAGER)
@require_POST
def close_month(request):
    """Close the month (IN02, IN04, IN08 post once); closing it again posts nothing and says so."""
    month = parse_month(request.POST.get("month"), default=timezone.localdate())
    at = timezone.now()
    label = f"{month:%Y-%m}"

    def close() -> None:
        closed = services.close_month(by=request.user, month=month, at=at)
        if closed.closed_by_id == request.user.pk and closed.closed_at == at:
            messages.success(
                request, _("%(month)s is closed: its awards and commission are posted.") % {"month": label}
            )
            return
        staff = getattr(closed.closed_by, "staff", None)
        messages.info(
            request,
            _("%(month)s was already closed by %(name)s on %(when)s: nothing new was posted.")
            % {
                "month": label,
                "name": staff.name if staff else closed.closed_by.get_username(),
                "when": date_format(timezone.localtime(closed.closed_at), "DATETIME_FORMAT"),
            },
        )

    return act(request, close, to=f"{reverse('report_awards')}?month={label}")


@role_required(Role.MANAGER)
def weekly(request):
    """IN05: each advisor's week (last week by default), as texted to them on Monday morning."""
    today = timezone.localdate()
    default = reports.week_start(today) - timezone.timedelta(days=7)
    monday = reports.parse_week(request.GET.get("week") or request.GET.get("start"), default=default)
    report = reports.weekly_figures(monday)
    if _wants_xlsx(request):
        return exports.response(f"weekly-{report['week']}.xlsx", exports.weekly_sheets(report))
    week = timezone.timedelta(days=7)
    context = {
        "report": report,
        "previous": reports.iso_week(monday - week),
        "following": reports.iso_week(monday + week),
    }
    return render(request, "customer_care/reports/weekly.html", context)


@role_required(Role.MANAGER)
def rework(request):
    """WS03: rework per technician and team over a month (this month by default)."""
    month = parse_month(request.GET.get("month"), default=timezone.localdate())
    report = reports.rework_report(month)
    if _wants_xlsx(request):
        return exports.response(f"rework-{month:%Y-%m}.xlsx", exports.rework_sheets(report))
    return render(request, "customer_care/reports/rework.html", {"report": report, **_months(month)})


@role_required(Role.MANAGER)
def complaints(request):
    """CC01: complaint deadlines kept, per stage and per advisor, for complaints raised in a month."""
    month = parse_month(request.GET.get("month"), default=timezone.localdate())
    report = reports.complaint_sla(month, at=timezone.now())
    if _wants_xlsx(request):
        return exports.response(f"complaint-deadlines-{month:%Y-%m}.xlsx", exports.complaint_sheets(report))
    return render(request, "customer_care/reports/complaints.html", {"report": report, **_months(month)})


@role_required(Role.MANAGER)
def reception(request):
    """SD03: arrival to greeting and to a work bay, per advisor, over a month."""
    month = parse_month(request.GET.get("month"), default=timezone.localdate())
    report = reports.reception_timing(month)
    if _wants_xlsx(request):
        return exports.response(f"reception-{month:%Y-%m}.xlsx", exports.reception_sheets(report))
    return render(request, "customer_care/reports/reception.html", {"report": report, **_months(month)})
