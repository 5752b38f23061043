"""The manager's reports (IN02, IN04, IN05, WS03, CC01, SD03): the award report and the month close,
weekly figures and their Monday text, rework, complaint deadlines, reception timing, the Excel
downloads and the query counts."""

import importlib
import io
import zoneinfo
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from customer_care import reports, services, tasks
from customer_care.models import Breach, LedgerEntry, MonthClose, Rate, Rule
from dealership.models import SmsMessage, Staff
from service_desk import services as desk
from tests.customer_care.visits import praised, settled
from tests.factories import make_customer, make_order, make_user
from workshop.models import Rework

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NINE = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)  # a Thursday
DECEMBER = datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)
NOVEMBER = date(2026, 11, 1)
MONDAY = datetime(2026, 11, 30, 8, 30, tzinfo=SHANGHAI)  # the Monday after NINE


@pytest.fixture(autouse=True)
def weekly_template(db):
    """The weekly-figures text template its migration creates (transactional tests empty the table)."""
    migration = importlib.import_module("customer_care.migrations.0011_weekly_figures_sms_template")
    migration.create(apps, schema_editor=None)


@pytest.fixture
def people(db):
    return {
        "advisor": make_user("advisor", name="王芳"),
        "other": make_user("advisor", name="李磊"),
        "agent": make_user("callcentre", name="林雪"),
        "manager": make_user("manager", name="宋建国"),
    }


@pytest.fixture
def manager_client(client, people):
    client.force_login(people["manager"])
    return client


def complaint(people, *, at=NINE, assignee=None):
    return services.raise_complaint(
        by=people["agent"],
        customer=make_customer(),
        assignee=assignee or people["advisor"],
        channel="hotline",
        category="waiting",
        summary="等待时间太长",
        at=at,
    )


def row_of(report: dict, person) -> dict:
    return next(row for row in report["rows"] if row["staff_id"] == person.pk)


def award_of(report: dict, rule: str) -> dict:
    return next(award for award in report["awards"] if award["rule"] == rule)


def workbook(response) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(response.content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


# --- IN02: the most praised, with at least three ------------------------------------------------------------


def test_in02_two_praises_win_nothing_and_a_third_wins_the_award(people):
    praised(people["other"], agent=people["agent"], rating="good")
    praised(people["other"], agent=people["agent"], at=NINE + timedelta(hours=1), rating="good")

    two = reports.award_report(NOVEMBER, today=DECEMBER.date())
    praised(people["other"], agent=people["agent"], at=NINE + timedelta(hours=2), rating="good")
    three = reports.award_report(NOVEMBER, today=DECEMBER.date())

    assert award_of(two, Rule.PRAISE_AWARD)["staff_id"] is None
    assert (two["top_praise"], two["minimum"]) == (2, 3)
    assert row_of(two, people["other"])["praises"] == 2
    winner = award_of(three, Rule.PRAISE_AWARD)
    assert (winner["name"], winner["count"], winner["amount"]) == ("李磊", 3, Decimal("100.00"))
    assert row_of(three, people["other"])["coming"] == Decimal("100.00")


def test_in02_the_page_says_why_there_is_no_award(manager_client, people):
    praised(people["other"], agent=people["agent"], rating="good")
    praised(people["other"], agent=people["agent"], at=NINE + timedelta(hours=1), rating="good")

    with time_machine.travel(DECEMBER):
        manager_client.force_login(people["manager"])  # a session lasts a working day
        page = manager_client.get("/reports/awards/?month=2026-11")

    report = page.context["report"]
    assert award_of(report, Rule.PRAISE_AWARD)["name"] == ""
    assert "bi-trophy-fill" not in page.content.decode()  # no winner's card
    assert "李磊" in page.content.decode()


# --- IN04: most 非常满意, ties to whoever got there first ----------------------------------------------------------


def test_in04_a_tie_goes_to_the_advisor_who_reached_the_top_count_first(manager_client, people):
    # The advisor's orders are made first (lower ids) but rated later in the month.
    settled(people["advisor"], "very_satisfied", at=NINE)
    settled(people["advisor"], "very_satisfied", at=NINE + timedelta(days=1))
    settled(people["other"], "very_satisfied", at=NINE - timedelta(days=5))
    settled(people["other"], "very_satisfied", at=NINE - timedelta(days=4))

    with time_machine.travel(DECEMBER):
        manager_client.force_login(people["manager"])  # a session lasts a working day
        page = manager_client.get("/reports/awards/?month=2026-11")

    report = page.context["report"]
    winner = award_of(report, Rule.PROCESS_AWARD)
    assert (winner["name"], winner["count"], winner["amount"]) == ("李磊", 2, Decimal("200.00"))
    assert row_of(report, people["advisor"])["very_satisfied"] == row_of(report, people["other"])["very_satisfied"] == 2
    assert report["tie_rule"] in page.content.decode()  # the rule is stated on the report


# --- The month close ------------------------------------------------------------------------------------------


def test_in02_in04_closing_a_finished_month_posts_once_and_closing_again_posts_nothing(manager_client, people):
    settled(people["advisor"], "very_satisfied")
    for hour in range(3):
        praised(people["other"], agent=people["agent"], at=NINE + timedelta(hours=hour), rating="good")
    with time_machine.travel(DECEMBER):
        manager_client.force_login(people["manager"])  # a session lasts a working day
        preview = manager_client.get("/reports/awards/?month=2026-11").content.decode()

        first = manager_client.post("/reports/awards/close/", {"month": "2026-11"}, follow=True)
        posted = sorted(
            LedgerEntry.objects.filter(rule__in=[Rule.PRAISE_AWARD, Rule.PROCESS_AWARD]).values_list("rule", "amount")
        )
        entries = LedgerEntry.objects.count()
        second = manager_client.post("/reports/awards/close/", {"month": "2026-11"}, follow=True)

    assert 'action="/reports/awards/close/"' in preview
    assert posted == [("IN02", Decimal("100.00")), ("IN04", Decimal("200.00"))]
    assert LedgerEntry.objects.count() == entries
    assert MonthClose.objects.get().closed_by == people["manager"]
    first_page, second_page = first.content.decode(), second.content.decode()
    assert 'action="/reports/awards/close/"' not in first_page  # closed: no button any more
    assert "宋建国" in first_page
    assert [m.level_tag for m in first.context["messages"]] == ["success"]
    said = [(m.level_tag, str(m)) for m in second.context["messages"]]
    assert len(said) == 1 and said[0][0] == "info" and "2026-11" in said[0][1] and "宋建国" in said[0][1]
    assert 'action="/reports/awards/close/"' not in second_page


def test_the_current_month_cannot_be_closed_and_the_page_says_why(manager_client, people):
    settled(people["advisor"], "very_satisfied")

    with time_machine.travel(NINE):
        manager_client.force_login(people["manager"])  # a session lasts a working day
        page = manager_client.get("/reports/awards/?month=2026-11").content.decode()
        refused = manager_client.post("/reports/awards/close/", {"month": "2026-11"}, follow=True)

    assert 'action="/reports/awards/close/"' not in page
    assert MonthClose.objects.count() == 0
    assert [m.level_tag for m in refused.context["messages"]] == ["error"]
    assert refused.redirect_chain[-1][0] == "/reports/awards/?month=2026-11"


def test_only_a_manager_may_close_a_month(client, people):
    with time_machine.travel(DECEMBER):
        client.force_login(people["advisor"])
        refused = client.post("/reports/awards/close/", {"month": "2026-11"})

    assert refused.status_code == 403
    assert MonthClose.objects.count() == 0


# --- IN05: weak points ------------------------------------------------------------------------------------------


def test_in05_each_person_shows_their_weak_points(people):
    technician = make_user("technician", name="赵刚")
    for rating in ("very_satisfied", "average", "poor", "missing"):
        order = settled(people["advisor"], rating, technician=technician)
    Rework.objects.create(
        item=order.items.first(),
        kind="internal",
        reason="异响",
        responsible=technician,
        recorded_by=technician,
        at=NINE,
    )
    late = complaint(people)
    services.respond(by=people["advisor"], complaint=late, text="已联系", at=NINE + timedelta(hours=1))

    report = reports.award_report(NOVEMBER, today=DECEMBER.date())

    advisor = row_of(report, people["advisor"])
    assert (advisor["settled"], advisor["weak_ratings"], advisor["weak_share"]) == (4, 3, Decimal("75.0"))
    assert advisor["breaches"] == Breach.objects.filter(responsible=people["advisor"]).count() >= 1
    assert advisor["rule_amounts"]["IN03"] == Decimal("-11.00")  # 一般 -1, 差 -5, missing -5
    mechanic = row_of(report, technician)
    assert (mechanic["jobs"], mechanic["reworks"], mechanic["rework_rate"]) == (4, 1, Decimal("25.0"))


# --- IN05: weekly figures and the Monday text ------------------------------------------------------------------


def test_in05_weekly_figures_per_advisor(manager_client, people):
    settled(people["advisor"], "very_satisfied")
    settled(people["advisor"], "average")
    settled(people["advisor"], "good", at=NINE - timedelta(days=7))  # the week before
    complaint(people)
    praised(people["other"], agent=people["agent"], rating="good")

    report = reports.weekly_figures(reports.parse_week("2026-W48", default=NINE.date()))
    page = manager_client.get("/reports/weekly/?week=2026-W48")

    mine = next(row for row in report["rows"] if row["staff_id"] == people["advisor"].pk)
    levels = dict(zip([rating.value for rating in report["ratings"]], mine["ratings"], strict=True))
    assert report["monday"] == date(2026, 11, 23)
    assert (mine["orders"], mine["complaints"], levels["very_satisfied"], levels["average"]) == (2, 1, 1, 1)
    assert mine["output"] == sum(
        order.total for order in people["advisor"].repair_orders.filter(settled_at__gte=NINE - timedelta(days=1))
    )
    theirs = next(row for row in report["rows"] if row["staff_id"] == people["other"].pk)
    assert (theirs["orders"], theirs["praises"]) == (1, 1)
    assert page.status_code == 200 and "王芳" in page.content.decode()


def test_in05_a_week_can_be_asked_for_by_any_of_its_days(people):
    assert reports.parse_week("2026-11-26", default=NINE.date()) == date(2026, 11, 23)
    assert reports.parse_week("2026-W53", default=NINE.date()) == date(2026, 12, 28)  # 2026 has 53 weeks
    assert reports.parse_week("2025-W53", default=NINE.date()) == date(2026, 11, 23)
    assert reports.parse_week("nonsense", default=NINE.date()) == date(2026, 11, 23)


def test_in05_monday_text_goes_to_each_advisor_once_per_week(people):
    Staff.objects.filter(user=people["advisor"]).update(mobile="13812345678")
    Staff.objects.filter(user=people["other"]).update(mobile="13912345678")
    idle = make_user("advisor", name="赵敏")
    Staff.objects.filter(user=idle).update(mobile="13712345678")
    settled(people["advisor"], "very_satisfied")
    praised(people["other"], agent=people["agent"], rating="good")

    with time_machine.travel(MONDAY):
        first = tasks.text_weekly_figures()
        again = tasks.text_weekly_figures()

    texts = SmsMessage.objects.filter(kind="weekly_figures").order_by("mobile")
    assert (first, again) == (2, 2)  # the second run writes nothing new: the dedupe key holds
    assert [text.mobile for text in texts] == ["13812345678", "13912345678"]  # nobody idle, nobody twice
    assert texts[0].dedupe_key == f"weekly-figures:2026-11-23:{people['advisor'].pk}"
    assert "王芳" in texts[0].body and "结算1单" in texts[0].body and "非常满意1" in texts[0].body


# --- WS03, CC01, SD03 ---------------------------------------------------------------------------------------------


def test_ws03_rework_rate_per_technician_and_team(manager_client, people):
    technician = make_user("technician", name="赵刚")
    order = settled(people["advisor"], "good", technician=technician)
    settled(people["advisor"], "good", technician=technician)
    Rework.objects.create(
        item=order.items.first(),
        original_item=order.items.first(),
        kind="external",
        reason="漏油",
        responsible=technician,
        recorded_by=technician,
        at=NINE,
    )

    report = reports.rework_report(NOVEMBER)
    page = manager_client.get("/reports/rework/?month=2026-11").content.decode()

    row = next(row for row in report["technicians"] if row["technician"] == technician)
    assert (row["jobs"], row["internal"], row["external"], row["rate"]) == (2, 0, 1, Decimal("50.0"))
    assert "50.0%" in page and "<svg" in page


def test_cc01_deadlines_kept_count_the_deadline_itself_as_on_time(people):
    on_time = complaint(people)
    services.respond(by=people["advisor"], complaint=on_time, text="已联系", at=on_time.respond_by)  # exactly +30:00
    late = complaint(people, assignee=people["other"])
    services.respond(by=people["other"], complaint=late, text="已联系", at=late.respond_by + timedelta(seconds=1))
    forgotten = complaint(people, at=NINE + timedelta(hours=1))  # never answered, no sweep has run

    report = reports.complaint_sla(NOVEMBER, at=NINE + timedelta(hours=3))

    respond = next(row for row in report["stages"] if row["stage"] == "respond")
    assert (respond["due"], respond["on_time"], respond["late"]) == (3, 1, 2)
    by_name = {row["name"]: row for row in report["advisors"]}
    assert by_name["李磊"]["late"] >= 1
    assert forgotten.respond_by < NINE + timedelta(hours=3)


def test_sd03_reception_timing_per_advisor(people):
    arrived = NINE
    on_time = make_order(advisor=people["advisor"], at=arrived)
    desk.record_greeting(by=people["advisor"], order=on_time, at=arrived + timedelta(seconds=4))
    desk.record_in_bay(by=people["advisor"], order=on_time, at=arrived + timedelta(seconds=50))
    slow = make_order(advisor=people["advisor"], at=arrived + timedelta(hours=1))
    desk.record_greeting(by=people["advisor"], order=slow, at=slow.arrived_at + timedelta(seconds=16))
    desk.record_in_bay(by=people["advisor"], order=slow, at=slow.arrived_at + timedelta(seconds=130))

    report = reports.reception_timing(NOVEMBER)

    row = report["advisors"][0]
    assert (row["arrived"], row["greeted_in_time"], row["in_bay_in_time"]) == (2, 1, 1)
    assert (row["greet_s"], row["bay_s"]) == (Decimal("10.0"), Decimal("90.0"))
    assert row["greeted_share"] == Decimal("50.0")


# --- Excel: the same numbers as the page ---------------------------------------------------------------------------


def test_the_award_workbook_has_the_same_numbers_as_the_page(manager_client, people):
    settled(people["advisor"], "very_satisfied")
    settled(people["advisor"], "poor")
    for hour in range(3):
        praised(people["other"], agent=people["agent"], at=NINE + timedelta(hours=hour), rating="good")

    with time_machine.travel(DECEMBER):
        manager_client.force_login(people["manager"])  # a session lasts a working day
        page = manager_client.get("/reports/awards/?month=2026-11")
        download = manager_client.get("/reports/awards/?month=2026-11&format=xlsx")

    report = page.context["report"]
    sheets = workbook(download)
    ranking, prizes = list(sheets.values())
    rows = ranking[1:]
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="awards-2026-11.xlsx"' in download["Content-Disposition"]
    assert len(rows) == len(report["rows"])
    total = 4 + len(Rule.values) + 1  # rank, person, praises, very satisfied, each rule, at close, total
    for line, row in zip(rows, report["rows"], strict=True):
        assert (line[0], line[1], line[2], line[3]) == (row["rank"], row["name"], row["praises"], row["very_satisfied"])
        assert Decimal(str(line[total])) == row["total"]
        assert f"{row['total']:,.2f}" in page.content.decode()
    assert [(line[1], line[2], Decimal(str(line[3]))) for line in prizes[1:3]] == [
        (award["name"], award["count"], award["amount"]) for award in report["awards"]
    ]


@pytest.mark.parametrize(
    ("path", "key", "sheet"),
    [
        ("/reports/weekly/?week=2026-W48", "rows", 0),
        ("/reports/rework/?month=2026-11", "technicians", 0),
        ("/reports/complaints/?month=2026-11", "advisors", 1),
        ("/reports/reception/?month=2026-11", "advisors", 0),
    ],
)
def test_every_report_downloads_with_the_rows_of_its_page(manager_client, people, path, key, sheet):
    technician = make_user("technician", name="赵刚")
    settled(people["advisor"], "very_satisfied", technician=technician)
    complaint(people)

    with time_machine.travel(NINE + timedelta(hours=4)):
        manager_client.force_login(people["manager"])  # a session lasts a working day
        page = manager_client.get(path)
        download = manager_client.get(f"{path}&format=xlsx")

    rows = page.context["report"][key]
    table = list(workbook(download).values())[sheet]
    assert rows
    assert [line[0] for line in table[1 : len(rows) + 1]] == [row["name"] for row in rows]


# --- Charts --------------------------------------------------------------------------------------------------------


def test_bars_grow_both_ways_from_zero():
    chart = reports.bars(
        [("王芳", Decimal("300"), "¥300.00"), ("李磊", Decimal("-100"), "-¥100.00"), ("赵敏", None, "—")]
    )

    gain, loss, none = chart["bars"]
    assert chart["has_negative"] and gain.x == chart["zero"] == loss.x + loss.width
    assert gain.width == pytest.approx(3 * loss.width)
    assert none.width == 0 and [bar.y for bar in chart["bars"]] == [0, 30, 60]


# --- Fixed query counts ---------------------------------------------------------------------------------------------


def _grow(people, rows: int) -> None:
    """`rows` more people with rated orders, praise, rework and a late complaint each."""
    for index in range(rows):
        advisor = make_user("advisor")
        technician = make_user("technician")
        order = settled(advisor, ["very_satisfied", "average", "missing"][index % 3], technician=technician)
        Rework.objects.create(
            item=order.items.first(),
            kind="internal",
            reason="异响",
            responsible=technician,
            recorded_by=technician,
            at=NINE,
        )
        praised(advisor, agent=people["agent"], at=NINE - timedelta(days=1), rating="good")
        late = complaint(people, assignee=advisor)
        services.respond(by=advisor, complaint=late, text="已联系", at=NINE + timedelta(hours=2))
        reception = make_order(advisor=advisor, at=NINE)
        desk.record_greeting(by=advisor, order=reception, at=NINE + timedelta(seconds=3))


PAGES = [
    "/reports/awards/?month=2026-11",
    "/reports/awards/?month=2026-11&format=xlsx",
    "/reports/weekly/?week=2026-W48",
    "/reports/weekly/?week=2026-W48&format=xlsx",
    "/reports/rework/?month=2026-11",
    "/reports/complaints/?month=2026-11",
    "/reports/reception/?month=2026-11",
]
# Session, user and roles (3); the month's close, praise, ratings, entries, breaches, faults and the
# IN02 minimum (7); the workshop's month (5); the close's own preview: its rates (5), both awards'
# counts and winners (4), the commission's ratings and output (2); the people and their roles (2).
AWARD_BUDGET = 28


def _counts(client) -> dict[str, int]:
    counts = {}
    for path in PAGES:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        counts[path] = len(queries)
    return counts


def test_in05_the_award_report_and_every_page_cost_the_same_queries_at_n_and_2n_rows(
    manager_client, people, django_assert_max_num_queries
):
    for key in ("output", "csi"):  # commission rates, so the preview counts the commission too
        Rate.objects.create(
            rule=Rule.COMMISSION, key=key, amount=Decimal("1.00"), effective_from=NOVEMBER, created_at=NINE
        )
    for hour in range(3):  # a praise winner, so the preview looks for who got there first
        praised(people["other"], agent=people["agent"], at=NINE + timedelta(hours=hour), rating="good")
    _grow(people, 3)
    with time_machine.travel(DECEMBER):
        manager_client.force_login(people["manager"])  # a session lasts a working day
        at_n = _counts(manager_client)
        _grow(people, 3)
        at_2n = _counts(manager_client)

        with django_assert_max_num_queries(AWARD_BUDGET):
            manager_client.get("/reports/awards/?month=2026-11")

    assert at_2n == at_n
    assert len(reports.award_report(NOVEMBER, today=DECEMBER.date())["rows"]) >= 12
