"""Every change in the parts department: catalogue, stock, backorders, counter sales, gifts.

Callers import the package (`from parts import services`); each module holds one part of the work.
"""

from parts.services.backorders import (
    advisor_to_tell,
    cancel_backorder,
    change_expected_date,
    create_backorder,
    mark_arrived,
    mark_collected,
    mark_delayed,
    mark_overdue_backorders,
    record_call,
)
from parts.services.catalogue import PART_FIELDS, create_part, normalize_part_number, pinyin_initials, update_part
from parts.services.counter import give_gift, restock_gifts, save_gift_item, sell_over_counter
from parts.services.stock import OutOfStock, adjust_stock, issue_to_work_order, receive_stock, return_stock

__all__ = [
    "PART_FIELDS",
    "OutOfStock",
    "adjust_stock",
    "advisor_to_tell",
    "cancel_backorder",
    "change_expected_date",
    "create_backorder",
    "create_part",
    "give_gift",
    "issue_to_work_order",
    "mark_arrived",
    "mark_collected",
    "mark_delayed",
    "mark_overdue_backorders",
    "normalize_part_number",
    "pinyin_initials",
    "receive_stock",
    "record_call",
    "restock_gifts",
    "return_stock",
    "save_gift_item",
    "sell_over_counter",
    "update_part",
]
