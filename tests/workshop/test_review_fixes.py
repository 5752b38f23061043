"""Issue 11, corrections from the acceptance review: the workshop's part (WS01/SD09, WS02, WS06, 403/409,
version on the job actions, CC01 rev. 2 boundaries)."""

import zoneinfo
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from dealership.errors import NotPermitted
from dealership.models import Staff, Team
from service_desk import services as desk
from service_desk.models import ItemStatus, Rating
from tests.factories import make_labour_operation, make_order, make_user, make_vehicle, pass_all_items
from workshop import selectors, services
from workshop.models import QC_CHECKS, ClockEntry, QcSign, QcStage, Rework, TechnicalGroupMember, WorkshopPolicy

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NINE = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)
EVERY_CHECK = dict.fromkeys(QC_CHECKS, True)


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


# --- 403 for a role refusal, 409 for a state conflict ----------------------------------------------------------


def test_ws01_a_technician_dispatching_through_the_api_is_403_and_an_unconfirmed_job_409(api_as, crew):
    item = make_order(advisor=crew["advisor"], at=NINE, confirmed=True).items.get()
    unconfirmed = make_order(advisor=crew["advisor"], at=NINE).items.get()
    as_technician, as_foreman = api_as("technician"), api_as("foreman")
    body = {"technician": crew["technician"].pk}

    by_technician = as_technician.post(f"/api/v1/items/{item.pk}/assign/", body, format="json")
    not_confirmed = as_foreman.post(f"/api/v1/items/{unconfirmed.pk}/assign/", body, format="json")

    assert (by_technician.status_code, not_confirmed.status_code) == (403, 409)
    item.refresh_from_db()
    assert item.status == ItemStatus.PENDING


def test_ws01_someone_elses_job_is_403_a_job_not_dispatched_409(api_as, crew):
    item = make_order(advisor=crew["advisor"], at=NINE, confirmed=True).items.get()
    services.assign(by=crew["foreman"], item=item, technician=crew["technician"], at=NINE)
    pending = make_order(advisor=crew["advisor"], at=NINE, confirmed=True).items.get()
    as_other = api_as("technician")
    as_foreman = api_as("foreman")

    someone_elses = as_other.post(f"/api/v1/items/{item.pk}/start/", {}, format="json")
    not_dispatched = as_foreman.post(f"/api/v1/items/{pending.pk}/start/", {}, format="json")

    assert (someone_elses.status_code, not_dispatched.status_code) == (403, 409)


def test_ws04_ws05_only_the_group_works_on_and_approves_escalations(crew):
    member = make_user("technician", name="吴浩")
    TechnicalGroupMember.objects.create(user=member)
    item = make_order(advisor=crew["advisor"], at=NINE, confirmed=True).items.get()
    services.assign(by=crew["foreman"], item=item, technician=crew["technician"], at=NINE)
    escalation = services.escalate(by=crew["technician"], item=item, symptoms="异响", is_major=True, at=NINE)

    with pytest.raises(NotPermitted):
        services.approve(by=crew["inspector"], escalation=escalation, at=NINE)
    with pytest.raises(NotPermitted):
        services.solve(by=crew["technician"], escalation=escalation, result="x", at=NINE)
    services.approve(by=member, escalation=escalation, at=NINE)

    assert list(escalation.approvals.values_list("member", flat=True)) == [member.pk]


def test_ws02_a_refused_signature_shows_on_the_page_as_a_message(client, crew):
    item = finished_job(crew)
    sign(item, crew["technician"], "self")
    client.force_login(crew["technician"])
    form = {"stage": "general", "result": "pass"} | {f"check_{key}": "on" for key in QC_CHECKS}

    page = client.post(f"/workshop/jobs/{item.pk}/qc/", form, follow=True)

    with translation.override(settings.LANGUAGE_CODE):
        refusal = services.signing_refusal(crew["technician"], item, QcStage.GENERAL)
    assert refusal and refusal in page.content.decode()
    assert list(QcSign.objects.filter(item=item).values_list("stage", flat=True)) == ["self"]


# --- version on start, finish and qc ------------------------------------------------------------------------


def test_ws01_start_with_an_older_version_is_409_and_changes_nothing(api_as, crew):
    item = make_order(advisor=crew["advisor"], at=NINE, confirmed=True).items.get()
    seen = item.version
    services.assign(by=crew["foreman"], item=item, technician=crew["technician"], at=NINE)
    item.refresh_from_db()
    as_technician = api_as("technician")
    as_technician.force_authenticate(crew["technician"])

    stale = as_technician.post(f"/api/v1/items/{item.pk}/start/", {"version": seen}, format="json")
    assert stale.status_code == 409
    assert not ClockEntry.objects.filter(item=item).exists()
    item.refresh_from_db()
    assert item.status == ItemStatus.ASSIGNED

    current = as_technician.post(f"/api/v1/items/{item.pk}/start/", {"version": item.version}, format="json")
    assert current.status_code == 200 and current.json()["status"] == "in_progress"


def test_ws01_finish_with_an_older_version_is_409_and_the_clock_runs_on(api_as, crew):
    item = make_order(advisor=crew["advisor"], at=NINE, confirmed=True).items.get()
    services.assign(by=crew["foreman"], item=item, technician=crew["technician"], at=NINE)
    item.refresh_from_db()
    seen = item.version
    services.start(by=crew["technician"], item=item, at=NINE + timedelta(minutes=5))
    as_technician = api_as("technician")
    as_technician.force_authenticate(crew["technician"])

    stale = as_technician.post(f"/api/v1/items/{item.pk}/finish/", {"version": seen}, format="json")

    assert stale.status_code == 409
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_PROGRESS
    assert ClockEntry.objects.filter(item=item, ended_at__isnull=True).exists()


def test_ws02_qc_with_an_older_version_is_409_every_signature_makes_a_new_version(api_as, crew):
    item = finished_job(crew)
    item.refresh_from_db()
    before_self_check = item.version
    as_technician, as_inspector = api_as("technician"), api_as("inspector")
    as_technician.force_authenticate(crew["technician"])
    as_inspector.force_authenticate(crew["inspector"])
    url = f"/api/v1/items/{item.pk}/qc/"
    body = {"result": "pass", "checklist": QC_CHECKS}

    signed = as_technician.post(url, body | {"stage": "self", "version": before_self_check}, format="json")
    stale = as_inspector.post(url, body | {"stage": "general", "version": before_self_check}, format="json")

    assert signed.status_code == 200 and signed.json()["version"] == before_self_check + 1
    assert stale.status_code == 409
    assert list(QcSign.objects.filter(item=item).values_list("stage", flat=True)) == ["self"]
    current = as_inspector.post(url, body | {"stage": "general", "version": before_self_check + 1}, format="json")
    assert current.status_code == 200 and current.json()["next_qc_stage"] == "final"


# --- CC01 rev. 2: at the promised instant the car is on time; late is strictly after ---------------------------


def test_cc01_the_board_marks_a_car_late_only_after_the_promised_instant(client, crew):
    order = make_order(advisor=crew["advisor"], at=NINE, confirmed=True)
    order = desk.make_promise(by=crew["advisor"], order=order, at=NINE)
    client.force_login(crew["foreman"])

    def card_is_late(at):
        card = next(c for column in selectors.board(at=at)["columns"] for c in column["cards"])
        with time_machine.travel(at, tick=False):
            page = client.get("/workshop/board/").content.decode()
        return card.is_late, "border-danger" in page

    assert card_is_late(order.promised_at) == (False, False)
    assert card_is_late(order.promised_at + timedelta(seconds=1)) == (True, True)


# --- WS06: who answers for rework follows the fault's kind ---------------------------------------------------


@pytest.fixture
def paint_lead(crew):
    lead = make_user("foreman", name="孙亮")  # a lead, not on the technicians' roster
    WorkshopPolicy.objects.update_or_create(pk=1, defaults={"paint_lead": lead})
    return lead


def comeback(crew, *, description="右前门喷漆"):
    """A job delivered 20 days ago and the same work on the car again today."""
    operation = make_labour_operation(name=description)
    vehicle = make_vehicle()
    earlier = NINE - timedelta(days=20)
    first = make_order(advisor=crew["advisor"], vehicle=vehicle, at=earlier, items=0)
    desk.add_item(by=crew["advisor"], order=first, at=earlier, category="accident", labour_operation=operation)
    first.refresh_from_db()
    desk.confirm(order=first, signed_by="x", at=earlier)
    pass_all_items(first, at=earlier, technician=crew["technician"])
    desk.settle(by=crew["advisor"], order=first, rating=Rating.GOOD, at=earlier)
    first.refresh_from_db()
    desk.deliver(by=crew["advisor"], order=first, at=earlier + timedelta(hours=1))
    again = make_order(advisor=crew["advisor"], vehicle=vehicle, at=NINE, items=0)
    repeat = desk.add_item(by=crew["advisor"], order=again, at=NINE, category="accident", labour_operation=operation)
    return repeat, first.items.get()


def test_ws06_a_paint_comeback_is_the_paint_leads_a_repair_comeback_the_technicians(crew, paint_lead):
    paint_repeat, paint_original = comeback(crew, description="右前门喷漆")
    repair_repeat, repair_original = comeback(crew, description="更换前保险杠支架")

    paint = services.record_comeback(
        by=crew["foreman"], item=paint_repeat, original=paint_original, reason="漆面起泡", fault="paint", at=NINE
    )
    repair = services.record_comeback(
        by=crew["foreman"], item=repair_repeat, original=repair_original, reason="支架松动", fault="repair", at=NINE
    )

    assert (paint.kind, paint.fault, paint.responsible) == ("external", "paint", paint_lead)
    assert (repair.kind, repair.fault, repair.responsible) == ("external", "repair", crew["technician"])


def test_ws06_the_job_page_records_a_paint_comeback_against_the_paint_lead(client, crew, paint_lead):
    repeat, original = comeback(crew)
    client.force_login(crew["foreman"])

    page = client.get(f"/workshop/jobs/{repeat.pk}/").content.decode()
    client.post(
        f"/workshop/jobs/{repeat.pk}/comeback/", {"original": original.pk, "reason": "漆面起泡", "fault": "paint"}
    )

    assert 'name="fault"' in page
    assert Rework.objects.get(item=repeat).responsible == paint_lead


def test_ws06_without_a_paint_lead_a_paint_fault_is_refused_and_nothing_is_recorded(crew):
    repeat, original = comeback(crew)
    item = finished_job(crew)
    sign(item, crew["technician"], "self")

    with pytest.raises(ValidationError) as comeback_refused:
        services.record_comeback(
            by=crew["foreman"], item=repeat, original=original, reason="漆面起泡", fault="paint", at=NINE
        )
    with pytest.raises(ValidationError) as fail_refused:
        sign(item, crew["inspector"], "general", result="fail", fault="paint", notes="色差")

    assert "fault" in comeback_refused.value.message_dict and "fault" in fail_refused.value.message_dict
    assert not Rework.objects.exists()
    item.refresh_from_db()
    assert item.status == ItemStatus.QC and services.next_stage(item) == "general"


def test_ws06_rework_counts_in_the_report_follow_the_responsible_person_and_team(crew, paint_lead):
    body_shop, mechanics = Team.objects.create(name="钣喷组"), Team.objects.create(name="机修一组")
    Staff.objects.filter(user=paint_lead).update(team=body_shop)
    Staff.objects.filter(user=crew["technician"]).update(team=mechanics)
    paint_fail, repair_fail = finished_job(crew), finished_job(crew)
    for item in (paint_fail, repair_fail):
        sign(item, crew["technician"], "self")
    sign(paint_fail, crew["inspector"], "general", result="fail", fault="paint", notes="漆面色差")
    sign(repair_fail, crew["inspector"], "general", result="fail", fault="repair", notes="漏装卡扣")
    repeat, original = comeback(crew)
    services.record_comeback(by=crew["foreman"], item=repeat, original=original, reason="起泡", fault="paint", at=NINE)

    rows = {row["technician"]: row for row in selectors.technician_month(NINE.date())}
    teams = {team["team"]: team for team in selectors.team_month(list(rows.values()))}

    assert (rows[paint_lead]["internal"], rows[paint_lead]["external"]) == (1, 1)
    assert (rows[crew["technician"]]["internal"], rows[crew["technician"]]["external"]) == (1, 0)
    assert (teams["钣喷组"]["internal"], teams["钣喷组"]["external"]) == (1, 1)
    assert (teams["机修一组"]["internal"], teams["机修一组"]["external"]) == (1, 0)
