"""The complaint queue, a complaint's page and its steps (CC01), and its home visit (CC07)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from customer_care import selectors, services
from customer_care.filters import ComplaintFilter
from customer_care.forms import (
    ComplaintAboutForm,
    ComplaintForm,
    CustomerOrdersForm,
    FaultFormSet,
    HomeVisitForm,
    ReassignForm,
    ReopenForm,
    StepForm,
    VisitOutcomeForm,
    add_refusal,
)
from customer_care.models import Complaint, ComplaintPolicy, ComplaintStatus
from customer_care.selectors import CARE, COMPLAINT_HANDS
from dealership.actions import act
from dealership.errors import DomainError
from dealership.forms import form_errors, posted_action
from dealership.models import Role
from dealership.permissions import has_role, role_required, staff_with_role
from dealership.views.directory import chosen_customer
from parts.models import CounterSale
from service_desk import selectors as desk_selectors
from service_desk.models import RepairOrder

STEP_LABELS = {
    ComplaintStatus.OPEN: gettext_lazy("What was said to the customer"),
    ComplaintStatus.RESPONDED: gettext_lazy("What is being done about it, by whom and when"),
    ComplaintStatus.ORGANISED: gettext_lazy("How it was resolved with the customer"),
}


@role_required(*COMPLAINT_HANDS)
def complaint_queue(request):
    """CC01: the queue with live countdowns per stage; advisors see the complaints handed to them."""
    now = timezone.now()
    everyone = selectors.sees_every_complaint(request.user)
    data = request.GET.copy()
    data.setdefault("status", "open")  # the page opens on the complaints not yet closed
    filterset = ComplaintFilter(data, queryset=selectors.complaint_queue(request.user), request=request)
    page = Paginator(filterset.filtered(), 25).get_page(request.GET.get("page"))
    chosen = filterset.form.cleaned_data
    return render(
        request,
        "customer_care/complaint_queue.html",
        {
            "page": page,
            "now": now,
            "everyone": everyone,
            "filterset": filterset,
            "mine": not everyone or chosen.get("mine"),
            "advisors": staff_with_role("advisor") if everyone else [],
            "warn_s": selectors.WARN_S,
            "overdue_count": selectors.overdue(now, rows=selectors.complaints_for(request.user)).count(),
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
    about = ComplaintAboutForm(request.GET)
    order = about.cleaned_data["order"] if about.is_valid() else None
    initial = {}
    if order is not None:  # raised from a visit: its customer, number and advisor filled in
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
            add_refusal(form, refused)
        else:
            messages.success(request, _("Complaint %(number)s raised and handed over.") % {"number": complaint.number})
            return redirect("complaint_detail", pk=complaint.pk)
    customer = chosen_customer(form) or (order.customer if order else None)
    return render(
        request,
        "customer_care/complaint_form.html",
        {"form": form, "customer": customer, "policy": ComplaintPolicy.current()},
    )


@role_required(*CARE)
def complaint_orders(request):
    """The chosen customer's latest work orders, to pick the one a complaint is about (htmx fragment)."""
    chosen = CustomerOrdersForm(request.GET)
    orders = desk_selectors.customer_orders(chosen.cleaned_data["customer"]) if chosen.is_valid() else []
    return render(request, "customer_care/_recent_orders.html", {"orders": orders})


def _step_form(complaint: Complaint) -> StepForm:
    form = StepForm(initial={"version": complaint.version})
    form.fields["text"].label = STEP_LABELS.get(ComplaintStatus(complaint.status), form.fields["text"].label)
    return form


@role_required(*COMPLAINT_HANDS)
def complaint_detail(request, pk: int):
    complaint = selectors.complaint_for(request.user, pk)
    now = timezone.now()
    decides_fault = has_role(request.user, Role.MANAGER) and complaint.status == ComplaintStatus.CLOSED
    context = {
        "complaint": complaint,
        "now": now,
        "clocks": selectors.stage_clocks(complaint, at=now),
        "timeline": selectors.timeline(complaint),
        "may_act": selectors.may_handle(request.user, complaint) and complaint.status != ComplaintStatus.CLOSED,
        "is_care": selectors.sees_every_complaint(request.user),
        "step_form": _step_form(complaint),
        "reopen_form": ReopenForm(initial={"version": complaint.version}),
        "reassign_form": ReassignForm(initial={"version": complaint.version, "assignee": complaint.assignee_id}),
        "visit": getattr(complaint, "home_visit", None),
        "visit_form": HomeVisitForm(),
        "outcome_form": VisitOutcomeForm(),
        "warn_s": selectors.WARN_S,
        "faults": selectors.complaint_faults(complaint),
        "fault_formset": FaultFormSet(prefix="fault") if decides_fault else None,
        # A penalty is read by managers, who decide it, and the person who pays it; no one else.
        "sees_penalties": has_role(request.user, Role.MANAGER),
        "next_step": {
            ComplaintStatus.OPEN: ("complaint_respond", _("Record the response")),
            ComplaintStatus.RESPONDED: ("complaint_organise", _("Record what is organised")),
            ComplaintStatus.ORGANISED: ("complaint_close", _("Close the complaint")),
        }.get(complaint.status),
    }
    return render(request, "customer_care/complaint_detail.html", context)


def _on_complaint(request, pk: int, action, done: str):
    """Run `action` on the complaint the user may see, back to its page with the outcome."""
    complaint = selectors.complaint_for(request.user, pk)
    return act(request, lambda: action(complaint), done=done, to=reverse("complaint_detail", args=[pk]))


@role_required(*COMPLAINT_HANDS)
@require_POST
def complaint_sign(request, pk: int):
    def sign(complaint):
        services.sign_for(by=request.user, complaint=complaint, at=timezone.now())

    return _on_complaint(request, pk, sign, _("Signed for."))


@role_required(*COMPLAINT_HANDS)
@require_POST
def complaint_respond(request, pk: int):
    action = posted_action(request, StepForm, services.respond, "complaint")
    return _on_complaint(request, pk, action, _("Response recorded."))


@role_required(*COMPLAINT_HANDS)
@require_POST
def complaint_organise(request, pk: int):
    action = posted_action(request, StepForm, services.organise, "complaint")
    return _on_complaint(request, pk, action, _("Recorded what is organised."))


@role_required(*COMPLAINT_HANDS)
@require_POST
def complaint_close(request, pk: int):
    action = posted_action(request, StepForm, services.close, "complaint")
    return _on_complaint(request, pk, action, _("Complaint closed."))


@role_required(*CARE)
@require_POST
def complaint_reopen(request, pk: int):
    action = posted_action(request, ReopenForm, services.reopen, "complaint")
    return _on_complaint(request, pk, action, _("Reopened: new deadlines from now."))


@role_required(*CARE)
@require_POST
def complaint_reassign(request, pk: int):
    action = posted_action(request, ReassignForm, services.reassign, "complaint")
    return _on_complaint(request, pk, action, _("Handed over."))


@role_required(*CARE)
@require_POST
def complaint_plan_visit(request, pk: int):
    action = posted_action(request, HomeVisitForm, services.plan_home_visit, "complaint")
    return _on_complaint(request, pk, action, _("Home visit planned."))


@role_required(*CARE)
@require_POST
def complaint_visit_outcome(request, pk: int):
    form = VisitOutcomeForm(request.POST)

    def record(complaint):
        if not form.is_valid():
            raise form_errors(form)
        visit = getattr(complaint, "home_visit", None)
        if visit is None:
            raise DomainError(_("Plan the home visit first."))
        services.record_home_visit(by=request.user, visit=visit, at=timezone.now(), **form.cleaned_data)

    return _on_complaint(request, pk, record, _("Home visit recorded."))


@role_required(Role.MANAGER)
@require_POST
def complaint_fault(request, pk: int):
    """CC09 / IN09: a manager names who was responsible for a closed complaint, why, and each penalty."""
    formset = FaultFormSet(request.POST, prefix="fault")

    def record(complaint):
        if not formset.is_valid():
            errors = [message for form in formset.forms if form.errors for message in form_errors(form).messages]
            raise ValidationError(errors + list(formset.non_form_errors()))
        services.record_fault(
            by=request.user, complaint=complaint, responsible=formset.responsible(), at=timezone.now()
        )

    return _on_complaint(
        request, pk, record, _("Recorded who was responsible; each penalty is posted to their ledger.")
    )
