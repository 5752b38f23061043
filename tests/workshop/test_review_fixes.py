"""Issue 11, corrections from the acceptance review: the workshop's part (WS01/SD09, WS02, WS06, 403/409,
version on the job actions, CC01 rev. 2 boundaries)."""

import zoneinfo
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dealership.errors import NotPermitted
from service_desk import services as desk
from service_desk.models import ItemStatus
from tests.factories import make_order, make_user
from workshop import selectors, services
from workshop.models import QC_CHECKS, QcSign

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NINE = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)
EVERY_CHECK = dict.fromkeys(QC_CHECKS, True)


@pytest.fixture
def crew(db):
    return {
        "foreman": make_user("foreman", name="陈强"),
        "technician": make_user("technician", name="赵刚"),
        "inspector": make_user("inspector", name="郭明"),
        "advisor": make_user("advisor", name="王芳"),
    }


def add_item(order, advisor, *, at=NINE, description="加装行车记录仪"):
    return desk.add_item(
        by=advisor, order=order, at=at, category="accessory", description=description, labour_price=Decimal("0")
    )


def waiting_on_board(*, at=NINE) -> set[int]:
    column = next(column for column in selectors.board(at=at)["columns"] if column["status"] == ItemStatus.PENDING)
    return {card.pk for card in column["cards"]}


# --- WS01 / SD09: the board shows exactly the items that may be worked on ------------------------------------


def test_ws01_sd09_an_item_within_the_allowance_after_confirmation_is_on_the_board(crew):
    order = make_order(advisor=crew["advisor"], at=NINE, confirmed=True)
    confirmed = order.items.get()
    added = add_item(order, crew["advisor"], at=NINE + timedelta(minutes=10))

    on_board = waiting_on_board()

    assert desk.may_start(added) and desk.may_start(confirmed)
    assert on_board == {confirmed.pk, added.pk}


def test_ws01_sd09_the_board_and_may_start_agree_past_the_three_item_allowance(crew):
    order = make_order(advisor=crew["advisor"], at=NINE, confirmed=True)
    unconfirmed_order = make_order(advisor=crew["advisor"], at=NINE)
    added = [add_item(order, crew["advisor"], description=f"附加项目{n}") for n in range(4)]  # the fourth: reconfirm
    order.refresh_from_db()
    items = [*order.items.all(), *unconfirmed_order.items.all()]

    on_board = waiting_on_board()

    assert order.needs_confirmation
    assert on_board == {item.pk for item in items if desk.may_start(item)} == {order.items.get(is_confirmed=True).pk}
    assert not any(desk.may_start(item) for item in added)
    desk.confirm(order=order, signed_by="张先生", at=NINE + timedelta(minutes=30))
    assert waiting_on_board() == {item.pk for item in order.items.all()}


# --- WS02: the checklist through the API, and three pairs of eyes ---------------------------------------------


def finished_job(crew, technician=None):
    technician = technician or crew["technician"]
    item = make_order(advisor=crew["advisor"], at=NINE, confirmed=True).items.get()
    services.assign(by=crew["foreman"], item=item, technician=technician, at=NINE)
    services.start(by=technician, item=item, at=NINE + timedelta(minutes=5))
    return services.finish(by=technician, item=item, at=NINE + timedelta(minutes=50))


def sign(item, by, stage, result="pass", **fields):
    fields = {"checklist": EVERY_CHECK} | fields if result == "pass" else fields
    return services.sign_qc(by=by, item=item, stage=stage, result=result, at=NINE + timedelta(hours=1), **fields)


def test_ws02_an_api_pass_lists_every_check_or_is_refused_like_the_page(api_as, crew):
    item = finished_job(crew)
    as_technician = api_as("technician")
    as_technician.force_authenticate(crew["technician"])
    url = f"/api/v1/items/{item.pk}/qc/"

    missing_one = as_technician.post(
        url, {"stage": "self", "result": "pass", "checklist": QC_CHECKS[:-1]}, format="json"
    )
    none_given = as_technician.post(url, {"stage": "self", "result": "pass"}, format="json")
    unknown = as_technician.post(
        url, {"stage": "self", "result": "pass", "checklist": [*QC_CHECKS, "vibes"]}, format="json"
    )
    assert (missing_one.status_code, none_given.status_code, unknown.status_code) == (400, 400, 400)
    assert "checklist" in missing_one.json()
    assert not QcSign.objects.filter(item=item).exists()

    passed = as_technician.post(url, {"stage": "self", "result": "pass", "checklist": QC_CHECKS}, format="json")

    assert passed.status_code == 200
    assert passed.json()["qc"][0]["checklist"] == QC_CHECKS
    assert QcSign.objects.get(item=item).checklist == EVERY_CHECK


def test_ws02_an_api_fail_needs_a_reason_but_no_full_checklist(api_as, crew):
    item = finished_job(crew)
    as_technician = api_as("technician")
    as_technician.force_authenticate(crew["technician"])
    url = f"/api/v1/items/{item.pk}/qc/"

    no_reason = as_technician.post(url, {"stage": "self", "result": "fail", "checklist": QC_CHECKS}, format="json")
    failed = as_technician.post(
        url, {"stage": "self", "result": "fail", "checklist": ["work_done"], "notes": "扭矩不足"}, format="json"
    )

    assert no_reason.status_code == 400 and "notes" in no_reason.json()
    assert failed.status_code == 200 and failed.json()["status"] == "rework"
    assert QcSign.objects.get(item=item).checklist == dict.fromkeys(QC_CHECKS, False) | {"work_done": True}


def test_ws02_the_service_refuses_a_pass_with_a_box_missing_whoever_calls_it(crew):
    item = finished_job(crew)

    with pytest.raises(ValidationError) as refused:
        sign(item, crew["technician"], "self", checklist=EVERY_CHECK | {"road_test": False})

    assert "checklist" in refused.value.message_dict
    assert not QcSign.objects.filter(item=item).exists()


def test_ws02_inspector_cannot_pass_own_job(crew):
    both = make_user("technician", "inspector", name="钱伟")
    item = finished_job(crew, technician=both)
    sign(item, both, "self")

    with pytest.raises(NotPermitted):
        sign(item, both, "general")
    sign(item, crew["inspector"], "general")
    with pytest.raises(NotPermitted):
        sign(item, both, "final")
    with pytest.raises(NotPermitted):  # a fail is a signature too
        sign(item, both, "final", result="fail", notes="异响")

    assert list(QcSign.objects.filter(item=item).values_list("stage", "by")) == [
        ("self", both.pk),
        ("general", crew["inspector"].pk),
    ]


def test_ws02_the_general_checks_inspector_cannot_sign_that_rounds_final_check(crew):
    second_inspector = make_user("inspector", name="冯涛")
    item = finished_job(crew)
    sign(item, crew["technician"], "self")
    sign(item, crew["inspector"], "general")

    with pytest.raises(NotPermitted):
        sign(item, crew["inspector"], "final")
    sign(item, crew["foreman"], "final", result="fail", notes="刹车异响")
    services.start(by=crew["technician"], item=item, at=NINE + timedelta(hours=2))
    services.finish(by=crew["technician"], item=item, at=NINE + timedelta(hours=3))
    sign(item, crew["technician"], "self")
    sign(item, second_inspector, "general")
    sign(item, crew["inspector"], "final")  # a new round: round 1's general inspector is a fresh pair of eyes

    item.refresh_from_db()
    assert item.status == ItemStatus.PASSED
    assert list(QcSign.objects.filter(item=item, cycle=2).values_list("by", flat=True).order_by("pk")) == [
        crew["technician"].pk,
        second_inspector.pk,
        crew["inspector"].pk,
    ]


def test_ws02_the_job_page_offers_the_final_check_to_no_one_who_signed_this_round(client, crew):
    item = finished_job(crew)
    sign(item, crew["technician"], "self")
    sign(item, crew["inspector"], "general")
    qc_form = f"/workshop/jobs/{item.pk}/qc/"

    client.force_login(crew["inspector"])
    general_inspector = client.get(f"/workshop/jobs/{item.pk}/").content.decode()
    client.force_login(crew["foreman"])
    foreman = client.get(f"/workshop/jobs/{item.pk}/").content.decode()

    assert qc_form not in general_inspector and qc_form in foreman


def test_ws02_a_technician_signing_the_general_check_through_the_api_is_403(api_as, crew):
    item = finished_job(crew)
    sign(item, crew["technician"], "self")
    as_technician = api_as("technician")
    as_technician.force_authenticate(crew["technician"])

    refused = as_technician.post(
        f"/api/v1/items/{item.pk}/qc/", {"stage": "general", "result": "pass", "checklist": QC_CHECKS}, format="json"
    )

    assert refused.status_code == 403
    assert list(QcSign.objects.filter(item=item).values_list("stage", flat=True)) == ["self"]


def test_ws02_the_openapi_schema_documents_the_qc_checklist(api_as):
    as_manager = api_as("manager")

    schema = as_manager.get("/api/v1/schema/", {"format": "json"}).json()

    checklist = schema["components"]["schemas"]["QcBody"]["properties"]["checklist"]
    assert checklist["type"] == "array" and "every one" in checklist["description"]
    enum = checklist["items"]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][enum]["enum"] == QC_CHECKS
