"""The desk's lists filter by what they declare (and refuse what they do not), and every change records who and when."""

import zoneinfo
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dealership.errors import NotPermitted, StaleObject, TransitionNotAllowed
from service_desk import services
from service_desk.models import CustomerQuestion, ItemStatus, LabourOperation, QuestionStatus
from tests.factories import make_labour_operation, make_order, make_user, make_vehicle

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NINE = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def advisor(db):
    return make_user("advisor", name="王芳")


# --- API lists ---------------------------------------------------------------------------------------------


def test_sd11_labour_operations_filter_by_code_and_refuse_an_unknown_filter(api_as):
    api = api_as("advisor")
    oil = make_labour_operation(code="BY01", name="更换机油机滤")
    make_labour_operation(code="BY02", name="更换空气滤芯")

    by_code = api.get("/api/v1/labour-operations/", {"code": "by01"})
    unknown = api.get("/api/v1/labour-operations/", {"colour": "red"})
    everything = api.get("/api/v1/labour-operations/")

    assert [row["id"] for row in by_code.json()["results"]] == [oil.pk]
    assert unknown.status_code == 400 and "colour" in unknown.json()
    assert everything.json()["count"] == 2


def test_sd01_the_appointment_list_filters_by_day_and_refuses_a_date_that_is_not_one(api_as, advisor):
    api = api_as("callcentre")
    tuesday = services.book_appointment(
        by=advisor, vehicle=make_vehicle(), kind="regular", scheduled_at=NINE + timedelta(days=1), at=NINE
    )
    services.book_appointment(
        by=advisor, vehicle=make_vehicle(), kind="regular", scheduled_at=NINE + timedelta(days=2), at=NINE
    )

    that_day = api.get("/api/v1/appointments/", {"day": "2026-11-27"})
    bad = api.get("/api/v1/appointments/", {"day": "tomorrow"})
    unknown = api.get("/api/v1/appointments/", {"date": "2026-11-27"})

    assert [row["id"] for row in that_day.json()["results"]] == [tuesday.pk]
    assert bad.status_code == 400 and "day" in bad.json()
    assert unknown.status_code == 400 and "date" in unknown.json()


def test_repair_order_list_filters_by_status_and_search(api_as, advisor):
    api = api_as("manager")
    waiting = make_order(advisor=advisor, vehicle=make_vehicle(plate="豫P12345"), at=NINE)
    cancelled = make_order(advisor=advisor, at=NINE)
    services.cancel(by=advisor, order=cancelled, reason="客户改天再来", at=NINE)

    in_the_building = api.get("/api/v1/repair-orders/", {"status": "open"})
    by_plate = api.get("/api/v1/repair-orders/", {"search": "p12345"})
    gone = api.get("/api/v1/repair-orders/", {"status": "cancelled"})
    unknown = api.get("/api/v1/repair-orders/", {"q": "12345"})

    assert [row["id"] for row in in_the_building.json()["results"]] == [waiting.pk]
    assert [row["id"] for row in by_plate.json()["results"]] == [waiting.pk]
    assert [row["id"] for row in gone.json()["results"]] == [cancelled.pk]
    assert unknown.status_code == 400


def test_the_schema_documents_the_list_filters(api_as):
    schema = api_as("advisor").get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    def parameters(path: str) -> set[str]:
        return {parameter["name"] for parameter in schema["paths"][path]["get"].get("parameters", [])}

    assert {"code", "category"} <= parameters("/api/v1/labour-operations/")
    assert "day" in parameters("/api/v1/appointments/")
    assert {"status", "search"} <= parameters("/api/v1/repair-orders/")
    assert "date" in parameters("/api/v1/reports/daily-output/")


# --- Pages -------------------------------------------------------------------------------------------------


def test_the_order_list_page_searches_filters_by_status_and_shows_the_advisors_own(client_as):
    client = client_as("advisor")
    mine = make_order(advisor=client.user, vehicle=make_vehicle(plate="豫P11111"))
    theirs = make_order(advisor=make_user("advisor"), vehicle=make_vehicle(plate="豫P22222"))
    gone = make_order(advisor=client.user, vehicle=make_vehicle(plate="豫P33333"))
    services.cancel(by=client.user, order=gone, reason="客户改天再来", at=NINE)

    default = client.get("/desk/orders/").content.decode()
    own = client.get("/desk/orders/", {"mine": "1"}).content.decode()
    found = client.get("/desk/orders/", {"q": "p22222", "status": ""}).content.decode()
    every = client.get("/desk/orders/", {"status": ""}).content.decode()

    assert mine.number in default and theirs.number in default and gone.number not in default
    assert mine.number in own and theirs.number not in own
    assert theirs.number in found and mine.number not in found
    assert gone.number in every


def test_the_appointment_page_shows_the_day_asked_for_and_today_for_nonsense(client_as, advisor):
    client = client_as("callcentre")
    far_off = datetime(2099, 1, 5, 10, tzinfo=SHANGHAI)
    far = services.book_appointment(by=advisor, vehicle=make_vehicle(), kind="rework", scheduled_at=far_off, at=NINE)

    that_day = client.get("/desk/appointments/", {"day": "2099-01-05"}).content.decode()
    nonsense = client.get("/desk/appointments/", {"day": "someday"})

    assert far.card_number in that_day
    assert nonsense.status_code == 200 and far.card_number not in nonsense.content.decode()


# --- Who and when ------------------------------------------------------------------------------------------


def test_price_changes_through_the_api_with_a_token_name_who_made_them(db):
    manager = make_user("manager")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=manager).key}")

    created = api.post(
        "/api/v1/labour-operations/",
        {"code": "BY09", "name": "更换刹车油", "category": "maintenance", "hours": "0.5", "price": "150.00"},
        format="json",
    )
    changed = api.patch(f"/api/v1/labour-operations/{created.json()['id']}/", {"price": "160.00"}, format="json")

    operation = LabourOperation.objects.get(code="BY09")
    assert (created.status_code, changed.status_code) == (201, 200)
    assert [row.history_user for row in operation.history.order_by("history_id")] == [manager, manager]


def test_price_changes_on_the_page_name_who_made_them(client_as):
    client = client_as("manager")
    operation = make_labour_operation(code="BY10")

    client.post(
        f"/desk/labour/{operation.pk}/",
        {"code": "BY10", "name": "更换机油机滤", "category": "maintenance", "hours": "0.5", "price": "130.00"},
    )

    latest = operation.history.latest("history_id")
    assert (latest.price, latest.history_user) == (Decimal("130.00"), client.user)


def test_every_move_of_an_item_is_an_event_of_its_order_naming_the_item_and_who(advisor):
    foreman = make_user("foreman", name="陈强")
    order = make_order(advisor=advisor, at=NINE, confirmed=True)
    item = order.items.get()

    services.move_item(item=item, to=ItemStatus.ASSIGNED, at=NINE, by=foreman, technician=make_user("technician"))

    moved = order.events.get(note__startswith=str(item))
    started = order.events.latest("pk")
    assert (moved.by, moved.at, moved.note) == (foreman, NINE, f"{item}: 待派工 → 已派工")
    assert (started.from_status, started.to_status, started.by) == ("open", "in_progress", foreman)


def test_ws09_a_question_is_answered_once_and_the_answer_is_an_event_of_the_order(advisor):
    order = make_order(advisor=advisor, at=NINE)
    question = services.ask_customer(
        by=make_user("technician"), item=order.items.get(), question="刹车片要原厂的吗？", at=NINE
    )
    stale_copy = CustomerQuestion.objects.get(pk=question.pk)

    services.answer_question(by=advisor, question=question, answer="要原厂的", at=NINE + timedelta(minutes=5))
    with pytest.raises(TransitionNotAllowed, match="已经答复"):
        services.answer_question(by=advisor, question=question, answer="副厂也行", at=NINE + timedelta(minutes=6))
    with pytest.raises(StaleObject):
        services.answer_question(by=advisor, question=stale_copy, answer="副厂也行", at=NINE + timedelta(minutes=6))

    question.refresh_from_db()
    assert (question.status, question.answer, question.answered_by) == (QuestionStatus.ANSWERED, "要原厂的", advisor)
    assert order.events.filter(by=advisor, note__contains="要原厂的").exists()


def test_sd19_a_stale_claim_form_does_not_overwrite_and_each_step_names_the_specialist(advisor):
    specialist = make_user("advisor", name="理赔专员")
    accident = make_order(advisor=advisor, at=NINE, items=0)
    services.add_item(
        by=advisor, order=accident, at=NINE, category="accident", description="钣喷", labour_price=Decimal("800")
    )
    claim = services.open_claim(
        by=advisor, order=accident, insurer="人保", claim_number="RDAA2027", specialist=specialist, at=NINE
    )
    read = claim.version

    services.update_claim(by=specialist, claim=claim, status="surveyed", note="已定损", at=NINE, version=read)
    with pytest.raises(StaleObject):
        services.update_claim(by=advisor, claim=claim, status="surveyed", note="改一下", at=NINE, version=read)
    services.update_claim(by=specialist, claim=claim, status="surveyed", note="等保险公司", at=NINE + timedelta(days=1))

    claim.refresh_from_db()
    steps = list(claim.history.order_by("history_date", "history_id")[1:])
    assert (claim.status, claim.note) == ("surveyed", "等保险公司")
    assert [(row.status, row.note, row.history_user) for row in steps] == [
        ("surveyed", "已定损", specialist),
        ("surveyed", "等保险公司", specialist),
    ]


def test_sd17_a_decision_done_names_who_did_it(advisor):
    owner = make_user("foreman")
    meeting = services.write_meeting(
        by=advisor,
        day=date(2026, 11, 26),
        problems="缺件",
        attendees="",
        at=NINE,
        decisions=[("核对缺件", owner, None)],
    )

    decision = services.complete_decision(by=owner, decision=meeting.decisions.get(), at=NINE + timedelta(hours=3))

    assert (decision.done_by, decision.done_at) == (owner, NINE + timedelta(hours=3))


def test_sd04_only_a_manager_sets_the_desk_pairs(advisor):
    partner = make_user("advisor")

    with pytest.raises(NotPermitted):
        services.pair_advisors(by=advisor, day=date(2026, 11, 26), first=advisor, second=partner)
    with pytest.raises(ValidationError):
        services.pair_advisors(by=make_user("manager"), day=date(2026, 11, 26), first=advisor, second=advisor)
