"""Customer care pages at /care/: complaints, follow-up calls, the call log, the rescue board,
greetings and weather notes, and the settings. Every change goes through `services`."""

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from customer_care import selectors, services
from customer_care.forms import (
    BroadcastForm,
    CallForm,
    CancelRescueForm,
    CarePolicyForm,
    ComplaintForm,
    ComplaintPolicyForm,
    DispatchForm,
    FollowUpForm,
    HomeVisitForm,
    PairingForm,
    ReassignForm,
    ReopenForm,
    RescueArrivedForm,
    RescueForm,
    StepForm,
    VisitOutcomeForm,
)
from customer_care.models import (
    Broadcast,
    CarePair,
    CarePolicy,
    Complaint,
    ComplaintPolicy,
    ComplaintStatus,
    FollowUp,
    HomeVisit,
    Rescue,
)
from dealership import outbox
from dealership.errors import DomainError
from dealership.forms import form_errors, posted_action
from dealership.models import Role, SmsPolicy, SmsTemplate
from dealership.permissions import has_role, role_required, staff_with_role
from dealership.views.directory import chosen_customer
from parts.models import CounterSale
from service_desk import selectors as desk_selectors
from service_desk.models import RepairOrder

CARE = (Role.CALLCENTRE, Role.MANAGER)
COMPLAINTS = (Role.CALLCENTRE, Role.MANAGER, Role.ADVISOR)


def _message(error) -> str:
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


# --- Complaints -------------------------------------------------------------------------------------------


def _sees_every_complaint(user) -> bool:
    return has_role(user, Role.CALLCENTRE, Role.MANAGER)


@role_required(*COMPLAINTS)
def complaint_queue(request):
    """CC01: the queue with live countdowns per stage; advisors see the complaints handed to them."""
    now = timezone.now()
    everyone = _sees_every_complaint(request.user)
    mine = not everyone or request.GET.get("mine") == "1"
    assignee = request.GET.get("advisor", "")
    status = request.GET.get("status", "open")
    rows = selectors.complaints(
        at=now,
        mine=request.user if mine else None,
        overdue=request.GET.get("overdue") == "1",
        assignee_id=int(assignee) if everyone and assignee.isascii() and assignee.isdigit() else None,
        status=status,
        query=request.GET.get("q", ""),
    )
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "customer_care/complaint_queue.html",
        {
            "page": page,
            "now": now,
            "everyone": everyone,
            "mine": mine,
            "overdue": request.GET.get("overdue") == "1",
            "status": status,
            "assignee": assignee,
            "advisors": staff_with_role("advisor") if everyone else [],
            "query": request.GET.get("q", ""),
            "warn_s": selectors.WARN_S,
            "overdue_count": services.overdue(now).filter(**({} if everyone else {"assignee": request.user})).count(),
        },
    )


def _numbered(model, number: str, field: str):
    number = number.strip().upper()
    if not number:
        return None
    found = model.objects.filter(number=number).first()
    if found is None:
        raise ValidationError({field: _("No %(number)s found.") % {"number": number}})
    return found


@role_required(*CARE)
def complaint_create(request):
    initial, prefilled = {}, None
    order_pk = request.GET.get("order", "")
    if order_pk.isascii() and order_pk.isdigit():
        order = RepairOrder.objects.select_related("customer").filter(pk=int(order_pk)).first()
        if order is not None:
            prefilled = order.customer
            initial = {"customer": order.customer_id, "repair_order_number": order.number, "assignee": order.advisor_id}
    form = ComplaintForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = services.raise_complaint(
                by=request.user,
                customer=data["customer"],
                assignee=data["assignee"],
                channel=data["channel"],
                category=data["category"],
                summary=data["summary"],
                repair_order=_numbered(RepairOrder, data["repair_order_number"], "repair_order_number"),
                counter_sale=_numbered(CounterSale, data["counter_sale_number"], "counter_sale_number"),
                is_serious=data["is_serious"],
                dealership_at_fault=data["dealership_at_fault"],
                at=timezone.now(),
            )
        except ValidationError as refused:
            _add_errors(form, refused)
        else:
            messages.success(request, _("Complaint %(number)s raised and handed over.") % {"number": complaint.number})
            return redirect("complaint_detail", pk=complaint.pk)
    customer = chosen_customer(form) or prefilled
    return render(
        request,
        "customer_care/complaint_form.html",
        {"form": form, "customer": customer, "policy": ComplaintPolicy.current()},
    )


@role_required(*CARE)
def complaint_orders(request):
    """The chosen customer's latest work orders, to pick the one a complaint is about (htmx fragment)."""
    customer = request.GET.get("customer", "")
    orders = desk_selectors.customer_orders(int(customer)) if customer.isascii() and customer.isdigit() else []
    return render(request, "customer_care/_recent_orders.html", {"orders": orders})


FIELD_OF = {"repair_order": "repair_order_number", "counter_sale": "counter_sale_number", "mobile": "rescue_mobile"}


def _add_errors(form, refused: ValidationError) -> None:
    """A service's refusal shown on the form, under the field it is about where the form has it."""
    if hasattr(refused, "error_dict"):
        for field, errors in refused.error_dict.items():
            field = FIELD_OF.get(field, field) if FIELD_OF.get(field, field) in form.fields else field
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, refused)


def _complaint_for(request, pk: int) -> Complaint:
    try:
        complaint = selectors.complaint_detail(pk)
    except Complaint.DoesNotExist as missing:
        raise Http404 from missing
    if not _sees_every_complaint(request.user) and complaint.assignee_id != request.user.pk:
        raise Http404  # an advisor sees the complaints handed to them, not their colleagues'
    return complaint


@role_required(*COMPLAINTS)
def complaint_detail(request, pk: int):
    complaint = _complaint_for(request, pk)
    now = timezone.now()
    acts = request.user.pk == complaint.assignee_id or _sees_every_complaint(request.user)
    context = {
        "complaint": complaint,
        "now": now,
        "clocks": selectors.stage_clocks(complaint, at=now),
        "timeline": selectors.timeline(complaint),
        "may_act": acts and complaint.status != ComplaintStatus.CLOSED,
        "is_care": _sees_every_complaint(request.user),
        "step_form": _step_form(complaint),
        "reopen_form": ReopenForm(initial={"version": complaint.version}),
        "reassign_form": ReassignForm(initial={"version": complaint.version, "assignee": complaint.assignee_id}),
        "visit": getattr(complaint, "home_visit", None),
        "visit_form": HomeVisitForm(),
        "outcome_form": VisitOutcomeForm(),
        "warn_s": selectors.WARN_S,
        "next_step": {
            ComplaintStatus.OPEN: ("complaint_respond", _("Record the response")),
            ComplaintStatus.RESPONDED: ("complaint_organise", _("Record what is organised")),
            ComplaintStatus.ORGANISED: ("complaint_close", _("Close the complaint")),
        }.get(complaint.status),
    }
    return render(request, "customer_care/complaint_detail.html", context)


STEP_LABELS = {
    ComplaintStatus.OPEN: gettext_lazy("What was said to the customer"),
    ComplaintStatus.RESPONDED: gettext_lazy("What is being done about it, by whom and when"),
    ComplaintStatus.ORGANISED: gettext_lazy("How it was resolved with the customer"),
}


def _step_form(complaint: Complaint) -> StepForm:
    form = StepForm(initial={"version": complaint.version})
    form.fields["text"].label = STEP_LABELS.get(ComplaintStatus(complaint.status), form.fields["text"].label)
    return form


def _complaint_act(request, pk: int, action, done: str):
    complaint = _complaint_for(request, pk)
    try:
        action(complaint)
    except (DomainError, ValidationError) as refused:
        messages.error(request, _message(refused))
    else:
        messages.success(request, done)
    return redirect("complaint_detail", pk=pk)


@role_required(*COMPLAINTS)
@require_POST
def complaint_sign(request, pk: int):
    return _complaint_act(
        request, pk, lambda c: services.sign_for(by=request.user, complaint=c, at=timezone.now()), _("Signed for.")
    )


@role_required(*COMPLAINTS)
@require_POST
def complaint_respond(request, pk: int):
    action = posted_action(request, StepForm, services.respond, "complaint")
    return _complaint_act(request, pk, action, _("Response recorded."))


@role_required(*COMPLAINTS)
@require_POST
def complaint_organise(request, pk: int):
    action = posted_action(request, StepForm, services.organise, "complaint")
    return _complaint_act(request, pk, action, _("Recorded what is organised."))


@role_required(*COMPLAINTS)
@require_POST
def complaint_close(request, pk: int):
    action = posted_action(request, StepForm, services.close, "complaint")
    return _complaint_act(request, pk, action, _("Complaint closed."))


@role_required(*CARE)
@require_POST
def complaint_reopen(request, pk: int):
    action = posted_action(request, ReopenForm, services.reopen, "complaint")
    return _complaint_act(request, pk, action, _("Reopened: new deadlines from now."))


@role_required(*CARE)
@require_POST
def complaint_reassign(request, pk: int):
    action = posted_action(request, ReassignForm, services.reassign, "complaint")
    return _complaint_act(request, pk, action, _("Handed over."))


@role_required(*CARE)
@require_POST
def complaint_plan_visit(request, pk: int):
    action = posted_action(request, HomeVisitForm, services.plan_home_visit, "complaint")
    return _complaint_act(request, pk, action, _("Home visit planned."))


@role_required(*CARE)
@require_POST
def complaint_visit_outcome(request, pk: int):
    form = VisitOutcomeForm(request.POST)

    def action(complaint):
        if not form.is_valid():
            raise form_errors(form)
        visit = HomeVisit.objects.filter(complaint=complaint).first()
        if visit is None:
            raise DomainError(_("Plan the home visit first."))
        services.record_home_visit(by=request.user, visit=visit, at=timezone.now(), **form.cleaned_data)

    return _complaint_act(request, pk, action, _("Home visit recorded."))


# --- Follow-up calls ------------------------------------------------------------------------------------------


@role_required(*CARE)
def follow_up_queue(request):
    """CC04, CC05: the calls due now; an agent sees their paired advisors' customers and unassigned ones."""
    now = timezone.now()
    everyone = has_role(request.user, Role.MANAGER) or request.GET.get("all") == "1"
    rows = selectors.follow_up_queue(at=now, agent=None if everyone else request.user)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    finished = selectors.finished_follow_ups(agent=None if everyone else request.user)[:20]
    return render(
        request,
        "customer_care/follow_up_queue.html",
        {"page": page, "everyone": everyone, "now": now, "finished": finished},
    )


@role_required(*CARE)
def follow_up_call(request, pk: int):
    try:
        follow_up = selectors.follow_up_detail(pk)
    except FollowUp.DoesNotExist as missing:
        raise Http404 from missing
    people = services.praise_choices(follow_up)
    form = FollowUpForm(request.POST or None, praise_choices=people, initial={"version": follow_up.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        complaint = None
        if data["reached"] and data["complaint"]:
            complaint = {"category": data["complaint_category"] or "other", "summary": data["complaint_summary"]}
        try:
            services.record_follow_up(
                by=request.user,
                follow_up=follow_up,
                reached=data["reached"],
                satisfaction=data["satisfaction"],
                praised=form.praised_people(),
                notes=data["notes"],
                complaint=complaint,
                version=data["version"],
                at=timezone.now(),
            )
        except (DomainError, ValidationError) as refused:
            messages.error(request, _message(refused))
        else:
            messages.success(request, _("Call recorded."))
            return redirect("follow_up_queue")
    return render(request, "customer_care/follow_up_call.html", {"follow_up": follow_up, "form": form})


# --- Call log ------------------------------------------------------------------------------------------------


@role_required(*CARE)
def call_log(request):
    """CC02: hotline and rescue-line calls; a call can become a complaint or a rescue in the same step."""
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
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
        try:
            call = services.log_call(
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
        except (DomainError, ValidationError) as refused:
            _add_errors(form, refused if isinstance(refused, ValidationError) else ValidationError(str(refused)))
        else:
            messages.success(request, _("Call logged."))
            if call.complaint_id:
                return redirect("complaint_detail", pk=call.complaint_id)
            if call.rescue_id:
                return redirect("rescue_board")
            return redirect("call_log")
    line = request.GET.get("line", "")
    page = Paginator(selectors.calls(line=line), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "customer_care/call_log.html",
        {"form": form, "page": page, "line": line, "customer": chosen_customer(form)},
    )


# --- Rescue board ----------------------------------------------------------------------------------------------


@role_required(*CARE)
def rescue_board(request):
    """CC03: rescues under way with their promised arrival counting down; a new request from the line."""
    form = RescueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rescue = services.request_rescue(by=request.user, at=timezone.now(), **form.cleaned_data)
        except ValidationError as refused:
            _add_errors(form, refused)
        else:
            messages.success(
                request,
                _("Rescue %(number)s taken; the caller is texted the arrival time.") % {"number": rescue.number},
            )
            return redirect("rescue_board")
    now = timezone.now()
    context = selectors.rescue_board(at=now) | {"form": form, "now": now, "customer": chosen_customer(form)}
    if request.htmx:
        return render(request, "customer_care/_rescue_rows.html", context)
    return render(request, "customer_care/rescue_board.html", context)


def _rescue_act(request, pk: int, action, done: str):
    rescue = get_object_or_404(Rescue, pk=pk)
    try:
        action(rescue)
    except (DomainError, ValidationError) as refused:
        messages.error(request, _message(refused))
    else:
        messages.success(request, done)
    return redirect("rescue_board")


@role_required(*CARE)
@require_POST
def rescue_dispatch(request, pk: int):
    action = posted_action(request, DispatchForm, services.dispatch_crew, "rescue")
    return _rescue_act(request, pk, action, _("Crew on the way."))


@role_required(*CARE)
@require_POST
def rescue_arrive(request, pk: int):
    action = posted_action(request, RescueArrivedForm, services.rescue_arrived, "rescue")
    return _rescue_act(request, pk, action, _("Arrival recorded."))


@role_required(*CARE)
@require_POST
def rescue_cancel(request, pk: int):
    action = posted_action(request, CancelRescueForm, services.cancel_rescue, "rescue")
    return _rescue_act(request, pk, action, _("Rescue called off."))


# --- Greetings and weather notes, settings ------------------------------------------------------------------------


def _was_counted(token: str, data: dict) -> bool:
    """The token shown with the count names these very choices (compared by content: a token carries
    the second it was made, so two made a second apart differ as strings)."""
    try:
        return signing.loads(token, salt="care.broadcast", max_age=3600) == data
    except signing.BadSignature:
        return False


@role_required(Role.MANAGER)
def broadcasts(request):
    """CC06: a greeting or weather note to a chosen group; the count is shown before sending."""
    form = BroadcastForm(request.POST or None)
    audience = preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Sent only to the group that was counted and the text that was previewed: any change counts again.
        counted = signing.dumps(data, salt="care.broadcast")
        if _was_counted(request.POST.get("counted", ""), data):
            try:
                sent = services.broadcast(by=request.user, at=timezone.now(), **data)
            except (DomainError, ValidationError) as refused:
                messages.error(request, _message(refused))
            else:
                messages.success(
                    request,
                    _("%(count)d texts queued; %(skipped)d customers opted out and were left out.")
                    % {"count": sent.recipients, "skipped": sent.skipped},
                )
                return redirect("broadcasts")
        rows = services.broadcast_audience(
            visited_within_days=data["visited_within_days"], model_contains=data["model_contains"]
        )
        audience = {"total": rows.count(), "opted_out": rows.filter(sms_opt_out=True).count(), "counted": counted}
        preview = outbox.render(
            SmsTemplate.objects.get(kind=f"care_{data['kind']}"),
            {"customer": _("Mr Zhang"), "text": data["text"]},
            SmsPolicy.current(),
        )
    sent = Broadcast.objects.select_related("by__staff").order_by("-at")[:20]
    return render(
        request,
        "customer_care/broadcasts.html",
        {"form": form, "audience": audience, "preview": preview, "sent": sent},
    )


@role_required(Role.MANAGER)
def care_settings(request):
    complaint_form = ComplaintPolicyForm(instance=ComplaintPolicy.current(), prefix="complaint")
    care_form = CarePolicyForm(instance=CarePolicy.current(), prefix="care")
    pairing_form = PairingForm(prefix="pair")
    if request.method == "POST":
        which = request.POST.get("form")
        if which == "complaint":
            complaint_form = ComplaintPolicyForm(request.POST, instance=ComplaintPolicy.current(), prefix="complaint")
            chosen = complaint_form
        elif which == "care":
            care_form = CarePolicyForm(request.POST, instance=CarePolicy.current(), prefix="care")
            chosen = care_form
        else:
            pairing_form = PairingForm(request.POST, prefix="pair")
            chosen = pairing_form
        if chosen.is_valid():
            if chosen is pairing_form:
                try:
                    services.pair_care_agent(by=request.user, **pairing_form.cleaned_data)
                except ValidationError as refused:
                    messages.error(request, _message(refused))
                    return redirect("care_settings")
            else:
                chosen.instance._history_user = request.user
                chosen.save()
            messages.success(
                request,
                _("Saved. New complaints get the new deadlines; raised ones keep theirs.")
                if chosen is complaint_form
                else _("Saved."),
            )
            return redirect("care_settings")
    pairs = CarePair.objects.select_related("advisor__staff", "care_agent__staff").order_by("care_agent__staff__name")
    return render(
        request,
        "customer_care/settings.html",
        {"complaint_form": complaint_form, "care_form": care_form, "pairing_form": pairing_form, "pairs": pairs},
    )
