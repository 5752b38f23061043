"""Appointments, the daily report, and the desk's records: meetings, handovers, claims, pairs,
labour prices and the desk policy."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dealership.clock import parse_day
from dealership.errors import DomainError
from dealership.forms import form_errors
from dealership.models import Role
from dealership.money import format_cny
from dealership.permissions import has_role, role_required
from service_desk import selectors, services
from service_desk.forms import (
    AppointmentForm,
    ClaimUpdateForm,
    DeskPolicyForm,
    HandoverForm,
    LabourOperationForm,
    MeetingForm,
    PairingForm,
    ScriptViolationForm,
)
from service_desk.models import (
    Appointment,
    DeskPairing,
    DeskPolicy,
    EveningMeeting,
    Handover,
    InsuranceClaim,
    LabourOperation,
    MeetingDecision,
)

DESK = (Role.ADVISOR, Role.MANAGER)
BOOKERS = (Role.ADVISOR, Role.CALLCENTRE, Role.MANAGER)


def _errors(form) -> ValidationError:
    return form_errors(form)


@role_required(*BOOKERS)
def appointment_list(request):
    day = parse_day(request.GET.get("day"), default=timezone.localdate())
    appointments = (
        Appointment.objects.select_related("vehicle", "customer", "advisor__staff")
        .filter(scheduled_on=day)
        .order_by("-is_green_channel", "scheduled_at", "pk")
    )
    return render(
        request,
        "service_desk/appointment_list.html",
        {"appointments": appointments, "day": day, "is_desk": has_role(request.user, *DESK)},
    )


@role_required(*BOOKERS)
def appointment_create(request):
    form = AppointmentForm(request.POST or None)
    vehicle = None
    if request.method == "POST":
        valid = form.is_valid()
        vehicle = form.cleaned_data.get("vehicle")  # shown again with the form when something else is wrong
        if valid:
            try:
                appointment = services.book_appointment(by=request.user, at=timezone.now(), **form.cleaned_data)
            except (DomainError, ValidationError) as refused:
                form.add_error(None, refused if isinstance(refused, ValidationError) else str(refused))
            else:
                messages.success(request, _("Booked: card %(card)s.") % {"card": appointment.card_number})
                return redirect(f"/desk/appointments/?day={appointment.scheduled_on.isoformat()}")
    return render(request, "service_desk/appointment_form.html", {"form": form, "vehicle": vehicle})


@role_required(*BOOKERS)
@require_POST
def appointment_close(request, pk: int):
    appointment = get_object_or_404(Appointment, pk=pk)
    try:
        services.close_appointment(
            by=request.user,
            appointment=appointment,
            to=request.POST.get("to", ""),
            version=int(request.POST["version"]) if request.POST.get("version", "").isdigit() else None,
            at=timezone.now(),
        )
    except (DomainError, ValueError) as refused:
        messages.error(request, str(refused) or _("This appointment can no longer be changed."))
    return redirect(f"/desk/appointments/?day={appointment.scheduled_on.isoformat()}")


@role_required(*DESK)
def daily_report(request):
    """SD14: a day's output by category and advisor with reception timing (yesterday by default)."""
    day = parse_day(request.GET.get("date"), default=timezone.localdate() - timezone.timedelta(days=1))
    output = selectors.daily_output(day)
    context = {
        "day": day,
        "output": output,
        "by_advisor": selectors.daily_by_advisor(day),
        "total_count": sum(r["count"] for r in output),
        "total_amount": sum(r["amount"] for r in output),
        "policy": DeskPolicy.current(),
        "previous": day - timezone.timedelta(days=1),
        "following": day + timezone.timedelta(days=1),
    }
    return render(request, "service_desk/daily_report.html", context)


@role_required(*DESK)
def records(request):
    today = timezone.localdate()
    is_manager = has_role(request.user, Role.MANAGER)
    context = {
        "meetings": EveningMeeting.objects.prefetch_related("decisions__owner__staff").order_by("-day")[:10],
        "handovers": Handover.objects.select_related(
            "vehicle__customer", "advisor__staff", "care_agent__staff"
        ).order_by("-handed_over_on", "-pk")[:20],
        "claims": InsuranceClaim.objects.select_related("order__vehicle", "specialist__staff").order_by("-updated_at")[
            :30
        ],
        "pairings": DeskPairing.objects.select_related("first__staff", "second__staff")
        .filter(day__gte=today)
        .order_by("day", "pk")[:20],
        "meeting_form": MeetingForm(initial={"day": today}),
        "handover_form": HandoverForm(initial={"handed_over_on": today}),
        "pairing_form": PairingForm(initial={"day": today}),
        "claim_form": ClaimUpdateForm(),
        "is_manager": is_manager,
        "phone_script": DeskPolicy.current().phone_script,
        # A manager sees every advisor's violations; an advisor sees their own.
        "violations": selectors.script_violations(advisor=None if is_manager else request.user),
        "violation_form": ScriptViolationForm(initial={"day": today}),
    }
    return render(request, "service_desk/records.html", context)


def _record(request, form, action, done: str):
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except (DomainError, ValidationError) as refused:
            messages.error(request, " ".join(getattr(refused, "messages", [str(refused)])))
        else:
            messages.success(request, done)
    else:
        messages.error(request, " ".join(_errors(form).messages))
    return redirect("desk_records")


@role_required(*DESK)
@require_POST
def write_meeting(request):
    def action(data):
        decisions = (
            [(data["decision"], data["owner"], data["due_on"])] if data.get("decision") and data.get("owner") else []
        )
        services.write_meeting(
            by=request.user,
            day=data["day"],
            problems=data["problems"],
            attendees=data["attendees"],
            decisions=decisions,
            at=timezone.now(),
        )

    return _record(request, MeetingForm(request.POST), action, _("Meeting minutes saved."))


@role_required(*DESK)
@require_POST
def complete_decision(request, pk: int):
    decision = get_object_or_404(MeetingDecision, pk=pk)
    services.complete_decision(by=request.user, decision=decision, at=timezone.now())
    return redirect("desk_records")


@role_required(*DESK)
@require_POST
def record_handover(request):
    def action(data):
        services.record_handover(by=request.user, at=timezone.now(), **data)

    return _record(
        request, HandoverForm(request.POST), action, _("Handover recorded; the first-service reminder is scheduled.")
    )


@role_required(Role.MANAGER)
@require_POST
def pair(request):
    return _record(
        request,
        PairingForm(request.POST),
        lambda data: services.pair_advisors(by=request.user, **data),
        _("Desk pair set."),
    )


@role_required(Role.MANAGER)
@require_POST
def record_script_violation(request):
    return _record(
        request,
        ScriptViolationForm(request.POST),
        lambda data: services.record_script_violation(by=request.user, at=timezone.now(), **data),
        _("Phone-script violation recorded."),
    )


@role_required(*DESK)
@require_POST
def update_claim(request, pk: int):
    claim = get_object_or_404(InsuranceClaim, pk=pk)
    return _record(
        request,
        ClaimUpdateForm(request.POST),
        lambda data: services.update_claim(by=request.user, claim=claim, at=timezone.now(), **data),
        _("Claim updated."),
    )


@role_required(Role.MANAGER)
def labour_list(request):
    page = Paginator(LabourOperation.objects.order_by("category", "code"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "service_desk/labour_list.html",
        {"page": page, "policy_form": DeskPolicyForm(instance=DeskPolicy.current())},
    )


@role_required(Role.MANAGER)
def labour_edit(request, pk: int | None = None):
    operation = get_object_or_404(LabourOperation, pk=pk) if pk else LabourOperation()
    form = LabourOperationForm(request.POST or None, instance=operation)
    if request.method == "POST" and form.is_valid():
        operation = form.save(commit=False)
        operation._history_user = request.user
        operation.save()
        messages.success(
            request,
            _("Saved: %(operation)s, %(price)s") % {"operation": operation, "price": format_cny(operation.price)},
        )
        return redirect("labour_list")
    return render(request, "service_desk/labour_form.html", {"form": form, "operation": operation})


@role_required(Role.MANAGER)
@require_POST
def desk_policy(request):
    form = DeskPolicyForm(request.POST, instance=DeskPolicy.current())
    if form.is_valid():
        policy = form.save(commit=False)
        policy._history_user = request.user
        policy.save()
        messages.success(request, _("Front desk policy saved."))
    else:
        messages.error(request, " ".join(_errors(form).messages))
    return redirect("labour_list")
