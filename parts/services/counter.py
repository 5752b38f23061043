"""Over the counter: parts sold at the retail or wholesale price (PT05) and the gift stock (PT06)."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from dealership.errors import DomainError
from dealership.models import Customer
from dealership.money import to_cny
from dealership.numbering import next_number
from parts.models import CounterSale, CounterSaleLine, GiftItem, GiftMovement, GiftReason, MovementKind, Part, SaleKind
from parts.services.stock import move_stock, positive


@transaction.atomic
def sell_over_counter(
    *,
    by: AbstractBaseUser,
    kind: SaleKind,
    buyer_name: str,
    lines: Iterable[tuple[Part, int]],
    at: datetime,
    customer: Customer | None = None,
) -> CounterSale:
    """Sell parts at the retail or wholesale price (PT05). All lines or none: stock is checked per line."""
    lines = [(part, positive(quantity)) for part, quantity in lines]
    if not lines:
        raise ValidationError(_("A sale needs at least one part."))
    if not buyer_name.strip():
        raise ValidationError({"buyer_name": _("Whose receipt is it?")})
    sale = CounterSale.objects.create(
        number=next_number("CS", at=at),
        kind=kind,
        customer=customer,
        buyer_name=buyer_name.strip(),
        total=Decimal("0"),
        by=by,
        sold_at=at,
    )
    total = Decimal("0")
    # Lock parts in one order, so two sales of the same parts cannot deadlock.
    for part, quantity in sorted(lines, key=lambda line: line[0].pk):
        price = part.wholesale_price if kind == SaleKind.WHOLESALE else part.retail_price
        amount = to_cny(price * quantity)
        move_stock(part=part, quantity=-quantity, kind=MovementKind.COUNTER_SALE, by=by, at=at, reference=sale.number)
        CounterSaleLine.objects.create(sale=sale, part=part, quantity=quantity, unit_price=price, amount=amount)
        total += amount
    sale.total = to_cny(total)
    sale.save(update_fields=["total"])
    return sale


@transaction.atomic
def restock_gifts(*, by: AbstractBaseUser, gift: GiftItem, quantity: int, at: datetime) -> GiftMovement:
    quantity = positive(quantity)
    GiftItem.objects.filter(pk=gift.pk).update(stock_on_hand=F("stock_on_hand") + quantity)
    return GiftMovement.objects.create(
        gift=gift, quantity=quantity, unit_cost=gift.unit_cost, reason=GiftReason.RESTOCK, by=by, at=at
    )


@transaction.atomic
def give_gift(
    *,
    by: AbstractBaseUser,
    gift: GiftItem,
    customer: Customer,
    quantity: int,
    reason: GiftReason,
    at: datetime,
    note: str = "",
) -> GiftMovement:
    """Give a gift to a customer for a reason (PT06). Raises DomainError when none are left."""
    quantity = positive(quantity)
    if reason == GiftReason.RESTOCK:
        raise ValidationError({"reason": _("Choose why the customer gets the gift.")})
    if not GiftItem.objects.filter(pk=gift.pk, stock_on_hand__gte=quantity).update(
        stock_on_hand=F("stock_on_hand") - quantity
    ):
        raise DomainError(_("No %(name)s left in the gift stock.") % {"name": gift.name})
    return GiftMovement.objects.create(
        gift=gift,
        quantity=-quantity,
        unit_cost=gift.unit_cost,
        reason=reason,
        customer=customer,
        note=note.strip(),
        by=by,
        at=at,
    )


@transaction.atomic
def save_gift_item(*, by: AbstractBaseUser, gift: GiftItem) -> GiftItem:
    """Add a gift item or change its name, cost or use. Raises ValidationError (cost outside 0.50-100)."""
    gift.full_clean()
    gift._history_user = by
    gift.save()
    return gift
