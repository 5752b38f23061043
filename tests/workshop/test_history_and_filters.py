"""WS01, WS04: who solved an escalation and who planned a shift are kept; the board and the library filter."""

import zoneinfo
from datetime import date, datetime, timedelta

import pytest

from dealership.errors import TransitionNotAllowed
from service_desk.models import ItemStatus
from tests.factories import make_order, make_user
from workshop import services
from workshop.models import EscalationStatus, Shift, TechnicalGroupMember

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NINE = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)


def started_job(crew, technician=None):
    item = make_order(advisor=crew["advisor"], at=NINE, confirmed=True).items.first()
    technician = technician or crew["technician"]
    services.assign(by=crew["foreman"], item=item, technician=technician, at=NINE)
    return services.start(by=technician, item=item, at=NINE + timedelta(minutes=5))


def test_ws04_an_escalations_history_keeps_who_solved_it_and_it_is_solved_once(crew):
    TechnicalGroupMember.objects.create(user=crew["foreman"])
    item = started_job(crew)
    escalation = services.escalate(by=crew["technician"], item=item, symptoms="冷车怠速抖动", at=NINE)

    services.solve(by=crew["foreman"], escalation=escalation, result="更换点火线圈", at=NINE + timedelta(hours=1))
    with pytest.raises(TransitionNotAllowed, match="已解决"):
        services.solve(by=crew["foreman"], escalation=escalation, result="再次", at=NINE + timedelta(hours=2))

    escalation.refresh_from_db()
    solved = escalation.history.order_by("history_id").last()
    assert (escalation.status, escalation.result) == (EscalationStatus.SOLVED, "更换点火线圈")
    assert (solved.status, solved.history_user, solved.history_date) == (
        EscalationStatus.SOLVED,
        crew["foreman"],
        NINE + timedelta(hours=1),
    )


def test_ws01_a_shift_keeps_who_planned_it(crew):
    services.set_shift(by=crew["foreman"], technician=crew["technician"], day=date(2026, 11, 26), on_shift=True)

    shift = Shift.objects.get()
    assert (shift.technician, shift.planned_by) == (crew["technician"], crew["foreman"])


def test_ws01_my_jobs_on_the_board_are_the_technicians_own_still_to_do(client, crew):
    colleague = make_user("technician", name="吴浩")
    mine, theirs = started_job(crew), started_job(crew, technician=colleague)
    client.force_login(crew["technician"])

    everything = client.get("/workshop/board/").content.decode()
    own = client.get("/workshop/board/", {"mine": "1"}).content.decode()

    assert f"/workshop/jobs/{mine.pk}/" in everything and f"/workshop/jobs/{theirs.pk}/" in everything
    assert f"/workshop/jobs/{mine.pk}/" in own and f"/workshop/jobs/{theirs.pk}/" not in own
    assert mine.status == ItemStatus.IN_PROGRESS


def test_ws04_the_library_page_finds_cases_by_every_word_typed(client, crew):
    TechnicalGroupMember.objects.create(user=crew["foreman"])
    cases = []
    for symptoms, codes in (("冷车怠速抖动", "P0302"), ("刹车异响", "")):
        escalation = services.escalate(
            by=crew["technician"], item=started_job(crew), symptoms=symptoms, fault_codes=codes, at=NINE
        )
        escalation = services.solve(by=crew["foreman"], escalation=escalation, result="已修复", at=NINE)
        cases.append(
            services.publish_case(
                by=crew["foreman"], escalation=escalation, title=symptoms, diagnosis="诊断", solution="方案", at=NINE
            )
        )
    client.force_login(crew["foreman"])

    found = client.get("/workshop/library/", {"q": "怠速 p0302"}).content.decode()

    assert f'id="case-{cases[0].pk}"' in found and f'id="case-{cases[1].pk}"' not in found
