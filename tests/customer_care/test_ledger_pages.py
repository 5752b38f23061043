"""The ledger's pages: the statement (IN01-IN09), manual entries and reversals (IN07), the rates
(IN01-IN04, IN08), the published ranking (IN02, IN04, IN05 公布上墙) and the complaint at fault (CC09, IN09)."""

import zoneinfo
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from customer_care import services
from customer_care.models import ComplaintFault, LedgerEntry, Rate, Rule
from tests.customer_care.visits import praised, settled
from tests.factories import make_customer, make_user

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NINE = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)
OCTOBER = datetime(2026, 10, 14, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def today():
    """The pages read the clock: it is 26 November 2026, 09:00 in Shanghai."""
    with time_machine.travel(NINE, tick=False):
        yield


@pytest.fixture
def people(db):
    return {
        "advisor": make_user("advisor", name="王芳"),
        "other": make_user("advisor", name="李磊"),
        "agent": make_user("callcentre", name="林雪"),
        "manager": make_user("manager", name="宋建国"),
    }


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def manual(people, person, amount, reason="帮客户找回钥匙", *, on=None):
    return services.post_manual(
        by=people["manager"],
        staff=person,
        amount=amount,
        reason=reason,
        occurred_on=on or NINE.date(),
        at=NINE,
    )


def closed_complaint(people):
    complaint = services.raise_complaint(
        by=people["agent"],
        customer=make_customer(name="张三"),
        assignee=people["advisor"],
        channel="hotline",
        category="repair_quality",
        summary="保养后发动机舱有异响",
        at=NINE - timedelta(hours=3),
    )
    for step in (services.respond, services.organise, services.close):
        complaint = step(by=people["advisor"], complaint=complaint, text="已处理", at=NINE - timedelta(hours=2))
    return complaint


# --- The statement --------------------------------------------------------------------------------------


def test_in01_in03_in07_the_statement_shows_the_months_entries_totals_and_counts(people):
    advisor = people["advisor"]
    praised(advisor, agent=people["agent"], called_after=timedelta(hours=5))  # IN01 +20, and a 非常满意 order
    settled(advisor, "average")  # IN03 -1
    settled(advisor, "poor")  # IN03 -5
    manual(people, advisor, "50")  # IN07 +50
    manual(people, advisor, "-8", "迟到", on=date(2026, 10, 30))  # October: not this month's
    manual(people, people["other"], "30", "别人的奖励")

    page = client_for(advisor).get("/care/ledger/")

    assert page.status_code == 200
    statement = page.context["statement"]
    assert page.context["month"] == date(2026, 11, 1)
    assert sorted(entry.amount for entry in statement["entries"]) == [
        Decimal("-5.00"),
        Decimal("-1.00"),
        Decimal("20.00"),
        Decimal("50.00"),
    ]
    assert statement["total"] == Decimal("64.00")
    assert {row["rule"]: row["amount"] for row in statement["by_rule"]} == {
        Rule.PRAISE: Decimal("20.00"),
        Rule.RATING: Decimal("-6.00"),
        Rule.MANUAL: Decimal("50.00"),
    }
    ratings = {row["rating"]: row["count"] for row in statement["ratings"]}
    assert (ratings["very_satisfied"], ratings["average"], ratings["poor"], ratings["missing"]) == (1, 1, 1, 0)
    assert statement["praises"] == 1
    text = page.content.decode()
    assert "帮客户找回钥匙" in text and "¥64.00" in text
    assert "迟到" not in text and "别人的奖励" not in text


def test_in03_the_statement_of_another_month_is_chosen_by_month(people):
    manual(people, people["advisor"], "-8", "迟到", on=date(2026, 10, 30))

    page = client_for(people["advisor"]).get("/care/ledger/", {"month": "2026-10"})

    assert page.context["statement"]["total"] == Decimal("-8.00")
    assert "迟到" in page.content.decode()


def test_in08_the_statement_previews_the_commission_when_rates_are_set(people):
    advisor = people["advisor"]
    order = settled(advisor, "very_satisfied")
    settled(advisor, "good")
    services.set_rate(
        by=people["manager"], rule=Rule.COMMISSION, key="output", amount="2", effective_from=NINE.date(), at=NINE
    )
    services.set_rate(
        by=people["manager"], rule=Rule.COMMISSION, key="csi", amount="1", effective_from=NINE.date(), at=NINE
    )

    statement = client_for(advisor).get("/care/ledger/").context["statement"]

    output = order.total * 2
    assert statement["output"] == output
    assert statement["csi"] == Decimal(50)  # one of two rated orders 满意 or better
    assert statement["commission"] == (output * 2 / 100 + 50).quantize(Decimal("0.01"))


def test_an_advisor_asking_for_anothers_statement_gets_403_and_sees_nothing_of_it(people):
    manual(people, people["other"], "30", "别人的奖励")
    client = client_for(people["advisor"])

    page = client.get("/care/ledger/", {"staff": people["other"].pk})
    unknown = client.get("/care/ledger/", {"staff": 999999})  # nobody: refused alike, nothing learnt

    assert page.status_code == 403 and unknown.status_code == 403
    assert "别人的奖励" not in page.content.decode()
    assert "¥30.00" not in page.content.decode()
    assert "statement" not in page.context
    assert page.context["reason"]  # says why, and links to their own


def test_a_manager_reads_anyones_statement_and_an_advisor_their_own_by_id(people):
    manual(people, people["other"], "30", "别人的奖励")

    as_manager = client_for(people["manager"]).get("/care/ledger/", {"staff": people["other"].pk})
    own_by_id = client_for(people["other"]).get("/care/ledger/", {"staff": people["other"].pk})
    missing = client_for(people["manager"]).get("/care/ledger/", {"staff": 999999})

    assert as_manager.status_code == 200 and "别人的奖励" in as_manager.content.decode()
    assert own_by_id.status_code == 200 and own_by_id.context["statement"]["total"] == Decimal("30.00")
    assert missing.status_code == 404


# --- IN07 manual entries and reversals ---------------------------------------------------------------------


def post_entry(client, person, **fields):
    data = {
        "staff": person.pk,
        "kind": "bonus",
        "amount": "50",
        "reason": "帮客户找回钥匙",
        "occurred_on": "2026-11-25",
    }
    return client.post("/care/ledger/new/", data | fields)


def test_in07_a_manual_entry_posts_a_signed_amount_and_shows_on_the_statement(people):
    client = client_for(people["manager"])

    done = post_entry(client, people["advisor"], kind="penalty", amount="30", reason="工位卫生不合格")

    entry = LedgerEntry.objects.get()
    assert (entry.amount, entry.rule, entry.posted_by) == (Decimal("-30.00"), Rule.MANUAL, people["manager"])
    assert done.status_code == 302
    assert done["Location"] == f"/care/ledger/?staff={people['advisor'].pk}&month=2026-11"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"amount": "0"}, "amount"),
        ({"amount": "250000"}, "amount"),
        ({"amount": "-50"}, "amount"),
        ({"occurred_on": "2026-10-30"}, "occurred_on"),  # October is closed
        ({"occurred_on": "2026-11-27"}, "occurred_on"),  # tomorrow
    ],
)
def test_in07_a_refused_manual_entry_shows_the_error_by_its_field_and_posts_nothing(people, fields, field):
    services.close_month(by=people["manager"], month=date(2026, 10, 1), at=NINE)
    client = client_for(people["manager"])

    page = post_entry(client, people["advisor"], **fields)

    assert page.status_code == 200
    assert field in page.context["form"].errors
    assert LedgerEntry.objects.filter(rule=Rule.MANUAL).count() == 0


def test_in07_only_a_manager_posts_or_reverses(people):
    entry = manual(people, people["advisor"], "50")
    client = client_for(people["advisor"])

    posted = post_entry(client, people["advisor"])
    reversed_ = client.post(f"/care/ledger/entries/{entry.pk}/reverse/", {"reason": "x"})

    assert (posted.status_code, reversed_.status_code) == (403, 403)
    assert LedgerEntry.objects.count() == 1


def test_in07_a_reversal_posts_the_opposite_and_both_are_marked(people):
    entry = manual(people, people["advisor"], "50")
    client = client_for(people["manager"])

    done = client.post(f"/care/ledger/entries/{entry.pk}/reverse/", {"reason": "记错人了"}, follow=True)

    reversal = LedgerEntry.objects.get(reverses=entry)
    assert reversal.amount == Decimal("-50.00")
    statement = done.context["statement"]
    assert statement["total"] == Decimal("0.00")
    text = done.content.decode()
    assert f"#{entry.pk}" in text and "记错人了" in text
    assert text.count("text-decoration-line-through") == 1  # the reversed entry, struck through
    assert f'action="/care/ledger/entries/{entry.pk}/reverse/"' not in text  # nothing left to reverse
    assert f'action="/care/ledger/entries/{reversal.pk}/reverse/"' not in text


def test_in07_a_reversal_needs_a_reason_and_is_never_itself_reversed(people):
    entry = manual(people, people["advisor"], "50")
    client = client_for(people["manager"])

    no_reason = client.post(f"/care/ledger/entries/{entry.pk}/reverse/", {"reason": ""}, follow=True)
    client.post(f"/care/ledger/entries/{entry.pk}/reverse/", {"reason": "记错人了"}, follow=True)
    reversal = LedgerEntry.objects.get(reverses=entry)
    again = client.post(f"/care/ledger/entries/{reversal.pk}/reverse/", {"reason": "再来"}, follow=True)
    twice = client.post(f"/care/ledger/entries/{entry.pk}/reverse/", {"reason": "再来"}, follow=True)

    assert [message.level_tag for message in no_reason.context["messages"]] == ["error"]
    assert [message.level_tag for message in again.context["messages"]] == ["error"]
    assert [message.level_tag for message in twice.context["messages"]] == ["error"]
    assert LedgerEntry.objects.count() == 2


# --- Rates ---------------------------------------------------------------------------------------------------


def test_in03_a_new_rate_from_a_later_day_is_scheduled_and_the_past_is_refused(people):
    client = client_for(people["manager"])

    scheduled = client.post(
        "/care/ledger/rates/", {"case": "IN03:average", "amount": "-2", "effective_from": "2026-12-01"}
    )
    past = client.post("/care/ledger/rates/", {"case": "IN03:average", "amount": "-3", "effective_from": "2026-11-01"})
    page = client.get("/care/ledger/rates/")

    assert scheduled.status_code == 302
    assert "effective_from" in past.context["form"].errors
    row = next(row for row in page.context["rows"] if (row["rule"], row["key"]) == ("IN03", "average"))
    assert row["in_force"].amount == Decimal("-1.00")
    assert [rate.amount for rate in row["scheduled"]] == [Decimal("-2.00")]
    assert Rate.objects.filter(rule="IN03", key="average").count() == 2


def test_the_rates_page_is_for_managers(people):
    assert client_for(people["advisor"]).get("/care/ledger/rates/").status_code == 403


# --- The notice page (公布上墙) --------------------------------------------------------------------------------


def test_in02_in04_the_notice_page_shows_only_closed_months(people):
    settled(people["advisor"], "very_satisfied", at=OCTOBER)  # October: IN04 to 王芳
    settled(people["other"], "average", at=OCTOBER)
    manual(people, people["other"], "40", "十一月的奖励")  # November stays open
    services.close_month(by=people["manager"], month=date(2026, 10, 1), at=NINE)
    client = client_for(people["agent"])  # every member of staff reads it

    page = client.get("/care/notices/awards/")
    open_month = client.get("/care/notices/awards/", {"month": "2026-11"})

    assert page.status_code == 200
    notice = page.context["notice"]
    assert notice["month"] == date(2026, 10, 1)
    assert [(row["rank"], row["person"], row["total"]) for row in notice["ranking"]] == [
        (1, people["advisor"], Decimal("200.00")),
        (2, people["other"], Decimal("-1.00")),
    ]
    process = next(award for award in notice["awards"] if award["rule"] == Rule.PROCESS_AWARD)
    assert (process["entry"].staff, process["count"]) == (people["advisor"], 1)
    praise = next(award for award in notice["awards"] if award["rule"] == Rule.PRAISE_AWARD)
    assert praise["entry"] is None  # nobody had three praises
    text = page.content.decode()
    assert "王芳" in text and "十一月的奖励" not in text and "¥40.00" not in text
    assert [close.month for close in page.context["published"]] == [date(2026, 10, 1)]
    assert open_month.status_code == 404


def test_the_notice_page_before_any_month_is_closed_says_so(people):
    manual(people, people["other"], "40", "十一月的奖励")

    page = client_for(people["advisor"]).get("/care/notices/awards/")

    assert page.status_code == 200 and page.context["notice"] is None
    assert "¥40.00" not in page.content.decode()


def test_the_notice_ranking_shares_a_rank_on_equal_totals(people):
    for person in (people["advisor"], people["other"]):
        manual(people, person, "10", on=date(2026, 10, 20))
    manual(people, people["agent"], "15", on=date(2026, 10, 20))
    services.close_month(by=people["manager"], month=date(2026, 10, 1), at=NINE)

    ranking = client_for(people["advisor"]).get("/care/notices/awards/").context["notice"]["ranking"]

    assert [row["rank"] for row in ranking] == [1, 2, 2]


# --- CC09 / IN09 the complaint at fault ----------------------------------------------------------------------


def fault_rows(*rows):
    data = {
        "fault-TOTAL_FORMS": "3",
        "fault-INITIAL_FORMS": "0",
        "fault-MIN_NUM_FORMS": "0",
        "fault-MAX_NUM_FORMS": "10",
    }
    for index, (staff, reason, penalty) in enumerate(rows):
        data |= {f"fault-{index}-staff": staff.pk, f"fault-{index}-reason": reason, f"fault-{index}-penalty": penalty}
    return data


def test_cc09_in09_the_fault_form_posts_each_persons_penalty(people):
    complaint = closed_complaint(people)
    client = client_for(people["manager"])
    detail = client.get(f"/care/complaints/{complaint.pk}/")

    done = client.post(
        f"/care/complaints/{complaint.pk}/fault/",
        fault_rows((people["advisor"], "未按约定时间交车", "100"), (people["other"], "接待时态度差", "50")),
        follow=True,
    )

    assert detail.context["fault_formset"] is not None
    assert sorted(LedgerEntry.objects.filter(rule=Rule.FAULT).values_list("staff", "amount")) == sorted(
        [(people["advisor"].pk, Decimal("-100.00")), (people["other"].pk, Decimal("-50.00"))]
    )
    assert [fault.reason for fault in done.context["faults"]] == ["未按约定时间交车", "接待时态度差"]
    assert "未按约定时间交车" in done.content.decode()


def test_cc09_a_fault_row_without_a_reason_posts_nothing(people):
    complaint = closed_complaint(people)

    done = client_for(people["manager"]).post(
        f"/care/complaints/{complaint.pk}/fault/",
        fault_rows((people["advisor"], "未按约定时间交车", "100"), (people["other"], "", "50")),
        follow=True,
    )

    assert [message.level_tag for message in done.context["messages"]] == ["error"]
    assert not ComplaintFault.objects.exists() and not LedgerEntry.objects.filter(rule=Rule.FAULT).exists()


def test_cc09_the_fault_form_is_for_a_manager_and_a_closed_complaint(people):
    complaint = closed_complaint(people)
    open_one = services.raise_complaint(
        by=people["agent"],
        customer=make_customer(),
        assignee=people["advisor"],
        channel="hotline",
        category="other",
        summary="等待时间太长",
        at=NINE,
    )
    manager = client_for(people["manager"])

    agent = client_for(people["agent"]).post(
        f"/care/complaints/{complaint.pk}/fault/", fault_rows((people["advisor"], "x", "10"))
    )
    on_open = manager.post(
        f"/care/complaints/{open_one.pk}/fault/", fault_rows((people["advisor"], "x", "10")), follow=True
    )

    assert agent.status_code == 403
    assert manager.get(f"/care/complaints/{open_one.pk}/").context["fault_formset"] is None
    assert [message.level_tag for message in on_open.context["messages"]] == ["error"]
    assert not ComplaintFault.objects.exists()


# --- Queries that do not grow with the rows --------------------------------------------------------------------


def grow_month(people, *, size: int, day: datetime):
    """`size` entries of each kind for the advisor on `day` (ratings, manual entries and their
    reversals), and as many other people with an entry."""
    advisor = people["advisor"]
    for index in range(size):
        settled(advisor, ("average", "poor", "very_satisfied")[index % 3], at=day)
        entry = services.post_manual(
            by=people["manager"], staff=advisor, amount="10", reason=f"奖励{index}", occurred_on=day.date(), at=day
        )
        services.reverse(by=people["manager"], entry=entry, reason="记错了", at=day + timedelta(hours=1))
        services.post_manual(
            by=people["manager"], staff=make_user("technician"), amount="5", reason="x", occurred_on=day.date(), at=day
        )


def count_queries(client, path, query) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, query)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("as_manager", [False, True])
def test_the_ledger_page_makes_as_many_queries_for_many_entries_as_for_few(
    people, as_manager, django_assert_max_num_queries
):
    client = client_for(people["manager"] if as_manager else people["advisor"])
    query = {"staff": people["advisor"].pk} if as_manager else {}
    grow_month(people, size=2, day=NINE - timedelta(days=1))
    few, small = count_queries(client, "/care/ledger/", query)
    grow_month(people, size=6, day=NINE - timedelta(days=1))

    with django_assert_max_num_queries(14) as queries:
        large = client.get("/care/ledger/", query)

    assert len(large.context["statement"]["entries"]) > 3 * len(small.context["statement"]["entries"])
    assert len(queries) == few


def test_the_notice_page_makes_as_many_queries_for_many_people_as_for_few(people, django_assert_max_num_queries):
    grow_month(people, size=2, day=datetime(2026, 9, 10, 9, 0, tzinfo=SHANGHAI))
    grow_month(people, size=8, day=OCTOBER)
    for month in (date(2026, 9, 1), date(2026, 10, 1)):
        services.close_month(by=people["manager"], month=month, at=NINE)
    client = client_for(people["agent"])
    few, small = count_queries(client, "/care/notices/awards/", {"month": "2026-09"})

    with django_assert_max_num_queries(12) as queries:
        large = client.get("/care/notices/awards/", {"month": "2026-10"})

    assert len(large.context["notice"]["ranking"]) == 9 and len(small.context["notice"]["ranking"]) == 3
    assert len(queries) == few


def test_in09_a_penalty_is_shown_to_managers_and_the_person_who_pays_it_only(people):
    complaint = closed_complaint(people)
    services.record_fault(
        by=people["manager"],
        complaint=complaint,
        responsible=[(people["advisor"], "未按约定时间交车", "100"), (people["other"], "接待时态度差", "73")],
        at=NINE,
    )
    url = f"/care/complaints/{complaint.pk}/"

    manager = client_for(people["manager"]).get(url).content.decode()
    assignee = client_for(people["advisor"]).get(url).content.decode()
    agent = client_for(people["agent"]).get(url).content.decode()

    assert "¥73.00" in manager and "¥100.00" in manager
    assert "¥100.00" in assignee and "¥73.00" not in assignee  # their own, not their colleague's
    assert "¥73.00" not in agent and "¥100.00" not in agent
    assert "接待时态度差" in agent  # who was responsible and why stay on the record
