"""WS01-WS09: dispatch, the job clock, three-stage QC and rework, escalations, 6S, team leaders."""

import zoneinfo
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dealership.errors import DomainError, NotPermitted, TransitionNotAllowed
from dealership.models import SmsMessage, Staff, Team
from service_desk import selectors as desk_selectors
from service_desk import services as desk
from service_desk.models import ItemStatus, OrderStatus, Rating
from tests.factories import (
    make_labour_operation,
    make_order,
    make_user,
    make_vehicle,
    pass_all_items,
    sign_reception,
)
from workshop import selectors, services
from workshop.models import (
    QC_CHECKS,
    ClockEntry,
    LeaderAssessment,
    Rework,
    Shift,
    SixSArea,
    TechnicalGroupMember,
    WorkshopPolicy,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NINE = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)
EVERY_CHECK = dict.fromkeys(QC_CHECKS, True)  # WS02: a pass is signed with every box ticked


def confirmed_job(crew, **order_fields):
    order = make_order(advisor=crew["advisor"], at=NINE, confirmed=True, **order_fields)
    return order.items.first()


def started_job(crew):
    item = confirmed_job(crew)
    services.assign(by=crew["foreman"], item=item, technician=crew["technician"], at=NINE)
    return services.start(by=crew["technician"], item=item, at=NINE + timedelta(minutes=5))


def finished_job(crew):
    item = started_job(crew)
    return services.finish(by=crew["technician"], item=item, at=NINE + timedelta(minutes=50))


# --- WS01 dispatch --------------------------------------------------------------------------------


def test_ws01_the_foreman_dispatches_a_confirmed_job_to_a_technician(crew):
    item = confirmed_job(crew)

    services.assign(by=crew["foreman"], item=item, technician=crew["technician"], at=NINE)

    item.refresh_from_db()
    assert (item.status, item.technician) == (ItemStatus.ASSIGNED, crew["technician"])
    assert item.order.status == OrderStatus.IN_PROGRESS


def test_ws01_technicians_take_jobs_themselves_only_when_policy_allows(crew):
    item = confirmed_job(crew)

    with pytest.raises(NotPermitted):  # a role refusal: 403 through the API
        services.assign(by=crew["technician"], item=item, technician=crew["technician"], at=NINE)
    WorkshopPolicy.objects.update_or_create(pk=1, defaults={"technicians_assign_themselves": True})
    services.assign(by=crew["technician"], item=item, technician=crew["technician"], at=NINE)

    item.refresh_from_db()
    assert item.status == ItemStatus.ASSIGNED


def test_ws01_an_unconfirmed_job_cannot_be_dispatched(crew):
    order = make_order(advisor=crew["advisor"], at=NINE)

    with pytest.raises(DomainError):
        services.assign(by=crew["foreman"], item=order.items.first(), technician=crew["technician"], at=NINE)


def test_ws01_a_job_can_be_dispatched_to_someone_else_before_it_starts(crew):
    item = confirmed_job(crew)
    other = make_user("technician", name="周鹏")
    services.assign(by=crew["foreman"], item=item, technician=crew["technician"], at=NINE)

    services.assign(by=crew["foreman"], item=item, technician=other, at=NINE)

    item.refresh_from_db()
    assert (item.status, item.technician) == (ItemStatus.ASSIGNED, other)


def test_ws01_board_puts_green_channel_and_late_cars_first(crew):
    plain = confirmed_job(crew)
    appointment = desk.book_appointment(
        by=crew["advisor"], vehicle=make_vehicle(), kind="rework", scheduled_at=NINE, at=NINE - timedelta(days=1)
    )
    green_order = desk.receive_vehicle(
        by=crew["advisor"], vehicle=appointment.vehicle, appointment=appointment, at=NINE
    )
    sign_reception(green_order, by=crew["advisor"], at=NINE)
    desk.add_item(
        by=crew["advisor"],
        order=green_order,
        at=NINE,
        category="maintenance",
        description="返修异响",
        labour_price=Decimal("0"),
    )
    green_order.refresh_from_db()
    desk.confirm(order=green_order, signed_by="x", at=NINE)

    waiting = selectors.board(at=NINE)["columns"][0]["cards"]

    assert [card.order_id for card in waiting] == [green_order.pk, plain.order_id]


def test_ws01_board_keeps_a_fixed_query_count_with_many_cars(client, crew, django_assert_max_num_queries):
    for number in range(25):
        item = confirmed_job(crew)
        if number % 2:
            services.assign(by=crew["foreman"], item=item, technician=crew["technician"], at=NINE)
            services.start(by=crew["technician"], item=item, at=NINE)
    client.force_login(crew["foreman"])

    with django_assert_max_num_queries(12):
        page = client.get("/workshop/board/")

    assert page.content.decode().count("board-card") >= 25


# --- Job clock -------------------------------------------------------------------------------------------


def test_the_job_clock_counts_work_time_not_pauses(crew):
    item = started_job(crew)  # 09:05

    services.pause(by=crew["technician"], item=item, reason="parts", at=NINE + timedelta(minutes=35))
    services.resume(by=crew["technician"], item=item, at=NINE + timedelta(minutes=65))
    services.finish(by=crew["technician"], item=item, at=NINE + timedelta(minutes=95))

    item.refresh_from_db()
    assert services.clocked_hours(item, at=NINE + timedelta(hours=5)) == Decimal("1.00")
    assert item.status == ItemStatus.QC
    assert list(item.clock_entries.values_list("pause_reason", flat=True).order_by("pk")) == ["parts", ""]


def test_a_technician_clocks_one_job_at_a_time_starting_another_pauses_the_first(crew):
    first = started_job(crew)  # 09:05
    second = confirmed_job(crew)
    services.assign(by=crew["foreman"], item=second, technician=crew["technician"], at=NINE)

    services.start(by=crew["technician"], item=second, at=NINE + timedelta(minutes=20))
    services.resume(by=crew["technician"], item=first, at=NINE + timedelta(minutes=50))

    at = NINE + timedelta(hours=1)
    assert services.clocked_hours(first, at=at) == Decimal("0.42")  # 09:05-09:20 and 09:50-10:00
    assert services.clocked_hours(second, at=at) == Decimal("0.50")  # 09:20-09:50
    assert ClockEntry.objects.filter(technician=crew["technician"], ended_at__isnull=True).count() == 1
    assert set(ClockEntry.objects.exclude(pause_reason="").values_list("pause_reason", flat=True)) == {"other_job"}


def test_finishing_a_job_never_started_is_refused_and_so_is_someone_elses_job(crew):
    item = confirmed_job(crew)
    services.assign(by=crew["foreman"], item=item, technician=crew["technician"], at=NINE)

    with pytest.raises(TransitionNotAllowed):
        services.finish(by=crew["technician"], item=item, at=NINE)
    with pytest.raises(NotPermitted):
        services.start(by=make_user("technician"), item=item, at=NINE)
    with pytest.raises(ValidationError):
        services.start(by=crew["technician"], item=item, at=NINE) and services.pause(
            by=crew["technician"], item=item, reason="nap", at=NINE
        )


# --- WS02, WS03, WS06 QC and rework ------------------------------------------------------------------------


def test_ws02_three_stages_in_order_each_by_someone_with_that_right_then_checkout(crew):
    item = finished_job(crew)

    with pytest.raises(TransitionNotAllowed):  # out of order
        services.sign_qc(
            by=crew["inspector"], item=item, stage="general", result="pass", checklist=EVERY_CHECK, at=NINE
        )
    with pytest.raises(NotPermitted):  # the self-check is the technician's own (403, not 409)
        services.sign_qc(by=crew["inspector"], item=item, stage="self", result="pass", checklist=EVERY_CHECK, at=NINE)
    services.sign_qc(by=crew["technician"], item=item, stage="self", result="pass", checklist=EVERY_CHECK, at=NINE)
    with pytest.raises(NotPermitted):  # a technician does not sign the general check
        services.sign_qc(
            by=crew["technician"], item=item, stage="general", result="pass", checklist=EVERY_CHECK, at=NINE
        )
    services.sign_qc(by=crew["inspector"], item=item, stage="general", result="pass", checklist=EVERY_CHECK, at=NINE)
    order = item.order
    order.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        desk.settle(by=crew["advisor"], order=order, rating=Rating.GOOD, at=NINE)
    services.sign_qc(
        by=crew["foreman"], item=item, stage="final", result="pass", checklist=EVERY_CHECK, at=NINE + timedelta(hours=1)
    )

    item.refresh_from_db()
    order.refresh_from_db()
    assert item.status == ItemStatus.PASSED and order.status == OrderStatus.READY
    desk.settle(by=crew["advisor"], order=order, rating=Rating.GOOD, at=NINE + timedelta(hours=2))


def test_ws03_a_failed_stage_sends_the_job_to_rework_and_qc_restarts_at_self_check(crew):
    item = finished_job(crew)
    services.sign_qc(by=crew["technician"], item=item, stage="self", result="pass", checklist=EVERY_CHECK, at=NINE)
    services.sign_qc(by=crew["inspector"], item=item, stage="general", result="pass", checklist=EVERY_CHECK, at=NINE)

    services.sign_qc(by=crew["foreman"], item=item, stage="final", result="fail", notes="刹车仍有异响", at=NINE)
    item.refresh_from_db()
    assert item.status == ItemStatus.REWORK
    services.start(by=crew["technician"], item=item, at=NINE + timedelta(minutes=10))
    services.finish(by=crew["technician"], item=item, at=NINE + timedelta(minutes=40))

    item.refresh_from_db()
    assert services.next_stage(item) == "self"
    assert services.current_cycle(item) == 2
    rework = Rework.objects.get(item=item)
    assert (rework.kind, rework.stage, rework.responsible) == ("internal", "final", crew["technician"])


def test_ws03_a_fail_needs_a_reason(crew):
    item = finished_job(crew)

    with pytest.raises(ValidationError):
        services.sign_qc(by=crew["technician"], item=item, stage="self", result="fail", at=NINE)


def test_ws06_body_and_paint_faults_are_the_paint_leads(crew):
    paint_lead = make_user("technician", name="孙亮")
    WorkshopPolicy.objects.update_or_create(pk=1, defaults={"paint_lead": paint_lead})
    item = finished_job(crew)
    services.sign_qc(by=crew["technician"], item=item, stage="self", result="pass", checklist=EVERY_CHECK, at=NINE)

    services.sign_qc(
        by=crew["inspector"], item=item, stage="general", result="fail", fault="paint", notes="漆面色差", at=NINE
    )

    assert Rework.objects.get(item=item).responsible == paint_lead


def test_ws03_a_comeback_within_thirty_days_is_external_rework_of_the_original_technician(crew):
    operation = make_labour_operation(name="更换前刹车片")
    vehicle = make_vehicle()
    first = make_order(advisor=crew["advisor"], vehicle=vehicle, at=NINE - timedelta(days=20), items=0)
    desk.add_item(
        by=crew["advisor"], order=first, at=first.arrived_at, category="minor_repair", labour_operation=operation
    )
    first.refresh_from_db()
    desk.confirm(order=first, signed_by="x", at=first.arrived_at)
    pass_all_items(first, at=first.arrived_at, technician=crew["technician"])
    desk.settle(by=crew["advisor"], order=first, rating=Rating.GOOD, at=first.arrived_at)
    first.refresh_from_db()
    desk.deliver(by=crew["advisor"], order=first, at=first.arrived_at + timedelta(hours=1))
    again = make_order(advisor=crew["advisor"], vehicle=vehicle, at=NINE, items=0)
    repeat = desk.add_item(
        by=crew["advisor"], order=again, at=NINE, category="minor_repair", labour_operation=operation
    )

    candidates = services.comeback_candidates(repeat)
    services.record_comeback(by=crew["foreman"], item=repeat, original=candidates[0], reason="刹车异响复发", at=NINE)

    rework = Rework.objects.get(kind="external")
    assert (rework.original_item, rework.responsible) == (first.items.get(), crew["technician"])
    WorkshopPolicy.objects.update_or_create(pk=1, defaults={"comeback_days": 10})
    assert services.comeback_candidates(repeat) == []


# --- WS04, WS05 escalations and the library --------------------------------------------------------------


@pytest.fixture
def group(crew):
    members = [crew["foreman"], make_user("technician", name="吴浩")]
    for member in members:
        TechnicalGroupMember.objects.create(user=member)
    return members


def test_ws04_an_escalated_case_is_examined_solved_and_published_for_training(crew, group):
    item = started_job(crew)
    escalation = services.escalate(
        by=crew["technician"], item=item, symptoms="冷车怠速抖动", fault_codes="P0302", at=NINE
    )

    with pytest.raises(NotPermitted):  # only the group works on it
        services.add_step(by=crew["advisor"], escalation=escalation, text="x", at=NINE)
    services.add_step(by=group[1], escalation=escalation, text="互换点火线圈，故障随线圈转移", at=NINE)
    services.solve(by=group[0], escalation=escalation, result="更换2缸点火线圈", at=NINE)
    case = services.publish_case(
        by=group[0], escalation=escalation, title="冷车怠速抖动", diagnosis="线圈击穿", solution="更换线圈", at=NINE
    )

    assert list(selectors.search_library("p0302")) == [case]
    assert list(selectors.search_library(item.order.vehicle.model_name.split()[1])) == [case]
    assert list(selectors.search_library("怠速 抖动")) == [case]
    assert list(selectors.yesterdays_cases(at=NINE + timedelta(days=1))) == [case]


def test_ws05_a_major_problem_waits_for_every_group_members_approval(crew, group):
    item = started_job(crew)
    escalation = services.escalate(
        by=crew["technician"], item=item, symptoms="变速箱换挡冲击", is_major=True, at=NINE + timedelta(minutes=20)
    )
    item.refresh_from_db()

    with pytest.raises(services.WaitingForApproval):
        services.resume(by=crew["technician"], item=item, at=NINE)
    services.approve(by=group[0], escalation=escalation, at=NINE)
    with pytest.raises(services.WaitingForApproval):
        services.resume(by=crew["technician"], item=item, at=NINE)
    services.approve(by=group[1], escalation=escalation, at=NINE)
    services.resume(by=crew["technician"], item=item, at=NINE + timedelta(minutes=30))

    assert item.clock_entries.filter(ended_at__isnull=True).count() == 1


# --- WS07, WS08 6S and team leaders --------------------------------------------------------------------------


def test_ws07_a_weekly_6s_check_per_area_with_its_two_responsible_people(crew):
    leader = make_user("technician", name="赵刚")
    area = SixSArea.objects.create(name="机修工位区", first_responsible=crew["foreman"], second_responsible=leader)

    services.record_six_s(
        by=crew["foreman"],
        area=area,
        week_of=date(2026, 11, 26),
        at=NINE,
        results={"seiri": True, "seiton": True, "seiso": False, "seiketsu": True, "shitsuke": True, "safety": True},
    )
    again = services.record_six_s(
        by=crew["foreman"],
        area=area,
        week_of=date(2026, 11, 27),
        at=NINE,
        results=dict.fromkeys(["seiri", "seiton", "seiso", "seiketsu", "shitsuke", "safety"], True),
    )

    assert again.week_of == date(2026, 11, 23) and again.score == 6
    assert area.checks.count() == 1


def test_ws08_a_leader_below_standard_two_quarters_running_is_flagged(crew):
    leader = make_user("technician", name="赵刚")
    team = Team.objects.create(name="机修一组", leader=leader)
    Staff.objects.filter(user=leader).update(team=team)

    first = services.assess_leader(by=crew["foreman"], leader=leader, year=2026, quarter=2, skill_score=70, at=NINE)
    services.assess_leader(by=crew["foreman"], leader=leader, year=2026, quarter=3, skill_score=75, at=NINE)

    assert not first.meets_standard
    assert [a.leader for a in selectors.leaders_to_flag()] == [leader]


@pytest.mark.parametrize(
    ("who", "year", "quarter", "message"),
    [
        ("leader", 2026, 3, "已经考核过"),  # once a quarter
        ("leader", 2026, 4, "季度结束后"),  # the quarter is not over on 26 November
        ("leader", 2030, 1, "季度结束后"),
        ("member", 2026, 2, "只考核班组长"),
    ],
)
def test_ws08_an_assessment_is_of_a_team_leader_for_a_finished_quarter_once(crew, who, year, quarter, message):
    leader = make_user("technician", name="赵刚")
    Team.objects.create(name="机修一组", leader=leader)
    services.assess_leader(by=crew["foreman"], leader=leader, year=2026, quarter=3, skill_score=85, at=NINE)
    person = leader if who == "leader" else crew["technician"]

    with pytest.raises(ValidationError) as refused:
        services.assess_leader(by=crew["foreman"], leader=person, year=year, quarter=quarter, skill_score=90, at=NINE)

    assert message in str(refused.value)
    assert LeaderAssessment.objects.count() == 1


def test_ws08_rework_rate_comes_from_the_teams_records(crew):
    team = Team.objects.create(name="机修一组", leader=crew["technician"])
    Staff.objects.filter(user=crew["technician"]).update(team=team)
    for number in range(2):
        item = finished_job(crew)
        services.sign_qc(by=crew["technician"], item=item, stage="self", result="pass", checklist=EVERY_CHECK, at=NINE)
        services.sign_qc(
            by=crew["inspector"],
            item=item,
            stage="general",
            result="fail" if number else "pass",
            notes="漏装卡扣" if number else "",
            checklist=EVERY_CHECK,
            at=NINE,
        )
        if number:
            services.start(by=crew["technician"], item=item, at=NINE)
            services.finish(by=crew["technician"], item=item, at=NINE)
            services.sign_qc(
                by=crew["technician"], item=item, stage="self", result="pass", checklist=EVERY_CHECK, at=NINE
            )
            services.sign_qc(
                by=crew["inspector"], item=item, stage="general", result="pass", checklist=EVERY_CHECK, at=NINE
            )
        services.sign_qc(by=crew["foreman"], item=item, stage="final", result="pass", checklist=EVERY_CHECK, at=NINE)
        item.order.refresh_from_db()
        desk.settle(by=crew["advisor"], order=item.order, rating=Rating.GOOD, at=NINE)

    after_the_quarter = datetime(2027, 1, 5, 9, 0, tzinfo=SHANGHAI)
    assessment = services.assess_leader(
        by=crew["foreman"], leader=crew["technician"], year=2026, quarter=4, skill_score=95, at=after_the_quarter
    )

    assert assessment.internal_rework_percent == Decimal("50.0")
    assert not assessment.meets_standard  # skill is fine, rework is not
    assert LeaderAssessment.objects.count() == 1


# --- WS09 questions through the advisor -------------------------------------------------------------------------


def test_ws09_a_question_for_the_customer_goes_to_the_advisor_not_the_customer(client, crew):
    item = started_job(crew)

    question = desk.ask_customer(by=crew["technician"], item=item, question="刹车盘也磨损了，要一起换吗？", at=NINE)
    board = selectors.board(at=NINE)
    on_desk = desk_selectors.desk(crew["advisor"], at=NINE)
    desk.answer_question(by=crew["advisor"], question=question, answer="客户同意一起换", at=NINE)

    card = next(c for column in board["columns"] for c in column["cards"] if c.pk == item.pk)
    assert card.open_questions and on_desk["questions"] == [question]
    assert not SmsMessage.objects.exists()  # nobody texted the customer
    question.refresh_from_db()
    assert question.answer == "客户同意一起换"


# --- Reports --------------------------------------------------------------------------------------------------------


def test_efficiency_and_productivity_per_technician(crew):
    Shift.objects.create(day=NINE.date(), technician=crew["technician"], hours=Decimal("8"))
    item = confirmed_job(crew)
    item.labour_hours = Decimal("2")
    item.save()
    services.assign(by=crew["foreman"], item=item, technician=crew["technician"], at=NINE)
    services.start(by=crew["technician"], item=item, at=NINE)
    services.finish(by=crew["technician"], item=item, at=NINE + timedelta(hours=4))
    for stage, by in (("self", crew["technician"]), ("general", crew["inspector"]), ("final", crew["foreman"])):
        services.sign_qc(
            by=by, item=item, stage=stage, result="pass", checklist=EVERY_CHECK, at=NINE + timedelta(hours=4)
        )
    item.order.refresh_from_db()
    desk.settle(by=crew["advisor"], order=item.order, rating=Rating.GOOD, at=NINE + timedelta(hours=5))

    row = next(r for r in selectors.technician_month(NINE.date()) if r["technician"] == crew["technician"])

    assert (row["billed_hours"], row["clocked_hours"], row["shift_hours"]) == (
        Decimal("2.00"),
        Decimal("4.00"),
        Decimal("8.00"),
    )
    assert (row["efficiency"], row["productivity"]) == (Decimal("50.0"), Decimal("50.0"))


# --- API --------------------------------------------------------------------------------------------------------


def test_item_api_dispatches_signs_qc_in_order_and_shows_rework_count(api_as, crew):
    item = confirmed_job(crew)
    as_foreman, as_technician, as_inspector = api_as("foreman"), api_as("technician"), api_as("inspector")
    as_foreman.force_authenticate(crew["foreman"])
    as_technician.force_authenticate(crew["technician"])
    as_inspector.force_authenticate(crew["inspector"])
    url = f"/api/v1/items/{item.pk}"

    dispatched = as_foreman.post(f"{url}/assign/", {"technician": crew["technician"].pk}, format="json")
    started = as_technician.post(f"{url}/start/", {"version": dispatched.json()["version"]}, format="json")
    finished = as_technician.post(f"{url}/finish/", {"version": started.json()["version"]}, format="json")
    out_of_order = as_inspector.post(
        f"{url}/qc/", {"stage": "final", "result": "pass", "checklist": QC_CHECKS}, format="json"
    )
    own = as_technician.post(f"{url}/qc/", {"stage": "self", "result": "pass", "checklist": QC_CHECKS}, format="json")
    failed = as_inspector.post(f"{url}/qc/", {"stage": "general", "result": "fail", "notes": "漏液"}, format="json")
    shown = as_inspector.get(f"{url}/")

    assert (dispatched.status_code, dispatched.json()["status"]) == (200, "assigned")
    assert dispatched.json()["technician"] == crew["technician"].pk
    assert (started.json()["status"], finished.json()["status"]) == ("in_progress", "qc")
    assert out_of_order.status_code == 409
    assert own.json()["next_qc_stage"] == "general"
    assert failed.json()["status"] == "rework" and failed.json()["rework_count"] == 1
    assert [(sign["stage"], sign["result"]) for sign in shown.json()["qc"]] == [("self", "pass"), ("general", "fail")]


def test_item_api_assign_refuses_an_unconfirmed_job_with_409(api_as, crew):
    foreman = api_as("foreman")
    order = make_order(advisor=crew["advisor"], at=NINE)

    refused = foreman.post(
        f"/api/v1/items/{order.items.first().pk}/assign/", {"technician": crew["technician"].pk}, format="json"
    )

    assert refused.status_code == 409


# --- Pages ------------------------------------------------------------------------------------------------------


def test_ws02_a_pass_is_signed_only_with_every_check_ticked(client, crew):
    item = finished_job(crew)
    client.force_login(crew["technician"])
    form = {"stage": "self", "result": "pass", "check_work_done": "on", "check_torque": "on"}

    unticked = client.post(f"/workshop/jobs/{item.pk}/qc/", form, follow=True)
    every_check = {f"check_{key}": "on" for key in ("work_done", "torque", "fluids", "road_test", "clean")}
    ticked = client.post(f"/workshop/jobs/{item.pk}/qc/", form | every_check, follow=True)

    assert "全部检查项都打勾" in unticked.content.decode()
    assert list(item.qc_signs.values_list("stage", flat=True)) == ["self"]
    assert "所有委托项目均已完成" in ticked.content.decode()  # the ticked checks show with the signature


def test_board_cards_say_why_a_job_is_paused_and_which_qc_stage_is_next(client, crew):
    paused = started_job(crew)
    services.pause(by=crew["technician"], item=paused, reason="parts", at=NINE + timedelta(minutes=20))
    in_qc = finished_job(crew)
    services.sign_qc(
        by=crew["technician"],
        item=in_qc,
        stage="self",
        result="pass",
        checklist=EVERY_CHECK,
        at=NINE + timedelta(hours=1),
    )
    client.force_login(crew["foreman"])

    board = client.get("/workshop/board/").content.decode()

    assert "暂停: 等待配件" in board
    assert "待：总检" in board


def test_a_job_page_offers_an_advisor_no_workshop_forms_but_the_work_order(client, crew):
    item = started_job(crew)
    client.force_login(crew["advisor"])

    page = client.get(f"/workshop/jobs/{item.pk}/").content.decode()

    assert f"/desk/orders/{item.order_id}/" in page
    assert f"/workshop/jobs/{item.pk}/escalate/" not in page and f"/workshop/jobs/{item.pk}/ask/" not in page


def test_only_a_group_member_who_has_not_approved_sees_the_approve_button(client, crew, group):
    item = started_job(crew)
    escalation = services.escalate(
        by=crew["technician"], item=item, symptoms="异响", is_major=True, at=NINE + timedelta(hours=1)
    )
    approve = f"/workshop/escalations/{escalation.pk}/approve/"

    client.force_login(crew["inspector"])
    outsider = client.get(f"/workshop/escalations/{escalation.pk}/").content.decode()
    client.force_login(group[0])
    member = client.get(f"/workshop/escalations/{escalation.pk}/").content.decode()

    assert approve not in outsider and approve in member


@pytest.mark.parametrize(
    ("url", "current"),
    [
        ("/workshop/reports/?month=0001-01", "2026年11月"),
        ("/workshop/reports/?month=9999-12", "2026年11月"),
        ("/workshop/shifts/?day=2026-02-30", "2026年11月26日"),
    ],
)
def test_impossible_dates_in_the_address_show_the_current_period(client, crew, url, current, time_machine):
    time_machine.move_to(NINE, tick=False)
    client.force_login(crew["foreman"])

    page = client.get(url)

    assert page.status_code == 200
    assert f"· {current}<" in page.content.decode()  # the heading names the period shown
