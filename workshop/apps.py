from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopConfig(AppConfig):
    name = "workshop"
    verbose_name = _("Workshop")

    def ready(self) -> None:
        from dealership import demo as demo_data
        from dealership import navigation
        from service_desk import capacity
        from workshop import demo
        from workshop.selectors import technicians_on_shift

        capacity.register(technicians_on_shift)  # the promised time counts who is on today's shift
        demo_data.register(demo.seed)
        navigation.register(
            navigation.Link(
                label=_("Dispatch board"),
                url_name="board",
                icon="kanban",
                section=navigation.Section.WORKSHOP,
                description=_("Every job by state: dispatch, clock, QC, rework. Refreshes itself."),
            ),
            navigation.Link(
                label=_("Escalations"),
                url_name="escalation_list",
                icon="life-preserver",
                section=navigation.Section.WORKSHOP,
                description=_("Difficult faults examined by the technical director and group."),
            ),
            navigation.Link(
                label=_("Difficult-case library"),
                url_name="library",
                icon="book",
                section=navigation.Section.WORKSHOP,
                description=_("Solved cases by model, symptom and fault code; yesterday's for training."),
            ),
            navigation.Link(
                label=_("Shifts"),
                url_name="shifts",
                icon="people",
                section=navigation.Section.WORKSHOP,
                description=_("Who is on today."),
            ),
            navigation.Link(
                label=_("6S checks"),
                url_name="six_s",
                icon="check2-square",
                section=navigation.Section.WORKSHOP,
                description=_("Weekly 6S check per area with its responsible people."),
            ),
            navigation.Link(
                label=_("Team leaders"),
                url_name="leaders",
                icon="award",
                section=navigation.Section.WORKSHOP,
                description=_("Quarterly assessment; two quarters below standard are flagged."),
            ),
            navigation.Link(
                label=_("Workshop report"),
                url_name="workshop_reports",
                icon="graph-up",
                section=navigation.Section.REPORTS,
                description=_("Rework rates, efficiency and productivity by technician and team."),
            ),
        )
