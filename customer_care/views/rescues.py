"""The rescue board (CC03): rescues under way with their promised arrival counting down, and their steps."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customer_care import selectors, services
from customer_care.forms import CancelRescueForm, DispatchForm, RescueArrivedForm, RescueForm, add_refusal
from customer_care.models import Rescue
from customer_care.selectors import CARE
from dealership.actions import act
from dealership.forms import posted_action
from dealership.permissions import role_required
from dealership.views.directory import chosen_customer


@role_required(*CARE)
def rescue_board(request):
    """CC03: rescues under way with their promised arrival counting down; a new request from the line."""
    form = RescueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rescue = services.request_rescue(by=request.user, at=timezone.now(), **form.cleaned_data)
        except ValidationError as refused:
            add_refusal(form, refused)
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


def _on_rescue(request, pk: int, form_class, service, done: str):
    rescue = get_object_or_404(Rescue, pk=pk)
    action = posted_action(request, form_class, service, "rescue")
    return act(request, lambda: action(rescue), done=done, to=reverse("rescue_board"))


@role_required(*CARE)
@require_POST
def rescue_dispatch(request, pk: int):
    return _on_rescue(request, pk, DispatchForm, services.dispatch_crew, _("Crew on the way."))


@role_required(*CARE)
@require_POST
def rescue_arrive(request, pk: int):
    return _on_rescue(request, pk, RescueArrivedForm, services.rescue_arrived, _("Arrival recorded."))


@role_required(*CARE)
@require_POST
def rescue_cancel(request, pk: int):
    return _on_rescue(request, pk, CancelRescueForm, services.cancel_rescue, _("Rescue called off."))
