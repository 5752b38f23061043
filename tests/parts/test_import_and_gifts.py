"""Price-list import (all rows or none) and PT06 gift stock."""

import io
import zoneinfo
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from dealership.errors import DomainError
from parts import importing, selectors, services
from parts.models import GiftItem, GiftReason, Part
from tests.factories import make_customer, make_part, make_user

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
GOOD_CSV = (
    "配件编号,名称,零售价,批发价,位置件,库存\n"
    "06H 115 562,机油滤清器,68.00,55.00,否,20\n"
    "5Q0413031,前减震器（左）,450,380,是,2\n"
)


@pytest.fixture
def clerk(db):
    return make_user("parts")


def test_good_csv_creates_parts_with_opening_stock(clerk):
    report = importing.import_parts(by=clerk, rows=importing.read_rows("prices.csv", GOOD_CSV.encode()), save=True)

    assert (report.created, report.updated, report.errors, report.saved) == (2, 0, [], True)
    shock = Part.objects.get(part_number="5Q0413031")
    assert (shock.is_positional, shock.stock_on_hand, shock.retail_price) == (True, 2, Decimal("450.00"))


def test_a_csv_saved_by_chinese_excel_in_gb18030_reads_the_same(clerk):
    rows = importing.read_rows("prices.csv", GOOD_CSV.encode("gb18030"))

    assert rows[0]["name"] == "机油滤清器"


def test_known_part_numbers_are_updated_not_duplicated(clerk):
    make_part(part_number="06H115562", name="机滤", retail_price=Decimal("60"), stock=7)

    report = importing.import_parts(by=clerk, rows=importing.read_rows("p.csv", GOOD_CSV.encode()), save=True)

    oil = Part.objects.get(part_number="06H115562")
    assert (report.created, report.updated) == (1, 1)
    assert (oil.name, oil.retail_price, oil.stock_on_hand) == ("机油滤清器", Decimal("68.00"), 7)


def test_one_bad_row_saves_nothing_and_the_report_names_each_bad_row(clerk):
    csv = GOOD_CSV + "1K0129620D,空气滤清器,-5,60\n,无编号,10,8\n06H115562,重复,1,1\n"

    report = importing.import_parts(by=clerk, rows=importing.read_rows("p.csv", csv.encode()), save=True)

    assert not report.saved
    assert [row for row, _problem in report.errors] == [4, 5, 6]
    assert not Part.objects.exists()


def test_check_only_saves_nothing(clerk):
    report = importing.import_parts(by=clerk, rows=importing.read_rows("p.csv", GOOD_CSV.encode()), save=False)

    assert report.ok and report.created == 2 and not report.saved
    assert not Part.objects.exists()


def test_excel_file_imports_like_csv(clerk):
    book = Workbook()
    sheet = book.active
    sheet.append(["part_number", "name", "retail_price", "wholesale_price"])
    sheet.append(["1K0129620D", "空气滤清器", 80, 60.5])
    content = io.BytesIO()
    book.save(content)

    report = importing.import_parts(by=clerk, rows=importing.read_rows("p.xlsx", content.getvalue()), save=True)

    assert report.created == 1
    assert Part.objects.get().wholesale_price == Decimal("60.50")


def test_a_file_without_the_price_columns_is_refused(clerk):
    with pytest.raises(importing.UnreadableFile, match="retail_price"):
        importing.read_rows("p.csv", "配件编号,名称\nX,Y\n".encode())


def test_import_page_shows_the_report(client_as):
    client = client_as("parts")
    bad = SimpleUploadedFile("p.csv", (GOOD_CSV + "X1,坏行,abc,1\n").encode(), content_type="text/csv")

    page = client.post("/parts/import/", {"file": bad, "check_only": ""}).content.decode()

    assert "未保存任何数据" in page and "abc" in page
    assert not Part.objects.exists()


# --- Gifts (PT06) -------------------------------------------------------------------------------------


@pytest.mark.parametrize("cost", [Decimal("0.49"), Decimal("100.01")])
def test_pt06_gift_cost_must_be_between_half_a_yuan_and_a_hundred(clerk, cost):
    with pytest.raises(ValidationError):
        services.save_gift_item(by=clerk, gift=GiftItem(name="钥匙扣", unit_cost=cost))


def test_pt06_gifts_are_given_with_a_reason_and_counted_per_month(clerk):
    fragrance = services.save_gift_item(by=clerk, gift=GiftItem(name="车载香薰", unit_cost=Decimal("12.50")))
    services.restock_gifts(by=clerk, gift=fragrance, quantity=10, at=datetime(2026, 11, 1, 9, tzinfo=SHANGHAI))
    customer = make_customer()
    services.give_gift(
        by=clerk,
        gift=fragrance,
        customer=customer,
        quantity=2,
        reason=GiftReason.VISIT,
        at=datetime(2026, 11, 30, 23, 30, tzinfo=SHANGHAI),
    )
    services.give_gift(
        by=clerk,
        gift=fragrance,
        customer=customer,
        quantity=1,
        reason=GiftReason.COMPLAINT_RESOLUTION,
        at=datetime(2026, 12, 1, 0, 30, tzinfo=SHANGHAI),
    )

    november = selectors.gift_cost_by_reason(date(2026, 11, 1))
    december = selectors.gift_cost_by_reason(date(2026, 12, 1))

    assert november == [{"reason": "visit", "given": 2, "cost": Decimal("25.00")}]
    assert december == [{"reason": "complaint_resolution", "given": 1, "cost": Decimal("12.50")}]
    fragrance.refresh_from_db()
    assert fragrance.stock_on_hand == 7


def test_pt06_no_gift_is_given_from_an_empty_stock(clerk):
    mats = services.save_gift_item(by=clerk, gift=GiftItem(name="脚垫", unit_cost=Decimal("88")))

    with pytest.raises(DomainError):
        services.give_gift(
            by=clerk,
            gift=mats,
            customer=make_customer(),
            quantity=1,
            reason=GiftReason.VISIT,
            at=datetime(2026, 11, 1, tzinfo=SHANGHAI),
        )


def test_pt06_an_advisor_gives_a_visit_gift_on_the_page(client_as):
    client = client_as("advisor")
    keyring = services.save_gift_item(by=client.user, gift=GiftItem(name="钥匙扣", unit_cost=Decimal("5")))
    services.restock_gifts(by=client.user, gift=keyring, quantity=3, at=datetime(2026, 11, 1, tzinfo=SHANGHAI))
    customer = make_customer()

    client.post(f"/parts/gifts/{keyring.pk}/give/", {"customer": customer.pk, "quantity": "1", "reason": "visit"})

    keyring.refresh_from_db()
    assert keyring.stock_on_hand == 2
    assert keyring.movements.latest("pk").customer == customer
