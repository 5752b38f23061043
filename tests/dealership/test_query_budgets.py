"""A query budget for every page and API endpoint in the access table, with enough rows that an N+1 shows.

The rows are built once for the module (ROWS of each kind: orders at seven stages with items,
parts and questions, complaints, rescues, calls, follow-ups, SMS, parts, backorders, sales,
gifts, escalations, shifts, desk records…), then as many again. The object a detail page opens
has CHILDREN children (items, vehicles, lines, steps, reopened rounds…) at the first size and
twice as many at the second. At the first size every list holds fewer rows than its page, so the
second size puts more rows on the page.

Every GET URL is requested as a manager, who sees every row and panel, or, for the pages of
one's own rows (MINE), as the advisor who owns them, and counted at both sizes. The counts must
be equal (a page whose queries grow with its rows has an N+1) and stay within the URL's budget
below. A URL added to the access table without a budget fails `test_every_get_url_has_a_budget`.
"""

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customer_care import services as care
from customer_care.models import FollowUp, RescueZone
from dealership import outbox
from dealership.models import Team
from parts import services as parts
from parts.models import GiftItem, GiftReason
from service_desk import links
from service_desk import services as desk
from service_desk.models import CareRule
from tests.dealership.test_access import ACCESS, POST_ONLY, PUBLIC
from tests.factories import (
    make_customer,
    make_labour_operation,
    make_part,
    make_sms_template,
    make_user,
    make_vehicle,
    sign_reception,
)
from workshop import services as workshop
from workshop.models import QC_CHECKS, SIX_S, SixSArea, TechnicalGroupMember

ROWS = 3  # of each kind at the first size: 21 orders at seven stages, besides the ones below
CHILDREN = 3  # of the object a detail page opens, at the first size

# url name → the most queries its GET may make: the count measured with the rows above, plus two.
# The counts at both sizes must also be equal: raise a budget for a new feature of the page,
# never because the count grows with the rows.
BUDGETS = {
    "api_docs": 5,
    "api_schema": 5,
    "appointment-detail": 6,
    "appointment-list": 7,
    "appointment_create": 6,
    "appointment_list": 6,
    "arrive": 5,
    "award-report": 26,  # the award page's report (ranking, weak points, preview), as JSON
    "award_notice": 6,
    "backorder-detail": 6,
    "backorder-list": 7,
    "backorder_calls": 7,
    "backorder_create": 5,
    "backorder_detail": 7,
    "backorder_list": 7,
    "backorder_mine": 7,
    "board": 12,
    "broadcasts": 6,
    "call_log": 9,
    "care_settings": 12,
    "complaint-detail": 8,
    "complaint-list": 9,
    "complaint-policy": 6,
    "complaint_create": 7,
    "complaint_detail": 9,
    "complaint_orders": 7,
    "complaint_queue": 11,
    "customer-detail": 7,
    "customer-list": 8,
    "customer_create": 5,
    "customer_detail": 10,
    "customer_edit": 6,
    "customer_list": 8,
    "customer_order": 8,
    "customer_picker": 7,
    "daily-output": 6,
    "daily_report": 11,
    "desk": 13,
    "desk_records": 21,
    "escalation_detail": 14,
    "escalation_list": 10,
    "follow-up-detail": 7,
    "follow-up-list": 8,
    "follow_up_call": 10,
    "follow_up_queue": 8,
    "gift_create": 5,
    "gift_edit": 6,
    "gift_give": 6,
    "gift_list": 7,
    "gift_restock": 6,
    "healthz": 3,
    "home": 10,
    "item-detail": 17,
    "job": 23,
    "labour-operation-detail": 6,
    "labour-operation-list": 7,
    "labour_create": 5,
    "labour_edit": 6,
    "labour_list": 9,
    "leaders": 8,
    "ledger-entry-detail": 6,
    "ledger-entry-list": 7,
    "ledger": 13,
    "ledger_entry_create": 6,
    "ledger_rates": 6,
    "library": 7,
    "login": 2,
    "order_detail": 14,
    "order_list": 7,
    "order_print": 10,
    "order_rate": 6,
    "order_walkaround": 6,
    "part-detail": 6,
    "part-list": 7,
    "part_adjust": 6,
    "part_create": 5,
    "part_detail": 7,
    "part_edit": 6,
    "part_import": 5,
    "part_list": 7,
    "part_receive": 6,
    "part_return": 6,
    "price_board": 4,
    "repair-order-detail": 10,
    "repair-order-list": 9,
    "report_awards": 27,
    "report_complaints": 9,
    "report_reception": 9,
    "report_rework": 10,
    "report_weekly": 11,
    "reports": 5,
    "rescue-detail": 6,
    "rescue-list": 7,
    "rescue-zone-detail": 6,
    "rescue-zone-list": 7,
    "rescue_board": 9,
    "sale_create": 5,
    "sale_detail": 7,
    "sale_list": 7,
    "shifts": 7,
    "six_s": 8,
    "sms-detail": 6,
    "sms-list": 7,
    "sms_detail": 7,
    "sms_list": 9,
    "sms_policy": 6,
    "sms_template_edit": 7,
    "sms_template_list": 7,
    "sms_test": 5,
    "staff-detail": 7,
    "staff-list": 8,
    "vehicle-detail": 6,
    "vehicle-list": 7,
    "vehicle_create": 6,
    "vehicle_edit": 6,
    "vehicle_picker": 7,
    "workshop_reports": 10,
}
# Query strings that make a page show the rows (API filters as documented in API.md).
QUERY = {
    "customer_picker": "?q=客户",
    # The running month, where the rows are (a finished month is the award report's default).
    "report_awards": f"?month={timezone.localdate():%Y-%m}",
    "vehicle_picker": "?q=客户",
    "daily-output": "?date={yesterday}",
    "ledger": "?staff={staff}",  # the manager reads the advisor's statement
    "complaint_orders": "?customer={customer}",
    "award-report": "?month={month}",
}
MINE = {"desk"}  # pages of the advisor's own rows: requested as the advisor who owns them
GET_URLS = sorted(name for name in ACCESS if name not in POST_ONLY)
EVERY_CHECK = dict.fromkeys(QC_CHECKS, True)


@dataclass
class Staffing:
    advisor: object
    foreman: object  # also signs the final QC and works on escalations
    technicians: list  # jobs of today
    past_technician: object  # jobs of past days: a clock never ends before it started
    inspector: object
    clerk: object
    agent: object
    manager: object


def _staffing() -> Staffing:
    foreman = make_user("foreman", name="陈强")
    TechnicalGroupMember.objects.create(user=foreman)
    return Staffing(
        advisor=make_user("advisor", name="王芳"),
        foreman=foreman,
        technicians=[make_user("technician", name=name) for name in ("赵刚", "周鹏")],
        past_technician=make_user("technician", name="吴浩"),
        inspector=make_user("inspector", name="郭明"),
        clerk=make_user("parts", name="何丽"),
        agent=make_user("callcentre", name="林雪"),
        manager=make_user("manager", name="宋建国"),
    )


@dataclass
class World:
    """The dealership's rows, grown a size at a time; `objects` fills the URLs' placeholders."""

    staff: Staffing
    now: datetime
    serial: itertools.count = field(default_factory=lambda: itertools.count(1))
    customers: list = field(default_factory=list)
    operations: list = field(default_factory=list)
    stock_part: object = None
    objects: dict = field(default_factory=dict)

    def grow(self, rows: int, children: int) -> None:
        # Cars share a few owners and items a few labour operations, so that the customer and
        # labour lists stay shorter than their pages at the first size.
        self.customers += [make_customer() for _row in range(rows)]
        self.operations += [make_labour_operation() for _row in range(rows)]
        self.stock_part = self.stock_part or make_part(stock=1000)
        self.add_orders(rows)
        self.add_care(rows)
        self.add_parts(rows)
        self.add_workshop_and_records(rows)
        self.add_ledger(rows)
        self.objects = {**self.focal_objects(children), **self.ledger_objects()}

    @property
    def yesterday(self) -> datetime:
        return timezone.localtime(self.now - timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)

    def customer(self):
        return self.customers[next(self.serial) % len(self.customers)]

    def vehicle(self, customer=None):
        return make_vehicle(customer=customer or self.customer())

    # --- the front desk and the workshop ---------------------------------------------------------

    def order(self, *, items: int = 1, at: datetime | None = None, vehicle=None):
        """An order with its reception signed and `items` items, the first with a part line."""
        advisor = self.staff.advisor
        at = at or self.now - timedelta(hours=2)
        order = desk.receive_vehicle(by=advisor, vehicle=vehicle or self.vehicle(), at=at)
        desk.record_greeting(by=advisor, order=order, at=at + timedelta(seconds=5))
        sign_reception(order, by=advisor, at=at + timedelta(minutes=1))
        for index in range(items):
            operation = self.operations[(order.pk + index) % len(self.operations)]
            item = desk.add_item(
                by=advisor,
                order=order,
                at=at + timedelta(minutes=2),
                category="maintenance",
                labour_operation=operation,
            )
            if index == 0:
                desk.add_part_line(by=advisor, item=item, part=self.stock_part, quantity=1, at=at)
        order.refresh_from_db()
        return order

    def confirmed(self, **kwargs):
        order = self.order(**kwargs)
        desk.confirm(
            order=order,
            signed_by=order.customer.name,
            by=self.staff.advisor,
            at=order.arrived_at + timedelta(minutes=5),
        )
        order.refresh_from_db()
        return order

    def work(self, order, *, until: str, technicians=None):
        """Take every item of an order through the workshop up to `until` (assigned … passed)."""
        at = order.arrived_at + timedelta(minutes=10)
        technicians = technicians or [self.staff.technicians[order.pk % len(self.staff.technicians)]]
        for index, item in enumerate(order.items.order_by("pk")):
            technician = technicians[index % len(technicians)]
            item = workshop.assign(by=self.staff.foreman, item=item, technician=technician, at=at)
            if until == "assigned":
                continue
            item = workshop.start(by=technician, item=item, at=at + timedelta(minutes=1))
            if until == "in_progress":
                continue
            item = workshop.finish(by=technician, item=item, at=at + timedelta(minutes=20))
            signers = [("self", technician), ("general", self.staff.inspector), ("final", self.staff.foreman)]
            for stage, signer in signers[: 1 if until == "qc" else 3]:
                workshop.sign_qc(
                    by=signer, item=item, stage=stage, result="pass", checklist=EVERY_CHECK, at=at + timedelta(hours=1)
                )
        order.refresh_from_db()
        return order

    def settled(
        self, *, at: datetime, delivered: bool, vehicle=None, items: int = 1, technicians=None, rating: str = "good"
    ):
        order = self.work(
            self.confirmed(at=at, vehicle=vehicle, items=items),
            until="passed",
            technicians=technicians or [self.staff.past_technician],
        )
        desk.settle(by=self.staff.advisor, order=order, rating=rating, at=at + timedelta(hours=2))
        order.refresh_from_db()
        if delivered:
            desk.deliver(by=self.staff.advisor, order=order, at=at + timedelta(hours=2, minutes=10))
            order.refresh_from_db()
            # What the order_delivered receiver does (once however often it runs): follow-up, care texts.
            care.after_delivery(order=order, at=order.delivered_at)
        return order

    def add_orders(self, rows: int) -> None:
        advisor = self.staff.advisor
        for index in range(rows):
            desk.receive_vehicle(by=advisor, vehicle=self.vehicle(), at=self.now)  # waiting at the desk
            waiting = self.order(items=2)
            desk.ask_customer(by=advisor, item=waiting.items.first(), question="要不要换雨刮？", at=self.now)
            self.work(self.confirmed(), until="assigned")
            item = self.work(self.confirmed(), until="in_progress").items.get()
            workshop.escalate(by=item.technician, item=item, symptoms="冷车启动怠速抖动", at=self.now)
            self.work(self.confirmed(), until="qc")
            self.settled(at=self.yesterday, delivered=False)
            self.complaint(order=self.settled(at=self.now - timedelta(days=3), delivered=True))
            desk.book_appointment(
                by=advisor,
                vehicle=self.vehicle(),
                kind="regular" if index % 2 else "quick_maintenance",
                scheduled_at=self.now + timedelta(minutes=index + 1),
                at=self.now,
            )
            CareRule.objects.create(
                labour_operation=make_labour_operation(), interval_days=180, reason=f"每半年一次 {next(self.serial)}"
            )

    # --- customer care ---------------------------------------------------------------------------

    def complaint(self, *, order=None, customer=None, rounds: int = 1):
        """A complaint assigned to the advisor; each round after the first is closed and reopened."""
        complaint = care.raise_complaint(
            by=self.staff.agent,
            customer=customer or order.customer,
            repair_order=order,
            assignee=self.staff.advisor,
            channel="hotline",
            category="waiting",
            summary="等待时间太长",
            at=self.now - timedelta(hours=3),
        )
        at = self.now - timedelta(hours=2)
        for _round in range(rounds - 1):
            for step in (care.respond, care.organise, care.close):
                complaint = step(by=self.staff.advisor, complaint=complaint, text="已处理", at=at)
            complaint = care.reopen(by=self.staff.agent, complaint=complaint, reason="客户不满意", at=at)
            at += timedelta(minutes=1)
        return complaint

    def add_care(self, rows: int) -> None:
        zones = list(RescueZone.objects.order_by("pk"))
        for index in range(rows):
            customer = self.customer()
            rescue = care.request_rescue(
                by=self.staff.agent,
                caller=customer.name,
                mobile=customer.mobile,
                customer=customer,
                zone=zones[index % len(zones)],
                location="七一路",
                problem="无法启动",
                at=self.now - timedelta(minutes=20),
            )
            if index % 2:
                care.dispatch_crew(by=self.staff.agent, rescue=rescue, crew="李师傅", at=self.now)
            care.log_call(
                by=self.staff.agent,
                line="hotline" if index % 2 else "rescue",
                caller=customer.name,
                number=customer.mobile,
                topic="咨询",
                customer=customer,
                at=self.now - timedelta(minutes=index),
            )
            care.pair_care_agent(by=self.staff.manager, advisor=make_user("advisor"), care_agent=self.staff.agent)
            RescueZone.objects.create(code=f"zone{next(self.serial)}", name="乡镇", promise=timedelta(hours=2))
        care.broadcast(by=self.staff.manager, kind="weather", text="明天有雨，注意行车安全", at=self.now)

    # --- parts and SMS ---------------------------------------------------------------------------

    def add_parts(self, rows: int) -> None:
        clerk, advisor = self.staff.clerk, self.staff.advisor
        expected = timezone.localdate(self.now) + timedelta(days=3)
        for index in range(rows):
            part = make_part(stock=10)
            parts.receive_stock(by=clerk, part=part, quantity=5, at=self.now)
            # A customer with a landline only is phoned: the arrived ones are on the calls page.
            for contact in ({}, {"mobile": "", "landline": f"0394-{8200000 + next(self.serial)}"}):
                backorder = parts.create_backorder(
                    by=advisor,
                    customer=self.customer(),
                    quantity=1,
                    part=part,
                    expected_on=expected,
                    at=self.now,
                    **contact,
                )
                if index % 2:
                    parts.mark_arrived(by=clerk, backorder=backorder, at=self.now)
            parts.sell_over_counter(
                by=clerk, kind="retail", buyer_name="张三", lines=[(part, 1), (self.stock_part, 1)], at=self.now
            )
            gift = parts.save_gift_item(
                by=clerk, gift=GiftItem(name=f"钥匙扣{next(self.serial)}", unit_cost=Decimal("5"))
            )
            parts.restock_gifts(by=clerk, gift=gift, quantity=3, at=self.now)
            parts.give_gift(
                by=advisor, gift=gift, customer=self.customer(), quantity=1, reason=GiftReason.VISIT, at=self.now
            )
            template = make_sms_template(f"notice{next(self.serial)}")
            message = outbox.enqueue_sms(
                mobile=self.customer().mobile,
                kind=template.kind,
                context=template.sample,
                dedupe_key=f"budget:{next(self.serial)}",
                at=self.now,
            )
            outbox.deliver(message_id=message.pk, at=self.now)

    # --- the ledger ------------------------------------------------------------------------------

    def add_ledger(self, rows: int) -> None:
        """Entries of this month: manual ones (IN07) for the advisor and a technician, a reversal, and
        orders rated 非常满意 (the IN04 award has a winner) and 差 (an IN03 entry)."""
        manager, today = self.staff.manager, timezone.localdate(self.now)
        for _row in range(rows):
            for person, amount in ((self.staff.advisor, "50"), (make_user("technician"), "-20")):
                entry = care.post_manual(
                    by=manager, staff=person, amount=amount, reason="月度评议", occurred_on=today, at=self.now
                )
            care.reverse(by=manager, entry=entry, reason="录入错误", at=self.now)
            for rating in ("very_satisfied", "poor"):
                self.settled(at=self.now - timedelta(hours=3), delivered=False, rating=rating)

    def ledger_objects(self) -> dict:
        entry = care.post_manual(
            by=self.staff.manager,
            staff=self.staff.advisor,
            amount="30",
            reason="协助救援",
            occurred_on=timezone.localdate(self.now),
            at=self.now,
        )
        care.reverse(by=self.staff.manager, entry=entry, reason="重复录入", at=self.now)
        return {"ledger_entry": entry.pk, "month": f"{timezone.localdate(self.now):%Y-%m}"}

    # --- workshop records and desk records -------------------------------------------------------

    def add_workshop_and_records(self, rows: int) -> None:
        today = timezone.localdate(self.now)
        advisor, foreman, manager = self.staff.advisor, self.staff.foreman, self.staff.manager
        year, quarter = (today.year, (today.month - 1) // 3) if today.month > 3 else (today.year - 1, 4)
        for _row in range(rows):
            technician = make_user("technician")
            workshop.set_shift(by=foreman, technician=technician, day=today, on_shift=True)
            Team.objects.create(name=f"机修{next(self.serial)}组", leader=technician)
            workshop.assess_leader(
                by=manager, leader=technician, year=year, quarter=quarter, skill_score=70, at=self.now
            )
            area = SixSArea.objects.create(
                name=f"工位区{next(self.serial)}", first_responsible=foreman, second_responsible=technician
            )
            workshop.record_six_s(
                by=foreman,
                area=area,
                week_of=today - timedelta(days=today.weekday() + 7),
                results=dict.fromkeys(SIX_S, True),
                at=self.now,
            )
            item = self.work(self.confirmed(), until="in_progress").items.get()
            escalation = workshop.escalate(by=item.technician, item=item, symptoms="异响", at=self.now)
            workshop.add_step(by=foreman, escalation=escalation, text="读取数据流", at=self.now)
            workshop.solve(by=foreman, escalation=escalation, result="更换点火线圈", at=self.now)
            workshop.publish_case(
                by=foreman,
                escalation=escalation,
                title=f"怠速抖动 {next(self.serial)}",
                diagnosis="单缸失火",
                solution="更换点火线圈",
                at=self.now - timedelta(days=1),
            )
            colleague = make_user("advisor")
            desk.write_meeting(
                by=advisor,
                day=today - timedelta(days=next(self.serial)),
                problems="等待时间长",
                attendees="",
                at=self.now,
                decisions=[("加快接车", advisor, None), ("整理工位", colleague, None)],
            )
            desk.record_handover(
                by=advisor,
                vehicle=self.vehicle(),
                handed_over_on=today,
                sales_person="销售顾问",
                advisor=colleague,
                care_agent=self.staff.agent,
                first_service_on=today + timedelta(days=90),
                first_service_km=5000,
                at=self.now,
            )
            desk.record_script_violation(
                by=manager, advisor=colleague, day=today - timedelta(days=1), note="未报姓名", at=self.now
            )
            accident = self.order(items=0)
            desk.add_item(
                by=advisor,
                order=accident,
                at=self.now,
                category="accident",
                description="前保险杠",
                labour_price=Decimal("300"),
            )
            desk.open_claim(
                by=advisor,
                order=accident,
                insurer="人保",
                claim_number=f"R{next(self.serial)}",
                specialist=advisor,
                at=self.now,
            )
            desk.pair_advisors(
                by=manager, day=today + timedelta(days=next(self.serial)), first=advisor, second=colleague
            )

    # --- the objects detail pages open -----------------------------------------------------------

    def focal_order(self, children: int, new_parts: list):
        """An open order with `children` items, each with a part line and a question, and as
        many items the customer declined on the car's earlier visit (deferred work)."""
        advisor = self.staff.advisor
        vehicle = self.vehicle()
        earlier = self.order(items=children, vehicle=vehicle, at=self.now - timedelta(days=40))
        declined = set(earlier.items.values_list("pk", flat=True))
        desk.confirm(order=earlier, signed_by="x", declined=declined, by=advisor, at=earlier.arrived_at)
        desk.cancel(by=advisor, order=earlier, reason="客户不修", at=earlier.arrived_at + timedelta(hours=1))
        order = self.order(items=0, vehicle=vehicle)
        for part in new_parts:
            item = desk.add_item(
                by=advisor,
                order=order,
                at=self.now,
                category="minor_repair",
                description="更换",
                labour_price=Decimal(1),
            )
            desk.add_part_line(by=advisor, item=item, part=part, quantity=1, at=self.now)
            desk.ask_customer(by=advisor, item=item, question="要不要换？", at=self.now)
        order.refresh_from_db()
        return order

    def focal_item(self, new_parts: list):
        """A job back in progress after as many failed general checks as `new_parts`, with as many
        part lines, questions and clock stretches."""
        technician = make_user("technician")
        item = self.work(self.confirmed(), until="in_progress", technicians=[technician]).items.get()
        for index, part in enumerate(new_parts):
            desk.add_part_line(by=self.staff.advisor, item=item, part=part, quantity=1, at=self.now)
            desk.ask_customer(by=self.staff.advisor, item=item, question="要不要换？", at=self.now)
            at = self.now - timedelta(minutes=60 - 5 * index)
            item = workshop.finish(by=technician, item=item, at=at)
            workshop.sign_qc(by=technician, item=item, stage="self", result="pass", checklist=EVERY_CHECK, at=at)
            workshop.sign_qc(by=self.staff.inspector, item=item, stage="general", result="fail", notes="异响", at=at)
            item.refresh_from_db()
            item = workshop.start(by=technician, item=item, at=at + timedelta(minutes=1))
        return item

    def focal_objects(self, children: int) -> dict:
        clerk = self.staff.clerk
        customer = make_customer()
        for _child in range(children):
            delivered = self.settled(
                at=self.now - timedelta(days=3), delivered=True, vehicle=make_vehicle(customer=customer)
            )
            self.complaint(order=delivered)
        new_parts = [make_part(stock=10) for _child in range(children)]
        part = make_part(stock=0)
        for child in range(children):
            parts.receive_stock(by=clerk, part=part, quantity=child + 1, at=self.now)
        backorder = parts.create_backorder(
            by=self.staff.advisor,
            customer=customer,
            quantity=1,
            part=part,
            expected_on=timezone.localdate(self.now) + timedelta(days=3),
            at=self.now,
        )
        sale = parts.sell_over_counter(
            by=clerk, kind="retail", buyer_name="张三", lines=[(new, 1) for new in new_parts], at=self.now
        )
        gift = parts.save_gift_item(by=clerk, gift=GiftItem(name=f"纸巾盒{next(self.serial)}", unit_cost=Decimal(12)))
        for _child in range(children):
            parts.restock_gifts(by=clerk, gift=gift, quantity=2, at=self.now)
        order = self.focal_order(children, new_parts)
        item = self.focal_item(new_parts)
        escalation = workshop.escalate(by=item.technician, item=item, symptoms="异响", at=self.now)
        for _child in range(children):
            workshop.add_step(by=self.staff.foreman, escalation=escalation, text="读取数据流", at=self.now)
        # The follow-up call of a visit with `children` items, each done by another technician.
        technicians = [make_user("technician") for _child in range(children)]
        follow_up_order = self.settled(
            at=self.now - timedelta(days=3), delivered=True, items=children, technicians=technicians
        )
        follow_up = FollowUp.objects.get(repair_order=follow_up_order)
        template = make_sms_template(f"notice{next(self.serial)}")
        message = outbox.enqueue_sms(
            mobile=customer.mobile,
            kind=template.kind,
            context=template.sample,
            dedupe_key=f"budget:{next(self.serial)}",
            at=self.now,
        )
        rescue = care.request_rescue(
            by=self.staff.agent,
            caller=customer.name,
            mobile=customer.mobile,
            zone=RescueZone.objects.order_by("pk").first(),
            location="七一路",
            problem="无法启动",
            at=self.now,
        )
        appointment = desk.book_appointment(
            by=self.staff.advisor,
            vehicle=self.vehicle(),
            kind="regular",
            scheduled_at=self.now + timedelta(days=1),
            at=self.now,
        )
        return {
            "customer": customer.pk,
            "vehicle": customer.vehicles.order_by("pk").first().pk,
            "staff": self.staff.advisor.pk,
            "sms": message.pk,
            "sms_template": template.pk,
            "part": part.pk,
            "backorder": backorder.pk,
            "sale": sale.pk,
            "gift": gift.pk,
            "order": order.pk,
            "order_token": links.make_token(order),
            "item": item.pk,
            "escalation": escalation.pk,
            "appointment": appointment.pk,
            "labour": self.operations[-1].pk,
            "complaint": self.complaint(customer=customer, rounds=children).pk,
            "rescue": rescue.pk,
            "follow_up": follow_up.pk,
            "zone": rescue.zone_id,
            "yesterday": timezone.localdate(self.yesterday).isoformat(),
        }


def _who(world: World, name: str):
    """Whom a URL is requested as: a manager, who sees every row and every panel, or the advisor
    who owns the rows where the page shows the user's own (their desk)."""
    allowed = ACCESS[name][1]
    if allowed == PUBLIC:
        return None
    if name in MINE or "manager" not in allowed:
        assert "advisor" in allowed, f"{name}: say whom to request it as"
        return world.staff.advisor
    return world.staff.manager


def _path(world: World, name: str) -> str:
    template, _mark, query = ACCESS[name][0].partition("?")
    query = QUERY.get(name, f"?{query}" if query else "")
    return (template + query).format(**world.objects)


def _client(world: World, name: str) -> Client:
    """A client logged in as the URL's user (nothing is cached between requests: a first request
    makes as many queries as any other)."""
    client = Client()
    user = _who(world, name)
    if user is not None:
        client.force_login(user)
    return client


def _count(world: World, name: str) -> tuple[int, int]:
    client = _client(world, name)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_path(world, name))
    return response.status_code, len(queries)


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker):
    """Every GET URL counted with the first size of rows, then the world grown to the second size.

    The rows are built once for the module, in a transaction rolled back when the module ends."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = World(staff=_staffing(), now=timezone.now())
            world.grow(ROWS, CHILDREN)
            at_first_size = {name: _count(world, name) for name in GET_URLS}
            world.grow(ROWS, 2 * CHILDREN)
            yield world, at_first_size
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_every_get_url_has_a_budget():
    assert set(GET_URLS) - set(BUDGETS) == set()
    assert set(BUDGETS) - set(GET_URLS) == set()


@pytest.mark.parametrize("name", GET_URLS)
def test_queries_do_not_grow_with_rows_and_stay_within_budget(db, measured, name, django_assert_max_num_queries):
    assert name in BUDGETS, f"{name}: give it a budget in BUDGETS"
    world, at_first_size = measured
    status_before, queries_before = at_first_size[name]
    client = _client(world, name)

    with django_assert_max_num_queries(BUDGETS[name]) as queries:
        response = client.get(_path(world, name))

    assert (status_before, response.status_code) == (200, 200)
    assert len(queries) == queries_before, f"{name}: {queries_before} queries with N rows, {len(queries)} with 2N"
