"""API.md, the ledger: `/ledger-entries/` (IN01, IN03 and IN07 entries, reversals) and
`/reports/awards/` (IN02, IN04 with the tie rule). Everyone reads their own entries, managers all;
only managers post, reverse and read the award report."""

import threading
import zoneinfo
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext_lazy
from rest_framework.test import APIClient

from customer_care import awards, receivers, services
from customer_care.models import FollowUp, LedgerEntry, Rule
from service_desk import services as desk
from service_desk.signals import order_settled
from tests.conftest import require_service
from tests.factories import make_order, make_user, pass_all_items

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime(2026, 11, 20, 12, 0, tzinfo=SHANGHAI)  # November is open; October is over
OCTOBER = datetime(2026, 10, 1, 9, 0, tzinfo=SHANGHAI)


def zh(message) -> str:
    """A message as the API says it by default (Chinese, once the catalogue has it)."""
    with translation.override("zh-hans"):
        return str(message)


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def people(db):
    return {
        "manager": make_user("manager", name="宋建国"),
        "advisor": make_user("advisor", name="王芳"),
        "other_advisor": make_user("advisor", name="李磊"),
        "agent": make_user("callcentre", name="林雪"),
    }


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False):
        yield TODAY


def settled(advisor, *, rating: str, at: datetime):
    order = pass_all_items(make_order(advisor=advisor, confirmed=True, at=at), at=at)
    return desk.settle(by=advisor, order=order, rating=rating, at=at + timedelta(minutes=30))


def praised(order, *, agent, people: list, at: datetime):
    """The car leaves and the follow-up call praises `people` by name (IN01 pays each)."""
    desk.deliver(by=order.advisor, order=order, at=at - timedelta(hours=20))
    follow_up = FollowUp.objects.get(repair_order=order)
    return services.record_follow_up(
        by=agent, follow_up=follow_up, reached=True, satisfaction="very_satisfied", praised=people, at=at
    )


def manual(people, staff, amount="50.00", **fields):
    return services.post_manual(
        by=people["manager"],
        staff=staff,
        amount=amount,
        reason=fields.pop("reason", "协助道路救援"),
        occurred_on=fields.pop("occurred_on", TODAY.date()),
        at=fields.pop("at", TODAY),
    )


# --- Entries: reading -----------------------------------------------------------------------------------


def test_in01_in03_the_rating_and_the_praise_post_entries_the_advisor_reads_in_the_api(people, today):
    advisor = people["advisor"]
    order = settled(advisor, rating="poor", at=TODAY - timedelta(days=3))
    praised(order, agent=people["agent"], people=[advisor], at=TODAY - timedelta(days=1))

    response = api_as(advisor).get("/api/v1/ledger-entries/", {"month": "2026-11"})

    assert response.status_code == 200
    rows = {row["rule"]: row for row in response.json()["results"]}
    assert set(rows) == {"IN01", "IN03"}
    assert (rows["IN03"]["amount"], rows["IN03"]["source"]) == ("-5.00", f"order:{order.pk}")
    assert rows["IN01"]["amount"] == "20.00" and rows["IN01"]["source"].startswith("praise:")
    assert rows["IN03"]["staff"] == advisor.pk and rows["IN03"]["month"] == "2026-11"
    assert rows["IN03"]["posted_by"] is None and rows["IN03"]["reversed_by"] is None
    assert set(rows["IN03"]) == {
        "id",
        "staff",
        "amount",
        "rule",
        "reason",
        "occurred_on",
        "month",
        "reverses",
        "reversed_by",
        "source",
        "posted_by",
        "posted_at",
    }


def test_in_an_advisor_sees_only_their_own_entries_another_persons_is_403_by_filter_and_404_by_id(people, today):
    mine = manual(people, people["advisor"])
    theirs = manual(people, people["other_advisor"], amount="-30.00")
    advisor = api_as(people["advisor"])

    listed = advisor.get("/api/v1/ledger-entries/")
    own_filter = advisor.get("/api/v1/ledger-entries/", {"staff": people["advisor"].pk})
    other_filter = advisor.get("/api/v1/ledger-entries/", {"staff": people["other_advisor"].pk})
    own_entry = advisor.get(f"/api/v1/ledger-entries/{mine.pk}/")
    other_entry = advisor.get(f"/api/v1/ledger-entries/{theirs.pk}/")
    manager_filter = api_as(people["manager"]).get("/api/v1/ledger-entries/", {"staff": people["other_advisor"].pk})

    assert [row["id"] for row in listed.json()["results"]] == [mine.pk]
    assert [row["id"] for row in own_filter.json()["results"]] == [mine.pk]
    assert other_filter.status_code == 403
    assert other_filter.json()["detail"] == zh(gettext_lazy("You can only see your own bonuses and penalties."))
    assert own_entry.status_code == 200 and own_entry.json()["amount"] == "50.00"
    assert other_entry.status_code == 404
    assert [row["id"] for row in manager_filter.json()["results"]] == [theirs.pk]


def test_in_every_role_reads_its_own_ledger_and_someone_without_a_role_nothing(people, today):
    technician = make_user("technician")
    entry = manual(people, technician, amount="-10.00")

    own = api_as(technician).get("/api/v1/ledger-entries/")
    no_role = api_as(make_user()).get("/api/v1/ledger-entries/")
    anonymous = APIClient().get("/api/v1/ledger-entries/")

    assert [row["id"] for row in own.json()["results"]] == [entry.pk]
    assert no_role.status_code == 403
    assert anonymous.status_code == 401


def test_in_the_list_filters_by_month_and_rule_and_refuses_what_it_does_not_know(people, today):
    october = manual(people, people["advisor"], occurred_on=date(2026, 10, 15), reason="十月补记")
    november = manual(people, people["advisor"], amount="-20.00")
    manager = api_as(people["manager"])

    by_month = manager.get("/api/v1/ledger-entries/", {"month": "2026-10"})
    by_rule = manager.get("/api/v1/ledger-entries/", {"rule": "IN07", "staff": people["advisor"].pk})
    other_rule = manager.get("/api/v1/ledger-entries/", {"rule": "IN03"})
    bad_month = manager.get("/api/v1/ledger-entries/", {"month": "2026-13"})
    bad_rule = manager.get("/api/v1/ledger-entries/", {"rule": "IN99"})
    unknown = manager.get("/api/v1/ledger-entries/", {"person": people["advisor"].pk})

    assert [row["id"] for row in by_month.json()["results"]] == [october.pk]
    assert [row["id"] for row in by_rule.json()["results"]] == [november.pk, october.pk]  # latest month first
    assert other_rule.json()["results"] == []
    assert (bad_month.status_code, bad_rule.status_code, unknown.status_code) == (400, 400, 400)
    assert "person" in unknown.json()


# --- Entries: posting and reversing (IN07) -----------------------------------------------------------------


def test_in07_a_manager_posts_a_manual_entry_with_its_reason_and_the_person_reads_it(people, today):
    response = api_as(people["manager"]).post(
        "/api/v1/ledger-entries/",
        {
            "staff": people["advisor"].pk,
            "amount": "88.50",
            "reason": "主动发现客户车辆隐患",
            "occurred_on": "2026-11-19",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["rule"], body["amount"], body["reason"]) == ("IN07", "88.50", "主动发现客户车辆隐患")
    assert (body["staff"], body["posted_by"], body["month"], body["source"]) == (
        people["advisor"].pk,
        people["manager"].pk,
        "2026-11",
        "",
    )
    read = api_as(people["advisor"]).get("/api/v1/ledger-entries/").json()["results"]
    assert [row["id"] for row in read] == [body["id"]]


@pytest.mark.parametrize(
    ("amount", "reason", "field"),
    [
        ("0", "凑数", "amount"),
        ("0.00", "凑数", "amount"),
        ("100000.01", "手滑多打了零", "amount"),
        ("-250000", "手滑多打了零", "amount"),
        ("1e12", "科学计数法", "amount"),
        ("十块", "不是数字", "amount"),
        ("12.345", "三位小数", "amount"),
        ("50", "", "reason"),
        ("50", "   ", "reason"),
    ],
)
def test_in07_a_zero_or_implausible_amount_or_no_reason_is_400_and_posts_nothing(people, today, amount, reason, field):
    response = api_as(people["manager"]).post(
        "/api/v1/ledger-entries/", {"staff": people["advisor"].pk, "amount": amount, "reason": reason}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert not LedgerEntry.objects.exists()


def test_in07_an_entry_for_a_future_day_or_an_unknown_person_is_400(people, today):
    manager = api_as(people["manager"])

    future = manager.post(
        "/api/v1/ledger-entries/",
        {"staff": people["advisor"].pk, "amount": "10", "reason": "预支", "occurred_on": "2026-11-21"},
        format="json",
    )
    nobody = manager.post("/api/v1/ledger-entries/", {"staff": 999_999, "amount": "10", "reason": "x"}, format="json")

    assert future.status_code == 400 and "occurred_on" in future.json()
    assert nobody.status_code == 400 and "staff" in nobody.json()
    assert not LedgerEntry.objects.exists()


def test_in07_an_entry_into_a_closed_month_is_409_and_posts_nothing(people, today):
    services.close_month(by=people["manager"], month=date(2026, 10, 1), at=TODAY)
    before = LedgerEntry.objects.count()

    response = api_as(people["manager"]).post(
        "/api/v1/ledger-entries/",
        {"staff": people["advisor"].pk, "amount": "30", "reason": "十月漏记", "occurred_on": "2026-10-20"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["detail"] == zh(services.MonthClosed.message)
    assert LedgerEntry.objects.count() == before


def test_in07_only_a_manager_posts_or_reverses_an_entry(people, today):
    entry = manual(people, people["advisor"])
    body = {"staff": people["advisor"].pk, "amount": "50", "reason": "自己给自己加分"}

    by_advisor = api_as(people["advisor"]).post("/api/v1/ledger-entries/", body, format="json")
    by_agent = api_as(people["agent"]).post("/api/v1/ledger-entries/", body, format="json")
    reversed_by_advisor = api_as(people["advisor"]).post(
        f"/api/v1/ledger-entries/{entry.pk}/reverse/", {"reason": "不想要"}, format="json"
    )

    assert (by_advisor.status_code, by_agent.status_code, reversed_by_advisor.status_code) == (403, 403, 403)
    assert list(LedgerEntry.objects.values_list("pk", flat=True)) == [entry.pk]


def test_in07_a_reversal_is_posted_once_and_a_second_reversal_or_a_reversal_of_it_is_409(people, today):
    entry = manual(people, people["advisor"], amount="-50.00", reason="未按话术接听")
    manager = api_as(people["manager"])

    reversal = manager.post(f"/api/v1/ledger-entries/{entry.pk}/reverse/", {"reason": "录音核实无误"}, format="json")
    again = manager.post(f"/api/v1/ledger-entries/{entry.pk}/reverse/", {"reason": "再冲一次"}, format="json")
    of_reversal = manager.post(
        f"/api/v1/ledger-entries/{reversal.json()['id']}/reverse/", {"reason": "冲回冲销"}, format="json"
    )
    original = manager.get(f"/api/v1/ledger-entries/{entry.pk}/").json()

    assert reversal.status_code == 201
    body = reversal.json()
    assert (body["amount"], body["rule"], body["reverses"], body["staff"]) == (
        "50.00",
        "IN07",
        entry.pk,
        people["advisor"].pk,
    )
    assert "录音核实无误" in body["reason"]
    assert original["reversed_by"] == body["id"]
    assert again.status_code == 409 and again.json()["detail"] == zh(
        gettext_lazy("This entry has already been reversed.")
    )
    assert of_reversal.status_code == 409
    assert LedgerEntry.objects.count() == 2


def test_in07_a_reversal_needs_a_reason_and_another_persons_entry_is_not_found_for_a_non_manager(people, today):
    entry = manual(people, people["advisor"])

    no_reason = api_as(people["manager"]).post(f"/api/v1/ledger-entries/{entry.pk}/reverse/", {"reason": " "})
    missing = api_as(people["manager"]).post("/api/v1/ledger-entries/999999/reverse/", {"reason": "x"})

    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    assert missing.status_code == 404
    assert LedgerEntry.objects.count() == 1


def test_in_an_entry_is_never_changed_or_deleted_through_the_api(people, today):
    entry = manual(people, people["advisor"])
    manager = api_as(people["manager"])
    path = f"/api/v1/ledger-entries/{entry.pk}/"

    put = manager.put(path, {"amount": "500", "reason": "改大点"}, format="json")
    patch = manager.patch(path, {"amount": "500"}, format="json")
    delete = manager.delete(path)

    assert (put.status_code, patch.status_code, delete.status_code) == (405, 405, 405)
    assert LedgerEntry.objects.get().amount == entry.amount


# --- The award report (IN02, IN04) ---------------------------------------------------------------------------


@pytest.fixture
def tied_october(people):
    """October with ties for both awards: 王芳 and 李磊 are each praised three times and each have two
    非常满意 ratings (and one 差). 王芳's third praise comes first (day 8, 李磊's day 9); 李磊's second
    非常满意 comes first (day 3, 王芳's day 5)."""
    wang, li, agent = people["advisor"], people["other_advisor"], people["agent"]
    for advisor, settle_days, praise_days in ((wang, (1, 5, 6), (2, 7, 8)), (li, (2, 3, 4), (3, 4, 9))):
        for index, (settle_day, praise_day) in enumerate(zip(settle_days, praise_days, strict=True)):
            order = settled(
                advisor, rating="very_satisfied" if index < 2 else "poor", at=OCTOBER + timedelta(days=settle_day)
            )
            praised(order, agent=agent, people=[advisor], at=OCTOBER + timedelta(days=praise_day))
    return wang, li


def test_in02_in04_the_award_report_of_an_open_month_states_its_tie_rule_and_its_winners(people, tied_october, today):
    wang, li = tied_october

    response = api_as(people["manager"]).get("/api/v1/reports/awards/", {"month": "2026-10"})

    assert response.status_code == 200
    report = response.json()
    assert set(report) == {"month", "closed", "tie_rule", "praise_award", "process_award", "totals"}
    assert (report["month"], report["closed"]) == ("2026-10", False)
    assert report["tie_rule"] == zh(awards.TIE_RULE)
    assert report["praise_award"] == {"staff": wang.pk, "name": "王芳", "count": 3, "amount": "100.00"}
    assert report["process_award"] == {"staff": li.pk, "name": "李磊", "count": 2, "amount": "200.00"}
    by_person = {row["staff"]: row for row in report["totals"]}
    # Three praises (+60) and one 差 (-5) posted; the award closing would post is in the total, as on the page.
    assert (by_person[wang.pk]["total"], by_person[wang.pk]["to_be_posted"]) == ("155.00", "100.00")
    assert (by_person[wang.pk]["IN01"], by_person[wang.pk]["IN03"], by_person[wang.pk]["IN02"]) == (
        "60.00",
        "-5.00",
        "0.00",
    )
    assert by_person[li.pk]["name"] == "李磊"


def test_in02_in04_a_closed_month_reports_the_awards_it_posted(people, tied_october, today):
    wang, li = tied_october
    services.close_month(by=people["manager"], month=date(2026, 10, 1), at=TODAY)

    report = api_as(people["manager"]).get("/api/v1/reports/awards/", {"month": "2026-10"}).json()

    assert report["closed"] is True
    assert report["praise_award"] == {"staff": wang.pk, "name": "王芳", "count": 3, "amount": "100.00"}
    assert report["process_award"] == {"staff": li.pk, "name": "李磊", "count": 2, "amount": "200.00"}
    paid = [(row["staff"], row["total"], row["to_be_posted"]) for row in report["totals"] if row["total"] != "0.00"]
    assert paid == [(li.pk, "255.00", "0.00"), (wang.pk, "155.00", "0.00")]


def test_in02_a_month_without_enough_praise_or_ratings_has_no_awards(people, today):
    order = settled(people["advisor"], rating="good", at=OCTOBER)
    praised(order, agent=people["agent"], people=[people["advisor"]], at=OCTOBER + timedelta(days=1))

    report = api_as(people["manager"]).get("/api/v1/reports/awards/", {"month": "2026-10"}).json()

    assert (report["praise_award"], report["process_award"]) == (None, None)
    paid = [(row["staff"], row["IN01"]) for row in report["totals"] if row["total"] != "0.00"]
    assert paid == [(people["advisor"].pk, "20.00")]


def test_in_the_award_report_is_for_managers_and_needs_a_month(people, today):
    manager = api_as(people["manager"])

    advisor = api_as(people["advisor"]).get("/api/v1/reports/awards/", {"month": "2026-10"})
    no_month = manager.get("/api/v1/reports/awards/")
    bad_month = manager.get("/api/v1/reports/awards/", {"month": "2026-1"})
    unknown = manager.get("/api/v1/reports/awards/", {"month": "2026-10", "staff": 1})

    assert advisor.status_code == 403
    assert (no_month.status_code, bad_month.status_code, unknown.status_code) == (400, 400, 400)
    assert "month" in no_month.json() and "staff" in unknown.json()


def test_in_the_award_report_and_the_list_cost_the_same_queries_with_twice_the_rows(people, today):
    manager = api_as(people["manager"])

    def add_month(rows: int) -> None:
        for index in range(rows):
            advisor = people["advisor"] if index % 2 else people["other_advisor"]
            order = settled(
                advisor, rating="very_satisfied" if index % 3 else "poor", at=OCTOBER + timedelta(hours=index)
            )
            praised(order, agent=people["agent"], people=[advisor], at=OCTOBER + timedelta(days=1, hours=index))
            manual(people, make_user("technician"), occurred_on=date(2026, 10, 20))

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert manager.get(path).status_code == 200
        return len(queries)

    add_month(6)  # someone already qualifies for each award: the tie query runs at both sizes
    small = [count("/api/v1/reports/awards/?month=2026-10"), count("/api/v1/ledger-entries/?month=2026-10")]
    add_month(6)
    large = [count("/api/v1/reports/awards/?month=2026-10"), count("/api/v1/ledger-entries/?month=2026-10")]

    assert small == large


# --- Concurrency ---------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_in03_fifty_concurrent_replays_of_one_settled_order_post_one_entry():
    require_service(connection.vendor == "postgresql", "PostgreSQL (fifty replays racing on one source)")
    advisor = make_user("advisor")
    # Settled while nothing listened (as under an older version), so the replays race for a source
    # that has no entry yet, as the nightly reconcile and a re-sent signal would.
    order_settled.disconnect(dispatch_uid="customer_care.after_settlement")
    try:
        order = settled(advisor, rating="poor", at=TODAY)
    finally:
        order_settled.connect(receivers.after_settlement, dispatch_uid="customer_care.after_settlement")
    assert not LedgerEntry.objects.exists()
    order = type(order).objects.select_related("advisor").get(pk=order.pk)
    barrier = threading.Barrier(50)
    posted, failures = [], []

    def replay():
        try:
            barrier.wait(timeout=30)
            posted.append(services.post_rating(order=order, at=TODAY + timedelta(hours=1)).pk)
        except Exception as error:  # any failure of a replay is reported by the assertion below
            failures.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=replay) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    entries = LedgerEntry.objects.filter(rule=Rule.RATING, source=f"order:{order.pk}")
    assert failures == []
    assert entries.count() == 1
    assert len(posted) == 50 and set(posted) == {entries.get().pk}
    assert entries.get().amount == -5


@pytest.mark.django_db(transaction=True)
def test_an_entry_posted_while_its_month_closes_counts_in_the_next_month():
    require_service(connection.vendor == "postgresql", "PostgreSQL (a posting racing a month close)")
    advisor, manager = make_user("advisor"), make_user("manager")
    order_settled.disconnect(dispatch_uid="customer_care.after_settlement")
    try:  # settled on 30 October, its entry still to be posted (by a replay or the reconcile)
        order = settled(advisor, rating="poor", at=OCTOBER + timedelta(days=29))
    finally:
        order_settled.connect(receivers.after_settlement, dispatch_uid="customer_care.after_settlement")
    order = type(order).objects.select_related("advisor").get(pk=order.pk)
    closing, release = threading.Event(), threading.Event()
    posted = []

    def close():
        try:
            with transaction.atomic():
                services.close_month(by=manager, month=date(2026, 10, 1), at=TODAY)
                closing.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def post():
        try:
            with transaction.atomic():
                posted.append(services.post_rating(order=order, at=TODAY))
        finally:
            connection.close()

    closer = threading.Thread(target=close)
    closer.start()
    assert closing.wait(timeout=30)
    poster = threading.Thread(target=post)
    poster.start()
    waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
    for _ in range(3000):  # until the posting waits for the close (never a fixed sleep)
        with connection.cursor() as cursor:
            cursor.execute(waiting)
            if cursor.fetchone()[0]:
                break
        poster.join(timeout=0.01)
    release.set()
    closer.join()
    poster.join()

    assert posted[0].month == date(2026, 11, 1)  # not into October, closed and published meanwhile
