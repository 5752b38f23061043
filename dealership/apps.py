from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealershipConfig(AppConfig):
    name = "dealership"
    verbose_name = _("Directory")

    def ready(self) -> None:
        from dealership import navigation
        from dealership.models import Role

        navigation.register(
            navigation.Link(
                label=_("Customers and vehicles"),
                description=_("Find a customer by name, mobile, plate or VIN; register a car."),
                url_name="customer_list",
                icon="people",
                section=navigation.Section.DESK,
            ),
            navigation.Link(
                label=_("SMS outbox"),
                description=_("Every text message: waiting, sent, failed; send again or settle unknown ones."),
                url_name="sms_list",
                icon="chat-dots",
                section=navigation.Section.CARE,
            ),
            navigation.Link(
                label=_("SMS templates and quiet hours"),
                description=_("The wording of each message, the signature, quiet hours and retries."),
                url_name="sms_template_list",
                icon="chat-square-text",
                section=navigation.Section.ADMIN,
            ),
            navigation.Link(
                label=_("API documentation"),
                description=_("The JSON API for integrations, with its OpenAPI schema."),
                url_name="api_docs",
                icon="braces",
                section=navigation.Section.ADMIN,
                roles=frozenset({Role.MANAGER}),
            ),
            navigation.Link(
                label=_("Administration"),
                description=_("Reference data, staff accounts and roles, change history."),
                url_name="admin:index",
                icon="gear",
                section=navigation.Section.ADMIN,
                roles=frozenset({Role.MANAGER}),
                staff_only=True,
            ),
        )
