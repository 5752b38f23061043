"""IN01-IN09: the append-only ledger, its rates, its postings from their sources, and the month close."""

import zoneinfo
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from customer_care import awards, services
from customer_care.models import ComplaintStatus, LedgerEntry, MonthClose, Praise, Rate, Rule
from customer_care.services import ledger
from dealership.errors import DomainError, NotPermitted
from service_desk import services as desk
from tests.conftest import require_service
from tests.customer_care.visits import praised, settled
from tests.factories import make_customer, make_user

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NINE = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)
DECEMBER = datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def people(db):
    return {
        "advisor": make_user("advisor", name="王芳"),
        "other": make_user("advisor", name="李磊"),
        "agent": make_user("callcentre", name="林雪"),
        "manager": make_user("manager", name="宋建国"),
    }


def manual(people, staff, amount, reason):
    """A manager's bonus or penalty (IN07) for today's morning."""
    return services.post_manual(
        by=people["manager"], staff=staff, amount=amount, reason=reason, occurred_on=NINE.date(), at=NINE
    )


def entries(person, rule=None):
    rows = LedgerEntry.objects.filter(staff=person)
    if rule:
        rows = rows.filter(rule=rule)
    return sorted(rows.values_list("amount", flat=True))


# --- IN03 checkout rating -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rating", "amounts"),
    [
        ("average", [Decimal("-1.00")]),
        ("poor", [Decimal("-5.00")]),
        ("missing", [Decimal("-5.00")]),
        ("refused", []),  # the customer's own choice costs the advisor nothing (rev. 2)
        ("good", []),
    ],
)
def test_in03_the_rating_costs_the_advisor_when_the_order_is_settled(people, rating, amounts):
    order = settled(people["advisor"], rating)

    assert entries(people["advisor"], Rule.RATING) == amounts
    if amounts:
        entry = LedgerEntry.objects.get(staff=people["advisor"])
        assert (entry.source, entry.occurred_on, entry.month) == (f"order:{order.pk}", NINE.date(), date(2026, 11, 1))


def test_in03_posting_the_same_order_again_pays_once(people):
    order = settled(people["advisor"], "poor")

    again = services.post_rating(order=order, at=NINE + timedelta(days=1))

    assert entries(people["advisor"]) == [Decimal("-5.00")]
    assert again == LedgerEntry.objects.get()


# --- IN01 praise ----------------------------------------------------------------------------------------


def test_in01_each_praise_pays_the_praised_person_twenty(people):
    praised(people["other"], agent=people["agent"])

    assert entries(people["other"], Rule.PRAISE) == [Decimal("20.00")]


# --- Append-only ----------------------------------------------------------------------------------------


def test_an_entry_is_never_updated_or_deleted_in_code(people):
    entry = manual(people, people["advisor"], "50", "帮客户找回钥匙")

    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("500"))
    with pytest.raises(TypeError):
        LedgerEntry.objects.all().delete()


def test_the_database_refuses_an_update_or_delete_of_an_entry(people):
    require_service(connection.vendor == "postgresql", "PostgreSQL (the ledger's append-only trigger)")
    entry = manual(people, people["advisor"], "50", "帮客户找回钥匙")
    table = LedgerEntry._meta.db_table

    update = f"UPDATE {table} SET amount = 500 WHERE id = %s"  # noqa: S608 (the model's own table name)
    delete = f"DELETE FROM {table} WHERE id = %s"  # noqa: S608
    for statement in (update, delete):
        with pytest.raises(DatabaseError, match="never updated or deleted"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [entry.pk])

    entry.refresh_from_db()
    assert entry.amount == Decimal("50.00")


# --- IN07 manual entries and reversals ------------------------------------------------------------------


@pytest.mark.parametrize(("amount", "reason"), [("0", "多写了"), ("1000000", "多写了"), ("abc", "多写了"), ("50", " ")])
def test_in07_a_zero_absurd_or_unexplained_entry_is_refused(people, amount, reason):
    with pytest.raises(ValidationError):
        manual(people, people["advisor"], amount, reason)

    assert LedgerEntry.objects.count() == 0


def test_in07_only_a_manager_posts_or_reverses(people):
    with pytest.raises(NotPermitted):
        services.post_manual(
            by=people["agent"], staff=people["advisor"], amount="50", reason="好", occurred_on=NINE.date(), at=NINE
        )
    assert LedgerEntry.objects.count() == 0


def test_in07_a_mistake_is_reversed_once_and_a_reversal_is_never_reversed(people):
    entry = manual(people, people["advisor"], "-30", "迟到")

    reversal = services.reverse(by=people["manager"], entry=entry, reason="记错了人", at=NINE + timedelta(hours=1))
    with pytest.raises(DomainError):
        services.reverse(by=people["manager"], entry=entry, reason="再冲一次", at=NINE + timedelta(hours=2))
    with pytest.raises(DomainError):
        services.reverse(by=people["manager"], entry=reversal, reason="冲销的冲销", at=NINE + timedelta(hours=2))

    assert (reversal.amount, reversal.reverses, reversal.rule) == (Decimal("30.00"), entry, Rule.MANUAL)
    assert sum(entries(people["advisor"])) == 0


# --- Rates as data --------------------------------------------------------------------------------------


def test_a_new_rate_applies_from_its_date_and_never_rewrites_the_past(people):
    settled(people["advisor"], "average", at=NINE)
    services.set_rate(
        by=people["manager"],
        rule=Rule.RATING,
        key="average",
        amount="-2",
        effective_from=date(2026, 11, 27),
        at=NINE,
    )
    settled(people["advisor"], "average", at=NINE + timedelta(days=1))

    with pytest.raises(ValidationError):  # backdated
        services.set_rate(
            by=people["manager"],
            rule=Rule.RATING,
            key="average",
            amount="-3",
            effective_from=date(2026, 11, 1),
            at=NINE,
        )
    with pytest.raises(ValidationError):  # the same rule, case and day twice
        services.set_rate(
            by=people["manager"],
            rule=Rule.RATING,
            key="average",
            amount="-4",
            effective_from=date(2026, 11, 27),
            at=NINE,
        )
    assert entries(people["advisor"]) == [Decimal("-2.00"), Decimal("-1.00")]


# --- IN06 phone-script violation ------------------------------------------------------------------------


def test_in06_a_violation_costs_half_the_days_output_once_the_day_is_over(people):
    order = settled(people["advisor"], "good")
    violation = desk.record_script_violation(
        by=people["manager"],
        advisor=people["advisor"],
        day=NINE.date(),
        note="没有自报姓名",
        at=NINE + timedelta(hours=5),
    )
    same_day = entries(people["advisor"], Rule.SCRIPT)

    counts = services.reconcile(at=NINE + timedelta(days=1))
    again = services.reconcile(at=NINE + timedelta(days=1, hours=1))

    assert same_day == []  # the day's output can still grow
    assert entries(people["advisor"], Rule.SCRIPT) == [-(order.total / 2).quantize(Decimal("0.01"))]
    assert LedgerEntry.objects.get(rule=Rule.SCRIPT).source == f"script:{violation.pk}"
    assert (counts["script_violations"], again["script_violations"]) == (1, 0)


# --- IN09 complaint at fault ----------------------------------------------------------------------------


def test_in09_a_closed_complaint_at_fault_penalises_each_responsible_person(people):
    complaint = services.raise_complaint(
        by=people["agent"],
        customer=make_customer(),
        channel="hotline",
        category="attitude",
        summary="接待态度差",
        assignee=people["advisor"],
        at=NINE,
    )
    faults = [(people["advisor"], "没有解释费用", "100"), (people["other"], "没有接电话", "50")]
    with pytest.raises(DomainError):  # still open
        services.record_fault(by=people["manager"], complaint=complaint, responsible=faults, at=NINE)
    for step in (services.respond, services.organise, services.close):
        complaint = step(by=people["advisor"], complaint=complaint, text="已处理", at=NINE + timedelta(minutes=10))

    services.record_fault(by=people["manager"], complaint=complaint, responsible=faults, at=NINE + timedelta(hours=1))
    with pytest.raises(ValidationError):  # the same person twice
        services.record_fault(by=people["manager"], complaint=complaint, responsible=faults[:1], at=NINE)

    assert complaint.status == ComplaintStatus.CLOSED
    assert entries(people["advisor"], Rule.FAULT) == [Decimal("-100.00")]
    assert entries(people["other"], Rule.FAULT) == [Decimal("-50.00")]


# --- IN02, IN04 month close -----------------------------------------------------------------------------


def test_in02_two_praises_win_nothing_three_win_the_award(people):
    for day in range(2):
        praised(people["advisor"], agent=people["agent"], at=NINE - timedelta(days=10 - day))
    two = awards.praise_award(date(2026, 11, 1), amount=Decimal("100"), minimum=3)
    praised(people["advisor"], agent=people["agent"], at=NINE - timedelta(days=5))

    three = awards.praise_award(date(2026, 11, 1), amount=Decimal("100"), minimum=3)

    assert two is None
    assert (three.staff_id, three.count, three.amount) == (people["advisor"].pk, 3, Decimal("100.00"))


def test_in04_a_tie_goes_to_whoever_reached_the_count_first(people):
    settled(people["advisor"], "very_satisfied", at=NINE - timedelta(days=3))
    settled(people["other"], "very_satisfied", at=NINE - timedelta(days=2))
    settled(people["other"], "very_satisfied", at=NINE - timedelta(days=1))
    settled(people["advisor"], "very_satisfied", at=NINE)  # 王芳's second comes after 李磊's second

    award = awards.process_award(date(2026, 11, 1), amount=Decimal("200"))

    assert people["other"].pk > people["advisor"].pk  # not won by the older account
    assert (award.staff_id, award.count) == (people["other"].pk, 2)


def test_closing_a_month_posts_its_awards_once_and_locks_it(people):
    settled(people["advisor"], "very_satisfied", at=NINE)

    with pytest.raises(ValidationError):  # November is not over yet
        services.close_month(by=people["manager"], month=date(2026, 11, 1), at=NINE)
    services.close_month(by=people["manager"], month=date(2026, 11, 1), at=DECEMBER)
    services.close_month(by=people["manager"], month=date(2026, 11, 1), at=DECEMBER + timedelta(hours=1))
    late = services.post_rating(order=settled(people["other"], "poor", at=NINE), at=DECEMBER)
    with pytest.raises(ledger.MonthClosed):
        services.post_manual(
            by=people["manager"],
            staff=people["advisor"],
            amount="10",
            reason="补发",
            occurred_on=NINE.date(),
            at=DECEMBER,
        )

    award = LedgerEntry.objects.get(rule=Rule.PROCESS_AWARD)
    assert (award.staff, award.amount, award.month) == (people["advisor"], Decimal("200.00"), date(2026, 11, 1))
    assert MonthClose.objects.count() == 1
    assert (late.occurred_on, late.month) == (NINE.date(), date(2026, 12, 1))  # counts in the open month


def test_only_a_manager_closes_a_month(people):
    with pytest.raises(NotPermitted):
        services.close_month(by=people["advisor"], month=date(2026, 11, 1), at=DECEMBER)


# --- Reconcile ------------------------------------------------------------------------------------------


def test_the_nightly_reconcile_posts_what_is_missing_and_nothing_twice(people):
    with pytest.MonkeyPatch.context() as patch:  # as if an older version had recorded these without entries
        patch.setattr(services, "post_rating", lambda **kwargs: None)
        patch.setattr(ledger, "post_praise", lambda **kwargs: None)
        praised(people["other"], agent=people["agent"])
        poor = settled(people["advisor"], "poor")
    before = LedgerEntry.objects.count()

    first = services.reconcile(at=NINE + timedelta(days=2))
    second = services.reconcile(at=NINE + timedelta(days=2))

    assert before == 0
    assert (first["ratings"], first["praises"]) == (1, 1)
    assert (second["ratings"], second["praises"]) == (0, 0)
    assert LedgerEntry.objects.get(rule=Rule.RATING).source == f"order:{poor.pk}"
    assert entries(people["other"], Rule.PRAISE) == [Decimal("20.00")]
    assert Praise.objects.count() == 1


@pytest.mark.parametrize(
    ("rule", "key", "amount"),
    [
        (Rule.RATING, "poor", "5"),  # would pay the advisor for a poor rating
        (Rule.PRAISE, "", "-20"),  # would fine the praised person
        (Rule.PRAISE_AWARD, "minimum", "2.5"),  # half a praise
        (Rule.COMMISSION, "output", "150"),  # more than the output
        (Rule.RATING, "great", "-1"),  # no such case
    ],
)
def test_a_rate_with_the_wrong_sign_or_an_unknown_case_is_refused(people, rule, key, amount):
    with pytest.raises(ValidationError):
        services.set_rate(
            by=people["manager"], rule=rule, key=key, amount=amount, effective_from=date(2026, 11, 27), at=NINE
        )

    assert not Rate.objects.filter(effective_from=date(2026, 11, 27)).exists()


def test_in07_a_reversal_counts_in_the_entrys_month_while_it_is_open_else_the_next(people):
    october = datetime(2026, 10, 30, 9, 0, tzinfo=SHANGHAI)
    early = services.post_manual(
        by=people["manager"],
        staff=people["advisor"],
        amount="-30",
        reason="迟到",
        occurred_on=october.date(),
        at=october,
    )
    late = services.post_manual(
        by=people["manager"], staff=people["other"], amount="-30", reason="迟到", occurred_on=october.date(), at=october
    )

    open_october = services.reverse(by=people["manager"], entry=early, reason="记错了人", at=NINE)
    services.close_month(by=people["manager"], month=date(2026, 10, 1), at=NINE)
    closed_october = services.reverse(by=people["manager"], entry=late, reason="记错了人", at=NINE)

    assert open_october.month == date(2026, 10, 1)  # October's published total is already corrected
    assert closed_october.month == date(2026, 11, 1)


def test_in02_a_praise_whose_bonus_was_reversed_does_not_count_for_the_award(people):
    calls = [praised(people["advisor"], agent=people["agent"], at=NINE - timedelta(days=day)) for day in (9, 8, 7)]
    wrong = LedgerEntry.objects.get(rule=Rule.PRAISE, source=f"praise:{calls[0].praises.get().pk}")

    services.reverse(by=people["manager"], entry=wrong, reason="客户表扬的是另一位技师", at=NINE)

    assert awards.praise_counts(date(2026, 11, 1)) == {people["advisor"].pk: 2}
    assert awards.praise_award(date(2026, 11, 1), amount=Decimal("100"), minimum=3) is None
