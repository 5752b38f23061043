from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceDeskConfig(AppConfig):
    name = "service_desk"
    verbose_name = _("Service desk")

    def ready(self) -> None:
        from dealership import customer_panels, navigation
        from dealership import demo as demo_data
        from dealership.models import Role
        from parts.signals import backorder_arrived
        from service_desk import demo, receivers, selectors

        backorder_arrived.connect(receivers.fit_arrived_part, dispatch_uid="service_desk.fit_arrived_part")
        customer_panels.register(
            customer_panels.Panel(
                title=_("Visits"),
                template="service_desk/_customer_orders.html",
                rows=selectors.customer_orders,
                roles=frozenset({Role.ADVISOR, Role.FOREMAN, Role.CALLCENTRE, Role.MANAGER}),
            )
        )
        demo_data.register(demo.seed)
        navigation.register(
            navigation.Link(
                label=_("Front desk"),
                description=_("Today's appointments, customers waiting, your open work orders."),
                url_name="desk",
                icon="person-workspace",
                section=navigation.Section.DESK,
            ),
            navigation.Link(
                label=_("Appointments"),
                description=_("Book a visit; the green channel for quick maintenance, rework and complaints."),
                url_name="appointment_list",
                icon="calendar-check",
                section=navigation.Section.DESK,
            ),
            navigation.Link(
                label=_("Work orders"),
                description=_("Every work order, searchable by number, plate or customer."),
                url_name="order_list",
                icon="clipboard-check",
                section=navigation.Section.DESK,
            ),
            navigation.Link(
                label=_("Daily report"),
                description=_("Yesterday's output by category and advisor, reception timing."),
                url_name="daily_report",
                icon="bar-chart",
                section=navigation.Section.REPORTS,
            ),
            navigation.Link(
                label=_("Evening meetings and handovers"),
                description=_("Meeting minutes and decisions, new-car handovers, insurance claims, desk pairs."),
                url_name="desk_records",
                icon="journal-text",
                section=navigation.Section.DESK,
            ),
            navigation.Link(
                label=_("Labour prices"),
                description=_("Labour operations with their flat-rate hours and prices; the public price board."),
                url_name="labour_list",
                icon="tags",
                section=navigation.Section.ADMIN,
            ),
        )
