"""Appointments, the daily report, and the desk's records: meetings, handovers, claims, pairs,
labour prices and the desk policy."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dealership.actions import REFUSALS, act, refusal
from dealership.clock import parse_day
from dealership.forms import form_errors, posted_action
from dealership.models import Role
from dealership.money import format_cny
from dealership.permissions import has_role, role_required
from service_desk import selectors, services
from service_desk.access import BOOKERS, DESK
from service_desk.filters import AppointmentFilter
from service_desk.forms import (
    AppointmentForm,
    ClaimUpdateForm,
    CloseAppointmentForm,
    DeskPolicyForm,
    HandoverForm,
    LabourOperationForm,
    MeetingForm,
    PairingForm,
    ScriptViolationForm,
)
from service_desk.models import Appointment, DeskPolicy, InsuranceClaim, LabourOperation, MeetingDecision


def _day_list(day) -> str:
    return f"{reverse('appointment_list')}?day={day.isoformat()}"


@role_required(*BOOKERS)
def appointment_list(request):
    """One day's appointments, green channel first (SD01); today's when no day or no real date is asked for."""
    today = {"day": timezone.localdate().isoformat()}
    filterset = AppointmentFilter(request.GET, queryset=selectors.appointments())
    if not filterset.is_valid() or not filterset.form.cleaned_data.get("day"):
        filterset = AppointmentFilter(today, queryset=selectors.appointments())
    appointments = filterset.filtered()
    day = filterset.form.cleaned_data["day"]
    return render(
        request,
        "service_desk/appointment_list.html",
        {"appointments": appointments, "day": day, "filterset": filterset, "is_desk": has_role(request.user, *DESK)},
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
            except REFUSALS as refused:
                form.add_error(None, refusal(refused))
            else:
                messages.success(request, _("Booked: card %(card)s.") % {"card": appointment.card_number})
                return redirect(_day_list(appointment.scheduled_on))
    return render(request, "service_desk/appointment_form.html", {"form": form, "vehicle": vehicle})


@role_required(*BOOKERS)
@require_POST
def appointment_close(request, pk: int):
    appointment = get_object_or_404(Appointment, pk=pk)
    action = posted_action(request, CloseAppointmentForm, services.close_appointment, "appointment")
    return act(request, lambda: action(appointment), to=_day_list(appointment.scheduled_on))


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
        **selectors.desk_records(today=today),
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
    """Run `action` with a valid posted form's data; back to the records page with the outcome."""

    def run():
        if not form.is_valid():
            raise form_errors(form)
        action(form.cleaned_data)

    return act(request, run, done=done, to=reverse("desk_records"))


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
    action = posted_action(request, ClaimUpdateForm, services.update_claim, "claim")
    return act(request, lambda: action(claim), done=_("Claim updated."), to=reverse("desk_records"))


@role_required(Role.MANAGER)
def labour_list(request):
    page = Paginator(LabourOperation.objects.order_by("category", "code", "pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "service_desk/labour_list.html",
        {"page": page, "policy_form": DeskPolicyForm(instance=DeskPolicy.current())},
    )


@role_required(Role.MANAGER)
def labour_edit(request, pk: int | None = None):
    """Reference data: the history middleware records who changed a price."""
    operation = get_object_or_404(LabourOperation, pk=pk) if pk else LabourOperation()
    form = LabourOperationForm(request.POST or None, instance=operation)
    if request.method == "POST" and form.is_valid():
        operation = form.save()
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
        form.save()
        messages.success(request, _("Front desk policy saved."))
    else:
        messages.error(request, refusal(form_errors(form)))
    return redirect("labour_list")
