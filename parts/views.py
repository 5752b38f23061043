"""Parts pages for the counter (tablet): catalogue and stock, backorders, counter sales, gifts."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dealership.actions import REFUSALS, act, refusal
from dealership.clock import parse_month
from dealership.models import Role
from dealership.permissions import has_role, role_required
from dealership.views.directory import chosen_customer
from parts import importing, selectors, services
from parts.filters import BackorderFilter, PartFilter
from parts.forms import (
    AdjustForm,
    BackorderForm,
    CallMadeForm,
    CancelForm,
    ExpectedDateForm,
    GiftItemForm,
    GiveGiftForm,
    ImportForm,
    PartEditForm,
    PartForm,
    ReceiveForm,
    RestockForm,
    ReturnForm,
    SaleForm,
    SaleLineFormSet,
    VersionForm,
)
from parts.models import Backorder, BackorderCall, CounterSale, GiftItem, GiftReason, Part

CATALOGUE_READ = (Role.PARTS, Role.ADVISOR, Role.FOREMAN, Role.TECHNICIAN, Role.MANAGER)
PARTS_STAFF = (Role.PARTS, Role.MANAGER)
BACKORDER_STAFF = (Role.PARTS, Role.ADVISOR, Role.MANAGER)
GIFT_GIVERS = (Role.PARTS, Role.ADVISOR, Role.CALLCENTRE, Role.MANAGER)


def _attempt(request, form, action, done: str):
    """Run a service for a valid form. Returns its result, or None when refused (the reason is on the
    form: a validation error next to the fields it names)."""
    try:
        result = action()
    except REFUSALS as refused:
        form.add_error(None, refused if isinstance(refused, ValidationError) else refusal(refused))
        return None
    messages.success(request, done)
    return result


# --- Catalogue and stock ----------------------------------------------------------------------------


@role_required(*CATALOGUE_READ)
def part_list(request):
    filterset = PartFilter(request.GET, queryset=selectors.search_parts())
    page = Paginator(filterset.filtered(), 30).get_page(request.GET.get("page"))
    query = filterset.form.cleaned_data.get("q") or ""
    context = {"page": page, "query": query, "may_edit": has_role(request.user, *PARTS_STAFF)}
    return render(request, "parts/_part_rows.html" if request.htmx else "parts/part_list.html", context)


@role_required(*CATALOGUE_READ)
def part_detail(request, pk: int):
    part = get_object_or_404(Part, pk=pk)
    context = {
        "part": part,
        "movements": selectors.recent_movements(part),
        "may_edit": has_role(request.user, *PARTS_STAFF),
    }
    return render(request, "parts/part_detail.html", context)


@role_required(*PARTS_STAFF)
def part_create(request):
    form = PartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        part = _attempt(
            request, form, lambda: services.create_part(by=request.user, **form.cleaned_data), _("Part added.")
        )
        if part:
            return redirect("part_detail", pk=part.pk)
    return render(request, "parts/part_form.html", {"form": form, "title": _("New part")})


@role_required(*PARTS_STAFF)
def part_edit(request, pk: int):
    part = get_object_or_404(Part, pk=pk)
    form = PartEditForm(request.POST or None, instance=part)
    if (
        request.method == "POST"
        and form.is_valid()
        and _attempt(
            request,
            form,
            lambda: services.update_part(by=request.user, part=part, **form.cleaned_data),
            _("Part saved."),
        )
    ):
        return redirect("part_detail", pk=part.pk)
    return render(request, "parts/part_form.html", {"form": form, "part": part, "title": _("Edit part")})


def _stock_page(request, pk: int, form_class, action, title: str, done: str):
    part = get_object_or_404(Part, pk=pk)
    form = form_class(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _attempt(request, form, lambda: action(part, form.cleaned_data), done)
    ):
        return redirect("part_detail", pk=part.pk)
    return render(request, "parts/stock_form.html", {"form": form, "part": part, "title": title})


@role_required(*PARTS_STAFF)
def part_receive(request, pk: int):
    return _stock_page(
        request,
        pk,
        ReceiveForm,
        lambda part, data: services.receive_stock(by=request.user, part=part, at=timezone.now(), **data),
        _("Book in a delivery"),
        _("Delivery booked in."),
    )


@role_required(*PARTS_STAFF)
def part_adjust(request, pk: int):
    return _stock_page(
        request,
        pk,
        AdjustForm,
        lambda part, data: services.adjust_stock(by=request.user, part=part, at=timezone.now(), **data),
        _("Correct the stock"),
        _("Stock corrected."),
    )


@role_required(*PARTS_STAFF)
def part_return(request, pk: int):
    return _stock_page(
        request,
        pk,
        ReturnForm,
        lambda part, data: services.return_stock(by=request.user, part=part, at=timezone.now(), **data),
        _("Take back a return"),
        _("Return booked in."),
    )


@role_required(*PARTS_STAFF)
def part_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = importing.read_rows(upload.name, upload.read())
        except importing.UnreadableFile as error:
            form.add_error("file", str(error))
        else:
            report = importing.import_parts(by=request.user, rows=rows, save=not form.cleaned_data["check_only"])
    return render(request, "parts/part_import.html", {"form": form, "report": report})


# --- Backorders -------------------------------------------------------------------------------------


@role_required(*PARTS_STAFF)
def backorder_list(request):
    return _backorder_page(request, advisor=None, title=_("Backorders"))


@role_required(Role.ADVISOR)
def backorder_mine(request):
    return _backorder_page(request, advisor=request.user, title=_("My customers' parts"))


def _backorder_page(request, *, advisor, title: str):
    rows = selectors.backorders(advisor=advisor)
    filterset = BackorderFilter(request.GET or {"status": "open"}, queryset=rows, request=request)
    page = Paginator(filterset.filtered(), 30).get_page(request.GET.get("page"))
    context = {
        "form": filterset.form,
        "page": page,
        "title": title,
        "today": timezone.localdate(),
        "mine": advisor is not None,
    }
    return render(request, "parts/_backorder_rows.html" if request.htmx else "parts/backorder_list.html", context)


@role_required(*BACKORDER_STAFF)
def backorder_create(request):
    form = BackorderForm(request.POST or None, initial={"customer": request.GET.get("customer")})
    if request.method == "POST" and form.is_valid():
        backorder = _attempt(
            request,
            form,
            lambda: services.create_backorder(by=request.user, at=timezone.now(), **form.cleaned_data),
            _("Backorder placed."),
        )
        if backorder:
            return redirect("backorder_detail", pk=backorder.pk)
    return render(request, "parts/backorder_form.html", {"form": form, "customer": chosen_customer(form)})


@role_required(*BACKORDER_STAFF)
def backorder_detail(request, pk: int):
    backorder = _backorder_for(request, pk)
    context = {
        "backorder": backorder,
        "date_form": ExpectedDateForm(initial={"expected_on": backorder.expected_on, "version": backorder.version}),
        "cancel_form": CancelForm(initial={"version": backorder.version}),
        "is_clerk": has_role(request.user, *PARTS_STAFF),
        "today": timezone.localdate(),
    }
    return render(request, "parts/backorder_detail.html", context)


def _backorder_for(request, pk: int) -> Backorder:
    try:
        return selectors.get_backorder_for(request.user, pk)
    except Backorder.DoesNotExist as missing:
        raise Http404 from missing


def _backorder_step(request, pk: int, step, done: str):
    backorder = _backorder_for(request, pk)
    return act(request, lambda: step(backorder), done=done, to=reverse("backorder_detail", args=[pk]))


def _version(request) -> int | None:
    """The version of the backorder the page showed, posted with its buttons."""
    form = VersionForm(request.POST)
    return form.cleaned_data["version"] if form.is_valid() else None


@role_required(*PARTS_STAFF)
@require_POST
def backorder_arrived(request, pk: int):
    return _backorder_step(
        request,
        pk,
        lambda backorder: services.mark_arrived(
            by=request.user, backorder=backorder, at=timezone.now(), version=_version(request)
        ),
        _("Marked as arrived; the customer and the advisor are told."),
    )


@role_required(*BACKORDER_STAFF)
@require_POST
def backorder_collected(request, pk: int):
    return _backorder_step(
        request,
        pk,
        lambda backorder: services.mark_collected(
            by=request.user, backorder=backorder, at=timezone.now(), version=_version(request)
        ),
        _("Marked as collected."),
    )


@role_required(*PARTS_STAFF)
@require_POST
def backorder_new_date(request, pk: int):
    form = ExpectedDateForm(request.POST)

    def step(backorder):
        if not form.is_valid():
            raise ValidationError(list(form.errors.get("expected_on", [_("Choose a date.")])))
        services.change_expected_date(by=request.user, backorder=backorder, at=timezone.now(), **form.cleaned_data)

    return _backorder_step(request, pk, step, _("New date saved; the customer is told."))


@role_required(*BACKORDER_STAFF)
@require_POST
def backorder_cancel(request, pk: int):
    form = CancelForm(request.POST)

    def step(backorder):
        if not form.is_valid():
            raise ValidationError(_("Say why the backorder is cancelled."))
        services.cancel_backorder(by=request.user, backorder=backorder, at=timezone.now(), **form.cleaned_data)

    return _backorder_step(request, pk, step, _("Backorder cancelled."))


@role_required(*BACKORDER_STAFF)
def backorder_calls(request):
    """PT02/PT03 rev. 2: customers with a landline only, to phone where others get an SMS."""
    context = {
        "calls": selectors.calls_to_make(request.user),
        "made": selectors.calls_made(request.user),
    }
    return render(request, "parts/backorder_calls.html", context)


@role_required(*BACKORDER_STAFF)
@require_POST
def backorder_call_made(request, pk: int):
    try:
        call = selectors.get_call_for(request.user, pk)
    except BackorderCall.DoesNotExist as missing:
        raise Http404 from missing
    form = CallMadeForm(request.POST)

    def record():
        if not form.is_valid():
            raise ValidationError(list(form.errors.get("note", [_("Check the note.")])))
        services.record_call(by=request.user, call=call, at=timezone.now(), **form.cleaned_data)

    return act(request, record, done=_("Call recorded."), to=reverse("backorder_calls"))


# --- Counter sales ----------------------------------------------------------------------------------


@role_required(*PARTS_STAFF)
def sale_list(request):
    page = Paginator(selectors.counter_sales(), 30).get_page(request.GET.get("page"))
    return render(request, "parts/sale_list.html", {"page": page})


@role_required(*PARTS_STAFF)
def sale_create(request):
    form = SaleForm(request.POST or None)
    lines = SaleLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        chosen = [(line["part"], line["quantity"]) for line in lines.cleaned_data if line.get("part")]
        sale = _attempt(
            request,
            form,
            lambda: services.sell_over_counter(by=request.user, at=timezone.now(), lines=chosen, **form.cleaned_data),
            _("Sale recorded."),
        )
        if sale:
            return redirect("sale_detail", pk=sale.pk)
    return render(request, "parts/sale_form.html", {"form": form, "lines": lines})


@role_required(*PARTS_STAFF)
def sale_detail(request, pk: int):
    try:
        sale = selectors.counter_sale_detail(pk)
    except CounterSale.DoesNotExist as missing:
        raise Http404 from missing
    return render(request, "parts/sale_detail.html", {"sale": sale})


# --- Gifts ------------------------------------------------------------------------------------------


@role_required(*GIFT_GIVERS)
def gift_list(request):
    month = parse_month(request.GET.get("month"), default=timezone.localdate())
    rows = selectors.gift_cost_by_reason(month)
    for row in rows:
        row["label"] = GiftReason(row["reason"]).label
    context = {
        "gifts": GiftItem.objects.order_by("-is_active", "name", "pk"),
        "month": month,
        "report": rows,
        "report_total": sum(row["cost"] for row in rows),
        "is_clerk": has_role(request.user, *PARTS_STAFF),
    }
    return render(request, "parts/gift_list.html", context)


@role_required(*PARTS_STAFF)
def gift_edit(request, pk: int | None = None):
    gift = get_object_or_404(GiftItem, pk=pk) if pk else GiftItem()
    form = GiftItemForm(request.POST or None, instance=gift)
    if (
        request.method == "POST"
        and form.is_valid()
        and _attempt(
            request, form, lambda: services.save_gift_item(by=request.user, gift=form.instance), _("Gift saved.")
        )
    ):
        return redirect("gift_list")
    return render(request, "parts/gift_form.html", {"form": form, "gift": gift})


@role_required(*GIFT_GIVERS)
def gift_give(request, pk: int):
    gift = get_object_or_404(GiftItem, pk=pk, is_active=True)
    form = GiveGiftForm(request.POST or None, initial={"customer": request.GET.get("customer")})
    if (
        request.method == "POST"
        and form.is_valid()
        and _attempt(
            request,
            form,
            lambda: services.give_gift(by=request.user, gift=gift, at=timezone.now(), **form.cleaned_data),
            _("Gift handed over."),
        )
    ):
        return redirect("gift_list")
    return render(request, "parts/gift_give.html", {"form": form, "gift": gift, "customer": chosen_customer(form)})


@role_required(*PARTS_STAFF)
def gift_restock(request, pk: int):
    gift = get_object_or_404(GiftItem, pk=pk)
    form = RestockForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _attempt(
            request,
            form,
            lambda: services.restock_gifts(by=request.user, gift=gift, at=timezone.now(), **form.cleaned_data),
            _("Gifts booked in."),
        )
    ):
        return redirect("gift_list")
    return render(request, "parts/stock_form.html", {"form": form, "gift": gift, "title": _("Book in gifts")})
