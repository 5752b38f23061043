"""The workshop on a tablet: the dispatch board, the job page, escalations, the library, 6S,
team-leader assessments and the reports."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dealership.actions import act, refusal
from dealership.clock import parse_day, parse_month
from dealership.forms import form_errors, posted_action
from dealership.models import Role
from dealership.permissions import has_role, role_required
from service_desk import services as desk
from service_desk.models import RepairItem
from workshop import selectors, services
from workshop.filters import BoardFilter, LibraryFilter
from workshop.forms import (
    SIX_S_LABELS,
    AssessmentForm,
    AssignForm,
    ComebackForm,
    EscalateForm,
    OverrunForm,
    PauseForm,
    PublishForm,
    QcForm,
    QuestionForm,
    SixSForm,
    SolveForm,
    StepForm,
)
from workshop.models import SIX_S, Escalation, LeaderAssessment, SixSArea, SixSCheck, WorkshopPolicy

BOARD = (Role.FOREMAN, Role.TECHNICIAN, Role.INSPECTOR, Role.ADVISOR, Role.MANAGER)
ORDER_READERS = (Role.ADVISOR, Role.FOREMAN, Role.CALLCENTRE, Role.MANAGER)  # who opens the work order itself
HANDS = (Role.FOREMAN, Role.TECHNICIAN, Role.INSPECTOR, Role.MANAGER)
LEADS = (Role.FOREMAN, Role.MANAGER)


@role_required(*BOARD)
def board(request):
    """WS01: columns by job state; refreshes itself every 15 seconds without a page reload."""
    now = timezone.now()
    filterset = BoardFilter(request.GET, queryset=selectors.board_items(at=now), request=request)
    context = selectors.board(at=now, items=filterset.filtered())
    context |= {
        "mine": bool(filterset.form.cleaned_data.get("mine")),
        "now": now,
        "on_shift": selectors.on_shift(timezone.localdate(now)),
        "is_technician": has_role(request.user, Role.TECHNICIAN),
    }
    template = "workshop/_board_columns.html" if request.htmx else "workshop/board.html"
    return render(request, template, context)


def _job(pk: int) -> RepairItem:
    try:
        return selectors.job(pk)
    except RepairItem.DoesNotExist as missing:
        raise Http404 from missing


def _dispatch_choices(user, *, day) -> list:
    """Whom this user may dispatch a job to: a lead, any technician (on shift today first); a
    technician whom policy lets take jobs, only themselves."""
    people = selectors.technicians(on_shift_day=day)
    if not has_role(user, *LEADS):
        people = people.filter(pk=user.pk)
    return list(people)


@role_required(*BOARD)
def job(request, pk: int):
    item = _job(pk)
    now = timezone.now()
    stage = services.next_stage(item)
    entries = list(item.clock_entries.all())
    running = [entry for entry in entries if entry.ended_at is None]
    last_pause = max((e for e in entries if e.ended_at is not None), key=lambda e: e.ended_at, default=None)
    policy = WorkshopPolicy.current()
    context = {
        "item": item,
        "order": item.order,
        "stage": stage,
        "may_sign": stage is not None and services.may_sign(request.user, item, stage),
        "running": running[0] if running else None,
        "clocked": services.clocked_hours(item, at=now),
        "cycle": services.current_cycle(item),
        "comebacks": services.comeback_candidates(item) if has_role(request.user, *LEADS) else [],
        "is_lead": has_role(request.user, *LEADS),
        "is_own": item.technician_id == request.user.pk or has_role(request.user, *LEADS),
        "is_hands": has_role(request.user, *HANDS),
        "may_read_order": has_role(request.user, *ORDER_READERS),
        "waits_for_approval": item.status == "in_progress" and services.waits_for_approval(item),
        "paused_for": last_pause.get_pause_reason_display() if last_pause and not running else "",
        "paint_lead": policy.paint_lead,
        "may_assign": has_role(request.user, *LEADS)
        or (has_role(request.user, Role.TECHNICIAN) and policy.technicians_assign_themselves),
        "assign_form": AssignForm(),
        "technicians": _dispatch_choices(request.user, day=timezone.localdate(now)),
        "pause_form": PauseForm(),
        "qc_form": QcForm(initial={"stage": stage}) if stage else None,
        "escalate_form": EscalateForm(),
        "question_form": QuestionForm(),
        "overrun_form": OverrunForm(),
        "comeback_form": ComebackForm(),
        "now": now,
    }
    return render(request, "workshop/job.html", context)


def _on_job(request, pk: int, action, done: str, *, back_to_board: bool = False):
    """Run `action(item)` on the job; back to its page (or to the board) with what happened."""
    item = get_object_or_404(RepairItem.objects.select_related("order"), pk=pk)
    job_page = reverse("job", args=[pk])
    to = reverse("board") if back_to_board else job_page
    return act(request, lambda: action(item), done=done, to=to, refused_to=job_page)


def _cleaned(form) -> dict:
    """The posted form's data; its errors as one refusal (the page shows it as a message)."""
    if not form.is_valid():
        raise form_errors(form)
    return form.cleaned_data


@role_required(*HANDS)
@require_POST
def assign(request, pk: int):
    action = posted_action(request, AssignForm, services.assign, "item")
    return _on_job(request, pk, action, _("Dispatched."), back_to_board=True)


@role_required(*HANDS)
@require_POST
def start(request, pk: int):
    return _on_job(
        request,
        pk,
        lambda item: services.start(by=request.user, item=item, at=timezone.now()),
        _("Started: the clock runs."),
    )


@role_required(*HANDS)
@require_POST
def pause(request, pk: int):
    return _on_job(request, pk, posted_action(request, PauseForm, services.pause, "item"), _("Paused."))


@role_required(*HANDS)
@require_POST
def resume(request, pk: int):
    return _on_job(
        request, pk, lambda item: services.resume(by=request.user, item=item, at=timezone.now()), _("Resumed.")
    )


@role_required(*HANDS)
@require_POST
def finish(request, pk: int):
    return _on_job(
        request,
        pk,
        lambda item: services.finish(by=request.user, item=item, at=timezone.now()),
        _("Finished: now your self-check."),
    )


@role_required(*HANDS)
@require_POST
def qc(request, pk: int):
    form = QcForm(request.POST)

    def sign(item):
        data = _cleaned(form)
        services.sign_qc(
            by=request.user,
            item=item,
            stage=data["stage"],
            result=data["result"],
            notes=data["notes"],
            fault=data["fault"] or "repair",
            checklist=form.checklist(),
            at=timezone.now(),
        )

    return _on_job(request, pk, sign, _("Signed."))


@role_required(*HANDS)
@require_POST
def escalate(request, pk: int):
    action = posted_action(request, EscalateForm, services.escalate, "item")
    return _on_job(request, pk, action, _("Escalated to the technical group."))


@role_required(*HANDS)
@require_POST
def ask(request, pk: int):
    action = posted_action(request, QuestionForm, desk.ask_customer, "item")
    return _on_job(request, pk, action, _("Sent to the advisor, who asks the customer."))


@role_required(*HANDS)
@require_POST
def overrun(request, pk: int):
    report = posted_action(request, OverrunForm, desk.report_overrun, "order")
    return _on_job(request, pk, lambda item: report(item.order), _("The advisor is told at once."))


@role_required(*LEADS)
@require_POST
def comeback(request, pk: int):
    form = ComebackForm(request.POST)

    def record(item):
        data = _cleaned(form)
        original = RepairItem.objects.filter(pk=data["original"]).first()
        if original is None:
            raise ValidationError(_("Choose the earlier job."))
        services.record_comeback(
            by=request.user,
            item=item,
            original=original,
            reason=data["reason"],
            fault=data["fault"],
            at=timezone.now(),
        )

    return _on_job(request, pk, record, _("Recorded as a comeback (external rework)."))


@role_required(*LEADS)
def shifts(request):
    day = parse_day(request.GET.get("day"), default=timezone.localdate())
    if request.method == "POST":
        on = set(request.POST.getlist("on"))
        for person in selectors.technicians():
            try:
                services.set_shift(by=request.user, technician=person, day=day, on_shift=str(person.pk) in on)
            except ValidationError as refused:
                messages.error(request, refusal(refused))
        messages.success(request, _("Shift saved."))
        return redirect(f"{reverse('shifts')}?day={day.isoformat()}")
    on_shift = {shift.technician_id for shift in selectors.on_shift(day)}
    return render(
        request, "workshop/shifts.html", {"day": day, "technicians": selectors.technicians(), "on_shift": on_shift}
    )


@role_required(*HANDS)
def escalation_list(request):
    return render(
        request,
        "workshop/escalation_list.html",
        {
            "escalations": selectors.open_escalations(),
            "solved": selectors.solved_escalations()[:30],
            "members": services.group_members(),
        },
    )


@role_required(*HANDS)
def escalation_detail(request, pk: int):
    escalation = get_object_or_404(
        Escalation.objects.select_related("item__order__vehicle", "raised_by__staff").prefetch_related(
            "steps__by__staff", "approvals__member__staff"
        ),
        pk=pk,
    )
    members = services.group_members()
    approved = {approval.member_id for approval in escalation.approvals.all()}
    return render(
        request,
        "workshop/escalation_detail.html",
        {
            "escalation": escalation,
            "members": members,
            "approved": approved,
            "fully_approved": services.fully_approved(escalation),
            "may_approve": request.user.pk in {m.pk for m in members} and request.user.pk not in approved,
            "step_form": StepForm(),
            "solve_form": SolveForm(),
            "publish_form": PublishForm(initial={"title": escalation.symptoms[:60]}),
            "has_case": hasattr(escalation, "case"),
        },
    )


def _on_escalation(request, pk: int, action, done: str):
    """Run `action(escalation)`; back to the escalation's page with what happened."""
    escalation = get_object_or_404(Escalation.objects.select_related("item__order__vehicle"), pk=pk)
    return act(request, lambda: action(escalation), done=done, to=reverse("escalation_detail", args=[pk]))


@role_required(*HANDS)
@require_POST
def escalation_step(request, pk: int):
    action = posted_action(request, StepForm, services.add_step, "escalation")
    return _on_escalation(request, pk, action, _("Step recorded."))


@role_required(*HANDS)
@require_POST
def escalation_approve(request, pk: int):
    return _on_escalation(
        request, pk, lambda esc: services.approve(by=request.user, escalation=esc, at=timezone.now()), _("Approved.")
    )


@role_required(*HANDS)
@require_POST
def escalation_solve(request, pk: int):
    action = posted_action(request, SolveForm, services.solve, "escalation")
    return _on_escalation(request, pk, action, _("Solved."))


@role_required(*HANDS)
@require_POST
def escalation_publish(request, pk: int):
    action = posted_action(request, PublishForm, services.publish_case, "escalation")
    return _on_escalation(request, pk, action, _("Published in the library."))


@role_required(*BOARD)
def library(request):
    filterset = LibraryFilter(request.GET, queryset=selectors.search_library())
    return render(
        request,
        "workshop/library.html",
        {
            "cases": filterset.filtered()[:50],
            "query": filterset.form.cleaned_data.get("q") or "",
            "yesterday": selectors.yesterdays_cases(at=timezone.now()),
        },
    )


@role_required(*LEADS)
def six_s(request):
    form = SixSForm(request.POST or None, initial={"week_of": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.record_six_s(
            by=request.user,
            area=data["area"],
            week_of=data["week_of"],
            notes=data["notes"],
            results={key: data[key] for key in SIX_S},
            at=timezone.now(),
        )
        messages.success(request, _("6S check saved."))
        return redirect("six_s")
    checks = SixSCheck.objects.select_related(
        "area__first_responsible__staff", "area__second_responsible__staff", "checked_by__staff"
    ).order_by("-week_of", "area__name")[:40]
    rows = [(check, [check.results.get(key, False) for key in SIX_S]) for check in checks]
    return render(
        request,
        "workshop/six_s.html",
        {
            "form": form,
            "checks": rows,
            "areas": SixSArea.objects.count(),
            "labels": [SIX_S_LABELS[key] for key in SIX_S],
        },
    )


@role_required(*LEADS)
def leaders(request):
    today = timezone.localdate()
    last_year, last_quarter = (today.year, (today.month - 1) // 3) if today.month > 3 else (today.year - 1, 4)
    form = AssessmentForm(request.POST or None, initial={"year": last_year, "quarter": last_quarter})
    if request.method == "POST" and form.is_valid():
        try:
            services.assess_leader(by=request.user, at=timezone.now(), **form.cleaned_data)
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, _("Assessment saved."))
            return redirect("leaders")
    assessments = LeaderAssessment.objects.select_related("leader__staff").order_by(
        "-year", "-quarter", "leader__staff__name"
    )[:60]
    return render(
        request,
        "workshop/leaders.html",
        {"form": form, "assessments": assessments, "flagged": selectors.leaders_to_flag()},
    )


@role_required(*LEADS)
def reports(request):
    month = parse_month(request.GET.get("month"), default=timezone.localdate())
    rows = selectors.technician_month(month)
    top = max([row["billed_hours"] for row in rows] + [row["clocked_hours"] for row in rows] + [1])
    return render(
        request,
        "workshop/reports.html",
        {"month": month, "rows": rows, "teams": selectors.team_month(rows), "top": top},
    )
