"""Price-list import from CSV or Excel: check every row first; save all rows or none.

All or nothing, because a half-imported price list is worse than none: the counter would sell at
a mix of old and new prices. The report names each bad row and why, so the clerk fixes the file
and imports it again.

Columns (Chinese or English headers): 配件编号/part_number, 名称/name, 零售价/retail_price,
批发价/wholesale_price, and optionally 单位/unit, 位置件/positional, 原厂/genuine, 认证/approved, 产地/origin,
库存/stock (stock is booked only for new parts, as an opening balance).
"""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parts import services
from parts.models import Part

HEADERS = {
    "part_number": {"配件编号", "零件号", "编号", "part_number", "part number"},
    "name": {"名称", "配件名称", "name"},
    "retail_price": {"零售价", "retail_price", "retail price", "price"},
    "wholesale_price": {"批发价", "wholesale_price", "wholesale price"},
    "unit": {"单位", "unit"},
    "is_positional": {"位置件", "positional"},
    "is_genuine": {"原厂", "genuine"},
    "is_approved": {"认证", "approved"},
    "origin": {"产地", "供应商", "origin"},
    "stock": {"库存", "期初库存", "stock"},
}
REQUIRED = ("part_number", "name", "retail_price", "wholesale_price")
YES = {"是", "y", "yes", "true", "1", "√"}
MAX_ROWS = 200_000


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number as the clerk sees it, message)
    saved: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class UnreadableFile(ValueError):
    pass


def read_rows(name: str, content: bytes) -> list[dict[str, str]]:
    """Rows as {column: text}, from .xlsx or CSV (UTF-8, UTF-8 with BOM, or GB18030 as Excel saves it)."""
    if name.lower().endswith(".xlsx"):
        table = _xlsx_table(content)
    else:
        table = list(csv.reader(io.StringIO(_decode(content))))
    if not table:
        raise UnreadableFile(_("The file is empty."))
    columns = [_column(header) for header in table[0]]
    missing = [column for column in REQUIRED if column not in columns]
    if missing:
        raise UnreadableFile(_("Missing columns: %(columns)s.") % {"columns": "、".join(missing)})
    if len(table) - 1 > MAX_ROWS:
        raise UnreadableFile(_("At most %(count)d rows per file.") % {"count": MAX_ROWS})
    return [
        {column: str(value).strip() for column, value in zip(columns, row, strict=False) if column} for row in table[1:]
    ]


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(_("The file is neither UTF-8 nor GB18030 text."))


def _xlsx_table(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    except Exception as error:
        raise UnreadableFile(_("This is not an Excel .xlsx file.")) from error
    return [["" if cell is None else cell for cell in row] for row in sheet.iter_rows(values_only=True)]


def _column(header) -> str | None:
    text = str(header or "").strip().lower()
    for column, names in HEADERS.items():
        if text in names:
            return column
    return None


def import_parts(*, by: AbstractBaseUser, rows: list[dict[str, str]], save: bool) -> ImportReport:
    """Check every row; when all are good and `save` is set, create or update the parts in one transaction."""
    report = ImportReport()
    existing = {
        part.part_number: part
        for part in Part.objects.filter(
            part_number__in=[services.normalize_part_number(row.get("part_number", "")) for row in rows]
        )
    }
    seen: set[str] = set()
    plans = []
    for number, row in enumerate(rows, start=2):  # row 1 holds the headers
        try:
            plan = _plan(row, existing, seen)
        except ValidationError as error:
            report.errors.append((number, "；".join(error.messages)))
            continue
        plans.append(plan)
    report.created = sum(1 for part, _stock in plans if part.pk is None)
    report.updated = len(plans) - report.created
    if report.ok and save:
        _apply(plans, by=by)
        report.saved = True
    return report


def _plan(row: dict[str, str], existing: dict[str, Part], seen: set[str]) -> tuple[Part, int]:
    number = services.normalize_part_number(row.get("part_number", ""))
    if not number:
        raise ValidationError(_("The part number is empty."))
    if number in seen:
        raise ValidationError(_("Part number %(number)s appears twice in the file.") % {"number": number})
    seen.add(number)
    part = existing.get(number) or Part(part_number=number)
    part.name = row.get("name", "")
    part.retail_price = _money(row.get("retail_price"), _("retail price"))
    part.wholesale_price = _money(row.get("wholesale_price"), _("wholesale price"))
    for column in ("unit", "origin"):
        if row.get(column):
            setattr(part, column, row[column])
    for column in ("is_positional", "is_genuine", "is_approved"):
        if row.get(column):
            setattr(part, column, row[column].lower() in YES)
    stock = _whole(row.get("stock"), _("stock")) if part.pk is None and row.get("stock") else 0
    part.initials = services.pinyin_initials(part.name)
    # Field checks only: numbers are unique within the file (above) and in the database (update or
    # insert), and the row-by-row database round trips would make a big price list crawl.
    part.full_clean(validate_unique=False, validate_constraints=False)
    return part, stock


def _money(text: str | None, label: str) -> Decimal:
    try:
        value = Decimal((text or "").replace(",", "").replace("¥", "").replace("￥", ""))
    except InvalidOperation as error:
        raise ValidationError(_("%(label)s “%(text)s” is not an amount.") % {"label": label, "text": text}) from error
    if value < 0 or value > Decimal("1000000"):
        raise ValidationError(_("%(label)s %(value)s is out of range.") % {"label": label, "value": value})
    return value.quantize(Decimal("0.01"))


def _whole(text: str, label: str) -> int:
    try:
        value = int(Decimal(text))
    except (InvalidOperation, ValueError) as error:
        raise ValidationError(
            _("%(label)s “%(text)s” is not a whole number.") % {"label": label, "text": text}
        ) from error
    if value < 0:
        raise ValidationError(_("%(label)s cannot be negative.") % {"label": label})
    return value


@transaction.atomic
def _apply(plans: list[tuple[Part, int]], *, by: AbstractBaseUser) -> None:
    at = timezone.now()
    for part, stock in plans:
        part._history_user = by
        part.save()
        if stock:
            services.adjust_stock(
                by=by, part=part, quantity=stock, reason=_("Opening stock from the price list"), at=at
            )
