"""The customer and vehicle directory."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from dealership import customer_panels, selectors, services
from dealership.errors import StaleObject
from dealership.forms import CustomerForm, VehicleEditForm, VehicleForm
from dealership.models import Customer, Role, Vehicle
from dealership.permissions import has_role, may_see_full_mobile, role_required

DIRECTORY_READ = (Role.ADVISOR, Role.FOREMAN, Role.PARTS, Role.CALLCENTRE, Role.MANAGER)
DIRECTORY_WRITE = (Role.ADVISOR, Role.PARTS, Role.CALLCENTRE, Role.MANAGER)


@role_required(*DIRECTORY_READ)
def customer_list(request):
    query = request.GET.get("q", "")
    rows = selectors.search_customers(query, by_phone=may_see_full_mobile(request.user))
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": query,
        "show_full_mobile": may_see_full_mobile(request.user),
        "may_edit": _may_edit(request),
    }
    template = "dealership/_customer_rows.html" if request.htmx else "dealership/customer_list.html"
    return render(request, template, context)


@role_required(*DIRECTORY_READ)
def customer_detail(request, pk: int):
    try:
        customer = selectors.customer_detail(pk)
    except Customer.DoesNotExist as missing:
        raise Http404 from missing
    return render(
        request,
        "dealership/customer_detail.html",
        {
            "customer": customer,
            "show_full_mobile": may_see_full_mobile(request.user),
            "may_edit": _may_edit(request),
            "panels": customer_panels.for_customer(customer, request.user),
        },
    )


@role_required(*DIRECTORY_WRITE)
def customer_create(request):
    form = CustomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.create_customer(by=request.user, **_fields(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Customer %(name)s added.") % {"name": customer.name})
            return redirect("customer_detail", pk=customer.pk)
    return render(request, "dealership/customer_form.html", {"form": form, "title": _("New customer")})


@role_required(*DIRECTORY_WRITE)
def customer_edit(request, pk: int):
    customer = get_object_or_404(Customer, pk=pk)
    form = CustomerForm(request.POST or None, instance=customer)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_customer(
                by=request.user, customer=customer, version=form.cleaned_data["version"], **_fields(form)
            )
        except ValidationError as error:
            form.add_error(None, error)
        except StaleObject as stale:
            form.add_error(None, str(stale))
        else:
            messages.success(request, _("Customer %(name)s saved.") % {"name": customer.name})
            return redirect("customer_detail", pk=customer.pk)
    return render(
        request,
        "dealership/customer_form.html",
        {"form": form, "title": _("Edit customer"), "customer": customer},
    )


@role_required(*DIRECTORY_WRITE)
def vehicle_create(request, customer_pk: int):
    customer = get_object_or_404(Customer, pk=customer_pk)
    form = VehicleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            vehicle = services.register_vehicle(by=request.user, customer=customer, **_fields(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Vehicle %(vehicle)s registered.") % {"vehicle": vehicle})
            return redirect("customer_detail", pk=customer.pk)
    return render(
        request,
        "dealership/vehicle_form.html",
        {"form": form, "customer": customer, "title": _("Register a vehicle")},
    )


@role_required(*DIRECTORY_WRITE)
def vehicle_edit(request, pk: int):
    vehicle = get_object_or_404(Vehicle.objects.select_related("customer"), pk=pk)
    form = VehicleEditForm(request.POST or None, instance=vehicle)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_vehicle(
                by=request.user, vehicle=vehicle, version=form.cleaned_data["version"], **_fields(form)
            )
        except ValidationError as error:
            form.add_error(None, error)
        except StaleObject as stale:
            form.add_error(None, str(stale))
        else:
            messages.success(request, _("Vehicle %(vehicle)s saved.") % {"vehicle": vehicle})
            return redirect("customer_detail", pk=vehicle.customer_id)
    return render(
        request,
        "dealership/vehicle_form.html",
        {"form": form, "customer": vehicle.customer, "vehicle": vehicle, "title": _("Edit vehicle")},
    )


def _may_edit(request) -> bool:
    return has_role(request.user, *DIRECTORY_WRITE)


def _fields(form) -> dict:
    """The model fields of a ModelForm's cleaned data, without its confirmation boxes."""
    return {name: form.cleaned_data[name] for name in form.Meta.fields}


@role_required(*DIRECTORY_WRITE)
def customer_picker(request):
    """Up to ten customers matching a name, mobile or plate, as choices for a form (htmx fragment).

    Forms include dealership/_customer_field.html, which posts the chosen customer's id as `customer`.
    """
    query = request.GET.get("q", "").strip()
    # One Chinese character (a surname) is a search; one Latin letter or digit is not yet.
    long_enough = len(query) >= 2 or (query and not query.isascii())
    rows = selectors.search_customers(query, by_phone=may_see_full_mobile(request.user))
    customers = list(rows[:10]) if long_enough else []
    return render(request, "dealership/_customer_picker.html", {"customers": customers, "query": query})


def chosen_customer(form) -> Customer | None:
    """The customer a form with dealership/_customer_field.html has chosen so far, to show it again."""
    value = str(form["customer"].value() or "")
    return Customer.objects.filter(pk=int(value)).first() if value.isascii() and value.isdigit() else None
