"""The advisor's desk and the work order page (tablet): arrival to delivery."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dealership.actions import REFUSALS, act, refusal
from dealership.forms import posted_action
from dealership.permissions import has_role, may_see_full_mobile, role_required
from service_desk import links, selectors, services
from service_desk.access import DESK, ORDER_READERS, OVERRUN_REPORTERS, get_order_for
from service_desk.filters import IN_THE_BUILDING, OrderListFilter
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
    CustomerQuestion,
    DeferredWork,
    OrderStatus,
    Rating,
    RepairItem,
)


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
        except REFUSALS as refused:
            form.add_error(None, refusal(refused))
        else:
            return redirect("order_detail", pk=order.pk)
    return render(request, "service_desk/arrive.html", {"form": form, "appointment": appointment})


@role_required(*ORDER_READERS)
def order_list(request):
    """Every work order, by number, plate or customer; in the building by default, or the advisor's own."""
    data = request.GET.copy()
    data.setdefault("status", IN_THE_BUILDING)
    filterset = OrderListFilter(data, queryset=selectors.orders(), request=request)
    page = Paginator(filterset.filtered(), 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filterset": filterset,
        "query": data.get("q", ""),
        "status": data["status"],
        "statuses": OrderStatus.choices,
        "mine": data.get("mine") == "1",
    }
    return render(request, "service_desk/_order_rows.html" if request.htmx else "service_desk/order_list.html", context)


@role_required(*ORDER_READERS)
def order_detail(request, pk: int):
    order = get_order_for(request.user, pk, detail=True)
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


def _page(pk: int, anchor: str = "") -> str:
    return reverse("order_detail", args=[pk]) + anchor


def _item(request, order_pk: int, item_pk: int) -> RepairItem:
    order = get_order_for(request.user, order_pk)
    return get_object_or_404(RepairItem.objects.select_related("order"), pk=item_pk, order=order)


@role_required(*DESK)
@require_POST
def greet(request, pk: int):
    order = get_order_for(request.user, pk)
    return act(request, lambda: services.record_greeting(by=request.user, order=order, at=timezone.now()), to=_page(pk))


@role_required(*DESK)
@require_POST
def in_bay(request, pk: int):
    order = get_order_for(request.user, pk)
    return act(request, lambda: services.record_in_bay(by=request.user, order=order, at=timezone.now()), to=_page(pk))


@role_required(*DESK)
def walkaround(request, pk: int):
    order = get_order_for(request.user, pk)
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
        except REFUSALS as refused:
            form.add_error(None, refusal(refused))
        else:
            messages.success(request, _("Reception sheet signed."))
            return redirect("order_detail", pk=pk)
    return render(request, "service_desk/walkaround.html", {"form": form, "order": order})


@role_required(*DESK)
@require_POST
def add_item(request, pk: int):
    order = get_order_for(request.user, pk)
    action = posted_action(request, ItemForm, services.add_item, "order")
    return act(request, lambda: action(order), done=_("Item added."), to=_page(pk, "#items"))


@role_required(*DESK)
@require_POST
def add_part(request, pk: int, item_pk: int):
    item = _item(request, pk, item_pk)
    action = posted_action(request, PartLineForm, services.add_part_line, "item")
    return act(request, lambda: action(item), done=_("Part added."), to=_page(pk, "#items"))


@role_required(*DESK)
@require_POST
def backorder_part(request, pk: int, item_pk: int):
    item = _item(request, pk, item_pk)
    action = posted_action(request, BackorderPartForm, services.backorder_part, "item")
    done = _("Part ordered; the customer will be told when it arrives.")
    return act(request, lambda: action(item), done=done, to=_page(pk, "#items"))


@role_required(*DESK)
@require_POST
def remove_item(request, pk: int, item_pk: int):
    item = _item(request, pk, item_pk)
    return act(
        request,
        lambda: services.remove_item(by=request.user, item=item, at=timezone.now()),
        done=_("Item removed."),
        to=_page(pk, "#items"),
    )


@role_required(*DESK)
@require_POST
def confirm(request, pk: int):
    order = get_order_for(request.user, pk)
    form = ConfirmForm(request.POST)

    def action():
        if not form.is_valid():
            raise ValidationError(_("The customer signs with their name."))
        services.confirm(order=order, by=request.user, at=timezone.now(), **form.cleaned_data)

    return act(request, action, done=_("Confirmed by the customer."), to=_page(pk))


@role_required(*DESK)
@require_POST
def send_link(request, pk: int):
    order = get_order_for(request.user, pk)
    return act(
        request,
        lambda: services.send_confirmation_link(by=request.user, order=order, at=timezone.now()),
        done=_("The customer was texted a link to confirm the items."),
        to=_page(pk),
    )


@role_required(*DESK)
@require_POST
def promise(request, pk: int):
    order = get_order_for(request.user, pk)
    return act(
        request,
        lambda: services.make_promise(by=request.user, order=order, at=timezone.now()),
        done=_("Promised time set from the workshop's load."),
        to=_page(pk),
    )


@role_required(*OVERRUN_REPORTERS)
@require_POST
def report_overrun(request, pk: int):
    order = get_order_for(request.user, pk)
    action = posted_action(request, OverrunForm, services.report_overrun, "order")
    return act(request, lambda: action(order), done=_("Delay reported: the advisor tells the customer."), to=_page(pk))


@role_required(*DESK)
@require_POST
def tell_overrun(request, pk: int):
    order = get_order_for(request.user, pk)
    by_phone = request.POST.get("how") == "phone"
    return act(
        request,
        lambda: services.tell_customer_of_overrun(by=request.user, order=order, at=timezone.now(), by_phone=by_phone),
        done=_("Customer told."),
        to=_page(pk),
    )


@role_required(*DESK)
@require_POST
def add_recommended(request, pk: int, rule_pk: int):
    order = get_order_for(request.user, pk)
    rule = get_object_or_404(CareRule.objects.select_related("labour_operation"), pk=rule_pk, is_active=True)

    def action():
        if request.POST.get("agreed") != "1":
            raise ValidationError(_("Add it only when the customer agrees."))  # SD15
        services.add_item(
            by=request.user,
            order=order,
            at=timezone.now(),
            category=rule.labour_operation.category,
            labour_operation=rule.labour_operation,
        )

    return act(request, action, done=_("Added with the customer's consent."), to=_page(pk, "#items"))


@role_required(*DESK)
@require_POST
def take_up_deferred(request, pk: int, work_pk: int):
    order = get_order_for(request.user, pk)
    work = get_object_or_404(DeferredWork, pk=work_pk, taken_up_at__isnull=True)
    return act(
        request,
        lambda: services.take_up_deferred(by=request.user, order=order, work=work, at=timezone.now()),
        done=_("Deferred work added."),
        to=_page(pk, "#items"),
    )


@role_required(*DESK)
def rate(request, pk: int):
    """SD13: the customer-facing checkout screen; the advisor hands over the tablet."""
    order = get_order_for(request.user, pk)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.settle(order=order, rating=form.cleaned_data["rating"], at=timezone.now(), by=request.user)
        except REFUSALS as refused:
            messages.error(request, refusal(refused))
            return redirect("order_detail", pk=pk)
        return render(request, "service_desk/rate_thanks.html", {"order": order})
    ratings = [r for r in Rating if r not in (Rating.MISSING, Rating.REFUSED)]
    return render(request, "service_desk/rate.html", {"order": order, "ratings": ratings})


@role_required(*DESK)
@require_POST
def settle_without_rating(request, pk: int):
    order = get_order_for(request.user, pk)
    return act(
        request,
        lambda: services.settle(order=order, rating=Rating.MISSING, at=timezone.now(), by=request.user),
        done=_("Settled without a rating (recorded as no rating)."),
        to=_page(pk),
    )


@role_required(*DESK)
@require_POST
def deliver(request, pk: int):
    order = get_order_for(request.user, pk)
    return act(
        request,
        lambda: services.deliver(by=request.user, order=order, at=timezone.now()),
        done=_("Delivered: the car has left."),
        to=_page(pk),
    )


@role_required(*DESK)
@require_POST
def cancel(request, pk: int):
    order = get_order_for(request.user, pk)
    form = CancelOrderForm(request.POST)

    def action():
        if not form.is_valid():
            raise ValidationError(_("Say why the order is cancelled."))
        services.cancel(by=request.user, order=order, at=timezone.now(), **form.cleaned_data)

    return act(request, action, done=_("Order cancelled."), to=_page(pk))


@role_required(*DESK)
@require_POST
def answer_question(request, pk: int, question_pk: int):
    """WS09: the advisor records what the customer said to the workshop's question."""
    order = get_order_for(request.user, pk)
    question = get_object_or_404(CustomerQuestion, pk=question_pk, item__order=order)
    return act(
        request,
        lambda: services.answer_question(
            by=request.user, question=question, answer=request.POST.get("answer", ""), at=timezone.now()
        ),
        done=_("Answer passed to the workshop."),
        to=_page(pk),
    )


@role_required(*DESK)
@require_POST
def open_claim(request, pk: int):
    order = get_order_for(request.user, pk)
    action = posted_action(request, ClaimForm, services.open_claim, "order")
    return act(request, lambda: action(order), done=_("Insurance claim recorded."), to=_page(pk))


@role_required(*ORDER_READERS)
def print_order(request, pk: int):
    """SD12: the A4 work order the advisor goes through item by item at delivery."""
    order = get_order_for(request.user, pk, detail=True)
    link = links.order_url(order, links.FOLLOW)
    return render(
        request,
        "service_desk/order_print.html",
        {"order": order, "items": [i for i in order.items.all() if i.status != "declined"], "status_link": link},
    )
