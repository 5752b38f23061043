"""The advisor's desk and the work order page (tablet): arrival to delivery."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dealership.errors import DomainError
from dealership.forms import form_errors
from dealership.models import Role
from dealership.permissions import has_role, may_see_full_mobile, role_required
from parts.services import OutOfStock
from service_desk import links, selectors, services
from service_desk.forms import (
    ArrivalForm,
    BackorderPartForm,
    CancelOrderForm,
    ClaimForm,
    ConfirmForm,
    ItemForm,
    OverrunForm,
    PartLineForm,
    RatingForm,
    WalkaroundForm,
)
from service_desk.models import (
    Appointment,
    AppointmentStatus,
    CareRule,
    DeferredWork,
    OrderStatus,
    Rating,
    RepairItem,
    RepairOrder,
)

DESK = (Role.ADVISOR, Role.MANAGER)
ORDER_READERS = (Role.ADVISOR, Role.FOREMAN, Role.CALLCENTRE, Role.MANAGER)
OVERRUN_REPORTERS = (Role.TECHNICIAN, Role.FOREMAN, Role.ADVISOR, Role.MANAGER)


@role_required(*DESK)
def desk(request):
    context = selectors.desk(request.user, at=timezone.now())
    context["is_away"] = hasattr(request.user, "away")
    template = "service_desk/_desk_waiting.html" if request.htmx else "service_desk/desk.html"
    return render(request, template, context)


@role_required(*DESK)
@require_POST
def toggle_away(request):
    services.set_away(advisor=request.user, away=request.POST.get("away") == "1", at=timezone.now())
    return redirect("desk")


@role_required(*DESK)
def vehicle_picker(request):
    """Up to ten cars by plate, VIN end or owner's name, to choose with one tap (htmx fragment)."""
    from dealership.selectors import search_customers

    query = request.GET.get("q", "").strip()
    vehicles = []
    if len(query) >= 2 or (query and not query.isascii()):
        customers = search_customers(query, by_phone=may_see_full_mobile(request.user))[:10]
        vehicles = [vehicle for customer in customers for vehicle in customer.vehicles.all()][:10]
        owners = {customer.pk: customer for customer in customers}
        for vehicle in vehicles:
            vehicle.owner = owners[vehicle.customer_id]
    return render(
        request,
        "service_desk/_vehicle_picker.html",
        {"vehicles": vehicles, "query": query, "target": request.GET.get("target", "arrive")},
    )


@role_required(*DESK)
def arrive(request):
    """SD03: one tap when the car arrives; from an appointment or a plate."""
    form = ArrivalForm(request.POST or None, initial={"appointment": request.GET.get("appointment")})
    appointment = None
    if request.GET.get("appointment", "").isdigit():
        appointment = (
            Appointment.objects.select_related("vehicle", "customer")
            .filter(pk=int(request.GET["appointment"]), status=AppointmentStatus.BOOKED)
            .first()
        )
    if request.method == "POST" and form.is_valid():
        booked = None
        if form.cleaned_data.get("appointment"):
            booked = Appointment.objects.filter(pk=form.cleaned_data["appointment"]).first()
        try:
            order = services.receive_vehicle(
                by=request.user,
                vehicle=form.cleaned_data["vehicle"],
                appointment=booked,
                mileage_km=form.cleaned_data.get("mileage_km"),
                at=timezone.now(),
            )
        except (DomainError, ValidationError) as refused:
            form.add_error(None, _message(refused))
        else:
            return redirect("order_detail", pk=order.pk)
    return render(request, "service_desk/arrive.html", {"form": form, "appointment": appointment})


@role_required(*ORDER_READERS)
def order_list(request):
    mine = request.GET.get("mine") == "1"
    rows = selectors.search_orders(
        query=request.GET.get("q", ""), status=request.GET.get("status", "open"), advisor=request.user if mine else None
    )
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": request.GET.get("q", ""),
        "status": request.GET.get("status", "open"),
        "statuses": OrderStatus.choices,
        "mine": mine,
    }
    return render(request, "service_desk/_order_rows.html" if request.htmx else "service_desk/order_list.html", context)


def _load(pk: int) -> RepairOrder:
    try:
        return selectors.order_detail(pk)
    except RepairOrder.DoesNotExist as missing:
        raise Http404 from missing


@role_required(*ORDER_READERS)
def order_detail(request, pk: int):
    order = _load(pk)
    now = timezone.now()
    may_edit = has_role(request.user, *DESK) and order.is_editable
    context = {
        "order": order,
        "items": list(order.items.all()),
        "may_edit": may_edit,
        "is_desk": has_role(request.user, *DESK),
        "may_report_overrun": has_role(request.user, *OVERRUN_REPORTERS) and order.is_editable,
        "item_form": ItemForm(),
        "part_form": PartLineForm(),
        "backorder_form": BackorderPartForm(),
        "confirm_form": ConfirmForm(initial={"version": order.version}),
        "overrun_form": OverrunForm(),
        "cancel_form": CancelOrderForm(),
        "claim_form": ClaimForm(),
        "recommendations": selectors.care_recommendations(order, at=now) if may_edit else [],
        "deferred": selectors.deferred_work(order.vehicle_id) if may_edit else [],
        "show_full_mobile": may_see_full_mobile(request.user),
        "has_unconfirmed": any(not item.is_confirmed and item.status != "declined" for item in order.items.all()),
        "greet_seconds": _seconds(order.arrived_at, order.greeted_at),
        "in_bay_seconds": _seconds(order.arrived_at, order.in_bay_at),
        "now": now,
    }
    return render(request, "service_desk/order_detail.html", context)


def _seconds(start, end) -> int | None:
    return int((end - start).total_seconds()) if end else None


def _message(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def _act(request, pk: int, action, done: str, *, anchor: str = ""):
    """Run one service on an order from a button; a refusal comes back as a message on the page."""
    order = get_object_or_404(RepairOrder, pk=pk)
    try:
        action(order)
    except (DomainError, ValidationError, OutOfStock) as refused:
        messages.error(request, _message(refused))
    else:
        if done:
            messages.success(request, done)
    return redirect(reverse("order_detail", args=[pk]) + anchor)


@role_required(*DESK)
@require_POST
def greet(request, pk: int):
    return _act(
        request, pk, lambda order: services.record_greeting(by=request.user, order=order, at=timezone.now()), ""
    )


@role_required(*DESK)
@require_POST
def in_bay(request, pk: int):
    return _act(request, pk, lambda order: services.record_in_bay(by=request.user, order=order, at=timezone.now()), "")


@role_required(*DESK)
def walkaround(request, pk: int):
    order = get_object_or_404(RepairOrder.objects.select_related("vehicle", "customer"), pk=pk)
    initial = {
        "mileage_km": order.mileage_km,
        "version": order.version,
        "signed_by": order.customer.name,
        "customer_requests": order.customer_requests,
        "fuel_eighths": 4,
        **{k: v for k, v in order.walkaround.items() if k in ("damage", "valuables", "fuel_eighths")},
    }
    form = WalkaroundForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_walkaround(by=request.user, order=order, at=timezone.now(), **form.cleaned_data)
        except (DomainError, ValidationError) as refused:
            form.add_error(None, _message(refused))
        else:
            messages.success(request, _("Reception sheet signed."))
            return redirect("order_detail", pk=pk)
    return render(request, "service_desk/walkaround.html", {"form": form, "order": order})


@role_required(*DESK)
@require_POST
def add_item(request, pk: int):
    form = ItemForm(request.POST)

    def action(order):
        if not form.is_valid():
            raise form_errors(form)
        services.add_item(by=request.user, order=order, at=timezone.now(), **form.cleaned_data)

    return _act(request, pk, action, _("Item added."), anchor="#items")


def _item(order_pk: int, item_pk: int) -> RepairItem:
    return get_object_or_404(RepairItem.objects.select_related("order"), pk=item_pk, order_id=order_pk)


@role_required(*DESK)
@require_POST
def add_part(request, pk: int, item_pk: int):
    item = _item(pk, item_pk)
    form = PartLineForm(request.POST)

    def action(order):
        if not form.is_valid():
            raise form_errors(form)
        services.add_part_line(by=request.user, item=item, at=timezone.now(), **form.cleaned_data)

    return _act(request, pk, action, _("Part added."), anchor="#items")


@role_required(*DESK)
@require_POST
def backorder_part(request, pk: int, item_pk: int):
    item = _item(pk, item_pk)
    form = BackorderPartForm(request.POST)

    def action(order):
        if not form.is_valid():
            raise form_errors(form)
        services.backorder_part(by=request.user, item=item, at=timezone.now(), **form.cleaned_data)

    return _act(request, pk, action, _("Part ordered; the customer will be told when it arrives."), anchor="#items")


@role_required(*DESK)
@require_POST
def remove_item(request, pk: int, item_pk: int):
    item = _item(pk, item_pk)
    return _act(
        request,
        pk,
        lambda order: services.remove_item(by=request.user, item=item, at=timezone.now()),
        _("Item removed."),
        anchor="#items",
    )


@role_required(*DESK)
@require_POST
def confirm(request, pk: int):
    form = ConfirmForm(request.POST)

    def action(order):
        if not form.is_valid():
            raise ValidationError(_("The customer signs with their name."))
        services.confirm(order=order, by=request.user, at=timezone.now(), **form.cleaned_data)

    return _act(request, pk, action, _("Confirmed by the customer."))


@role_required(*DESK)
@require_POST
def send_link(request, pk: int):
    return _act(
        request,
        pk,
        lambda order: services.send_confirmation_link(by=request.user, order=order, at=timezone.now()),
        _("The customer was texted a link to confirm the items."),
    )


@role_required(*DESK)
@require_POST
def promise(request, pk: int):
    return _act(
        request,
        pk,
        lambda order: services.make_promise(by=request.user, order=order, at=timezone.now()),
        _("Promised time set from the workshop's load."),
    )


@role_required(*OVERRUN_REPORTERS)
@require_POST
def report_overrun(request, pk: int):
    form = OverrunForm(request.POST)

    def action(order):
        if not form.is_valid():
            raise form_errors(form)
        services.report_overrun(by=request.user, order=order, at=timezone.now(), **form.cleaned_data)

    return _act(request, pk, action, _("Delay reported: the advisor tells the customer."))


@role_required(*DESK)
@require_POST
def tell_overrun(request, pk: int):
    by_phone = request.POST.get("how") == "phone"
    return _act(
        request,
        pk,
        lambda order: services.tell_customer_of_overrun(
            by=request.user, order=order, at=timezone.now(), by_phone=by_phone
        ),
        _("Customer told."),
    )


@role_required(*DESK)
@require_POST
def add_recommended(request, pk: int, rule_pk: int):
    rule = get_object_or_404(CareRule.objects.select_related("labour_operation"), pk=rule_pk, is_active=True)

    def action(order):
        if request.POST.get("agreed") != "1":
            raise ValidationError(_("Add it only when the customer agrees."))  # SD15
        services.add_item(
            by=request.user,
            order=order,
            at=timezone.now(),
            category=rule.labour_operation.category,
            labour_operation=rule.labour_operation,
        )

    return _act(request, pk, action, _("Added with the customer's consent."), anchor="#items")


@role_required(*DESK)
@require_POST
def take_up_deferred(request, pk: int, work_pk: int):
    work = get_object_or_404(DeferredWork, pk=work_pk, taken_up_at__isnull=True)

    def action(order):
        services.take_up_deferred(by=request.user, order=order, work=work, at=timezone.now())

    return _act(request, pk, action, _("Deferred work added."), anchor="#items")


@role_required(*DESK)
def rate(request, pk: int):
    """SD13: the customer-facing checkout screen; the advisor hands over the tablet."""
    order = get_object_or_404(RepairOrder.objects.select_related("vehicle", "customer"), pk=pk)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.settle(order=order, rating=form.cleaned_data["rating"], at=timezone.now(), by=request.user)
        except (DomainError, ValidationError) as refused:
            messages.error(request, _message(refused))
            return redirect("order_detail", pk=pk)
        return render(request, "service_desk/rate_thanks.html", {"order": order})
    ratings = [r for r in Rating if r not in (Rating.MISSING, Rating.REFUSED)]
    return render(request, "service_desk/rate.html", {"order": order, "ratings": ratings})


@role_required(*DESK)
@require_POST
def settle_without_rating(request, pk: int):
    return _act(
        request,
        pk,
        lambda order: services.settle(order=order, rating=Rating.MISSING, at=timezone.now(), by=request.user),
        _("Settled without a rating (recorded as no rating)."),
    )


@role_required(*DESK)
@require_POST
def deliver(request, pk: int):
    return _act(
        request,
        pk,
        lambda order: services.deliver(by=request.user, order=order, at=timezone.now()),
        _("Delivered: the car has left."),
    )


@role_required(*DESK)
@require_POST
def cancel(request, pk: int):
    form = CancelOrderForm(request.POST)

    def action(order):
        if not form.is_valid():
            raise ValidationError(_("Say why the order is cancelled."))
        services.cancel(by=request.user, order=order, at=timezone.now(), **form.cleaned_data)

    return _act(request, pk, action, _("Order cancelled."))


@role_required(*DESK)
@require_POST
def answer_question(request, pk: int, question_pk: int):
    """WS09: the advisor records what the customer said to the workshop's question."""
    from service_desk.models import CustomerQuestion

    question = get_object_or_404(
        CustomerQuestion.objects.select_related("item__order"), pk=question_pk, item__order_id=pk
    )
    return _act(
        request,
        pk,
        lambda order: services.answer_question(
            by=request.user, question=question, answer=request.POST.get("answer", ""), at=timezone.now()
        ),
        _("Answer passed to the workshop."),
    )


@role_required(*DESK)
@require_POST
def open_claim(request, pk: int):
    form = ClaimForm(request.POST)

    def action(order):
        if not form.is_valid():
            raise form_errors(form)
        services.open_claim(by=request.user, order=order, at=timezone.now(), **form.cleaned_data)

    return _act(request, pk, action, _("Insurance claim recorded."))


@role_required(*ORDER_READERS)
def print_order(request, pk: int):
    """SD12: the A4 work order the advisor goes through item by item at delivery."""
    order = _load(pk)
    link = links.order_url(order, links.FOLLOW)
    return render(
        request,
        "service_desk/order_print.html",
        {"order": order, "items": [i for i in order.items.all() if i.status != "declined"], "status_link": link},
    )
