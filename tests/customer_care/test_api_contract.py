"""API.md for customer care: refusals by role are 403 and by state 409; managers edit the reference data
(rescue zones, complaint deadlines) through the API; a follow-up call can be read on its own."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from customer_care import services
from customer_care.models import ComplaintPolicy, FollowUp, RescueZone
from service_desk import services as desk
from tests.factories import make_customer, make_order, make_user, pass_all_items

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NINE = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def complaint(db):
    return services.raise_complaint(
        by=make_user("callcentre"),
        customer=make_customer(),
        assignee=make_user("advisor", name="王芳"),
        channel="hotline",
        category="repair_quality",
        summary="保养后有异响",
        at=timezone.now(),
    )


def test_cc01_a_role_that_may_not_act_is_403_another_advisor_404_and_a_step_out_of_order_409(complaint):
    technician, other_advisor = make_user("technician"), make_user("advisor", name="李磊")
    path = f"/api/v1/complaints/{complaint.pk}"

    wrong_role = api_as(technician).post(f"{path}/respond/", {"text": "我来"})
    not_theirs = api_as(other_advisor).post(f"{path}/respond/", {"text": "我来"})  # they do not even see it
    out_of_order = api_as(complaint.assignee).post(f"{path}/close/", {"text": "已解决"})

    assert wrong_role.status_code == 403
    assert not_theirs.status_code == 404
    assert out_of_order.status_code == 409
    complaint.refresh_from_db()
    assert complaint.status == "open" and complaint.responded_at is None


def test_cc03_a_manager_adds_and_changes_a_rescue_zone_and_new_rescues_follow_it(db):
    manager, agent = make_user("manager"), make_user("callcentre")

    added = api_as(manager).post(
        "/api/v1/rescue-zones/", {"code": "airport", "name": "机场", "promise_minutes": 45}, format="json"
    )
    changed = api_as(manager).patch(
        f"/api/v1/rescue-zones/{added.json()['id']}/", {"promise_minutes": 40}, format="json"
    )
    rescue = services.request_rescue(
        by=agent,
        caller="张三",
        mobile="13812345678",
        zone=RescueZone.objects.get(code="airport"),
        location="T2 停车场",
        problem="电瓶亏电",
        at=NINE,
    )

    assert added.status_code == 201 and changed.status_code == 200
    assert changed.json()["promise_minutes"] == 40
    assert rescue.promised_by == NINE + timedelta(minutes=40)


def test_cc03_every_role_reads_zones_but_only_a_manager_changes_them(db):
    agent, city = make_user("technician"), RescueZone.objects.get(code="city")

    read = api_as(agent).get("/api/v1/rescue-zones/")
    refused = api_as(agent).patch(f"/api/v1/rescue-zones/{city.pk}/", {"promise_minutes": 5}, format="json")
    nonsense = api_as(make_user("manager")).patch(
        f"/api/v1/rescue-zones/{city.pk}/", {"promise_minutes": 0}, format="json"
    )

    assert read.status_code == 200 and {"code": "city", "promise_minutes": 30} in [
        {"code": zone["code"], "promise_minutes": zone["promise_minutes"]} for zone in read.json()["results"]
    ]
    assert refused.status_code == 403
    assert nonsense.status_code == 400 and "promise_minutes" in nonsense.json()
    city.refresh_from_db()
    assert city.promise == timedelta(minutes=30)


def test_cc01_a_manager_changes_the_deadlines_through_the_api_and_only_new_complaints_get_them(complaint):
    manager = make_user("manager")

    changed = api_as(manager).patch(
        "/api/v1/complaint-policy/", {"respond_within": 20, "organise_within": 45}, format="json"
    )
    later = services.raise_complaint(
        by=make_user("callcentre"),
        customer=make_customer(),
        assignee=complaint.assignee,
        channel="counter",
        category="other",
        summary="等待太久",
        at=NINE,
    )

    assert changed.status_code == 200
    assert (changed.json()["respond_within"], changed.json()["close_within"]) == (20, 48 * 60)
    assert later.respond_by == NINE + timedelta(minutes=20) and later.organise_by == NINE + timedelta(minutes=45)
    complaint.refresh_from_db()
    assert complaint.respond_by - complaint.created_at == timedelta(minutes=30)


def test_cc01_the_api_refuses_deadlines_out_of_order_as_the_settings_page_does(db):
    manager = make_user("manager")

    refused = api_as(manager).patch(
        "/api/v1/complaint-policy/", {"respond_within": 120, "organise_within": 60}, format="json"
    )
    page = APIClient()
    page.force_login(manager)
    form = page.post(
        "/care/settings/",
        {
            "form": "complaint",
            "complaint-respond_within": 120,
            "complaint-organise_within": 60,
            "complaint-close_within": 2880,
            "complaint-day_starts": "08:30",
            "complaint-day_ends": "18:00",
            "complaint-manager_after": 0,
            "complaint-general_manager_after": 240,
        },
    )

    assert refused.status_code == 400 and "non_field_errors" in refused.json()
    assert form.status_code == 200 and "每个时限不得短于前一个" in form.content.decode()
    assert ComplaintPolicy.current().respond_within == timedelta(minutes=30)


def test_cc01_only_a_manager_changes_the_deadlines(db):
    advisor = make_user("advisor")

    read = api_as(advisor).get("/api/v1/complaint-policy/")
    refused = api_as(advisor).patch("/api/v1/complaint-policy/", {"respond_within": 5}, format="json")

    assert read.status_code == 200 and read.json()["respond_within"] == 30
    assert refused.status_code == 403


def test_cc04_a_follow_up_call_is_read_on_its_own(db):
    advisor = make_user("advisor")
    order = pass_all_items(make_order(advisor=advisor, confirmed=True))
    desk.settle(order=order, rating="good", by=advisor, at=timezone.now())
    desk.deliver(by=advisor, order=order, at=timezone.now())
    follow_up = FollowUp.objects.get(repair_order=order)

    read = api_as(make_user("callcentre")).get(f"/api/v1/follow-ups/{follow_up.pk}/")

    assert read.status_code == 200
    assert read.json()["repair_order"] == order.pk and read.json()["status"] == "due"


# --- Issue 12: the lists' filters, declared once ---------------------------------------------------------------


def test_an_unknown_filter_on_a_care_list_is_400_naming_it_instead_of_returning_everything(complaint):
    agent = make_user("callcentre")

    unknown = api_as(agent).get("/api/v1/complaints/", {"part_number": "x", "overdue": "true"})
    misspelt = api_as(agent).get("/api/v1/follow-ups/", {"dued": "true"})
    rescues = api_as(agent).get("/api/v1/rescues/", {"status": "requested"})

    assert unknown.status_code == 400 and list(unknown.json()) == ["part_number"]
    assert misspelt.status_code == 400 and "dued" in misspelt.json()
    assert rescues.status_code == 400 and "status" in rescues.json()


def test_cc01_the_complaint_list_filters_by_status_assignee_and_search_and_refuses_an_unknown_status(complaint):
    agent = make_user("callcentre")
    other = services.raise_complaint(
        by=agent,
        customer=make_customer(name="赵敏"),
        assignee=make_user("advisor", name="李磊"),
        channel="counter",
        category="waiting",
        summary="等待太久",
        at=timezone.now(),
    )
    services.respond(by=agent, complaint=other, text="已回电", at=timezone.now())

    def ids(**params) -> list[int]:
        return [row["id"] for row in api_as(agent).get("/api/v1/complaints/", params).json()["results"]]

    unknown_status = api_as(agent).get("/api/v1/complaints/", {"status": "lost"})

    assert ids(status="responded") == [other.pk]
    assert ids(status="open") == [complaint.pk, other.pk]  # not closed, by the due time of the stage in hand
    assert ids(assignee=complaint.assignee_id) == [complaint.pk]
    assert ids(q="赵敏") == [other.pk]
    assert unknown_status.status_code == 400 and "status" in unknown_status.json()


def test_cc04_the_follow_up_list_shows_only_the_calls_due_now_when_asked(db):
    advisor = make_user("advisor")
    order = pass_all_items(make_order(advisor=advisor, confirmed=True))
    desk.settle(order=order, rating="good", by=advisor, at=timezone.now())
    desk.deliver(by=advisor, order=order, at=timezone.now())  # called from tomorrow
    agent = make_user("callcentre")

    every = api_as(agent).get("/api/v1/follow-ups/").json()["results"]
    due_now = api_as(agent).get("/api/v1/follow-ups/", {"due": "true"}).json()["results"]

    assert [row["repair_order"] for row in every] == [order.pk] and due_now == []
