from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomerCareConfig(AppConfig):
    name = "customer_care"
    verbose_name = _("Customer care")

    def ready(self) -> None:
        from customer_care import demo, receivers, selectors
        from dealership import customer_panels, navigation
        from dealership import demo as demo_data
        from dealership.models import Role
        from service_desk.signals import order_delivered, order_settled, script_violation_recorded

        order_delivered.connect(receivers.after_delivery, dispatch_uid="customer_care.after_delivery")
        order_settled.connect(receivers.after_settlement, dispatch_uid="customer_care.after_settlement")
        script_violation_recorded.connect(
            receivers.after_script_violation, dispatch_uid="customer_care.after_script_violation"
        )
        for title, template, rows, roles in (
            (
                _("Complaints"),
                "customer_care/_customer_complaints.html",
                selectors.customer_complaints,
                {Role.CALLCENTRE, Role.MANAGER},
            ),
            (
                _("Follow-up calls"),
                "customer_care/_customer_follow_ups.html",
                selectors.customer_follow_ups,
                {Role.CALLCENTRE, Role.MANAGER},
            ),
        ):
            customer_panels.register(
                customer_panels.Panel(title=title, template=template, rows=rows, roles=frozenset(roles))
            )
        demo_data.register(demo.seed)
        navigation.register(
            navigation.Link(
                label=_("Follow-up calls"),
                description=_("Yesterday's deliveries to call, and calls to try again."),
                url_name="follow_up_queue",
                icon="telephone-outbound",
                section=navigation.Section.CARE,
                waiting=selectors.waiting_follow_ups,
            ),
            navigation.Link(
                label=_("Complaints"),
                description=_("Complaint sheets with their deadlines counting down."),
                url_name="complaint_queue",
                icon="exclamation-octagon",
                section=navigation.Section.CARE,
                waiting=selectors.waiting_complaints,
            ),
            navigation.Link(
                label=_("Call log"),
                description=_("Hotline and rescue-line calls; a call becomes a complaint or a rescue in one step."),
                url_name="call_log",
                icon="headset",
                section=navigation.Section.CARE,
            ),
            navigation.Link(
                label=_("Rescue board"),
                description=_("Rescues under way with their promised arrival."),
                url_name="rescue_board",
                icon="truck",
                section=navigation.Section.CARE,
                waiting=selectors.waiting_rescues,
            ),
            navigation.Link(
                label=_("Greetings and weather notes"),
                description=_("Care texts to a chosen group of customers."),
                url_name="broadcasts",
                icon="megaphone",
                section=navigation.Section.CARE,
            ),
            navigation.Link(
                label=_("Customer care settings"),
                description=_("Complaint deadlines and escalation, follow-up calls, care texts, pairings."),
                url_name="care_settings",
                icon="sliders",
                section=navigation.Section.CARE,
            ),
            navigation.Link(
                label=_("My bonuses and penalties"),
                description=_("This month's entries and statement; managers see everyone's and post by hand."),
                url_name="ledger",
                icon="wallet2",
                section=navigation.Section.REPORTS,
            ),
            navigation.Link(
                label=_("Published ranking"),
                description=_("The closed months' awards and ranking, as posted on the wall."),
                url_name="award_notice",
                icon="award",
                section=navigation.Section.REPORTS,
            ),
            navigation.Link(
                label=_("Monthly awards and ranking"),
                description=_("Preview the month, then close it: the awards post once and the month locks."),
                url_name="report_awards",
                icon="trophy",
                section=navigation.Section.REPORTS,
            ),
            navigation.Link(
                label=_("Reports"),
                description=_("Weekly figures per advisor, rework rates, complaint deadlines kept, reception timing."),
                url_name="reports",
                icon="bar-chart-line",
                section=navigation.Section.REPORTS,
            ),
            navigation.Link(
                label=_("Bonus and penalty rates"),
                description=_("What each rule pays or costs, and from which day a new rate applies."),
                url_name="ledger_rates",
                icon="cash-coin",
                section=navigation.Section.ADMIN,
            ),
        )
