"""Pages without a login: the price board on the wall (SD11) and the customer's order link (SD09)."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from dealership.actions import REFUSALS, refusal
from service_desk import links, selectors, services
from service_desk.models import RepairItem, RepairOrder


@login_not_required
def price_board(request):
    """SD11: labour and parts prices, large type for a wall screen, always current."""
    response = render(request, "service_desk/price_board.html", selectors.price_board(at=timezone.now()))
    response["Cache-Control"] = "max-age=60"
    return response


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) < 12


@login_not_required
@never_cache
def customer_order(request, token: str):
    """The customer's own view of their order from a texted link: progress, and the items to confirm."""
    found = links.read_token(token)
    if found is None:
        raise Http404
    order_pk, round_, purpose = found
    try:
        order = selectors.order_detail(order_pk)
    except RepairOrder.DoesNotExist as missing:
        raise Http404 from missing
    confirmable = (
        purpose == links.CONFIRM
        and order.is_editable
        and round_ == order.confirmation_round
        and order.items.filter(RepairItem.COUNTED, is_confirmed=False).exists()
    )
    error = ""
    if request.method == "POST" and confirmable:
        declined = {int(pk) for pk in request.POST.getlist("decline") if _is_number(pk)}
        version = request.POST.get("version", "")
        try:
            services.confirm(
                order=order,
                signed_by=request.POST.get("signed_by", ""),
                declined=declined,
                at=timezone.now(),
                # What the customer saw: if the advisor changed the order meanwhile, they see it again.
                version=int(version) if _is_number(version) else -1,
            )
        except REFUSALS as refused:
            error = refusal(refused)
        else:
            return redirect("customer_order", token=token)
    items = [item for item in order.items.all() if item.status != "declined"]
    return render(
        request,
        "service_desk/customer_order.html",
        {
            "order": order,
            "items": items,
            "confirmable": confirmable,
            "error": error,
            "pending": [item for item in items if not item.is_confirmed],
            "declined": [item for item in order.items.all() if item.status == "declined"],
            "thanks": request.method == "GET" and not confirmable and order.confirmed_at is not None,
            "title": _("Your car's work order"),
        },
    )
