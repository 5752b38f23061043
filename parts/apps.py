from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartsConfig(AppConfig):
    name = "parts"
    verbose_name = _("Parts")

    def ready(self) -> None:
        from dealership import demo as demo_data
        from dealership import navigation
        from parts import demo, selectors

        demo_data.register(demo.seed)

        navigation.register(
            navigation.Link(
                label=_("Parts catalogue"),
                description=_("Find a part by number, name or pinyin initials; prices and stock."),
                url_name="part_list",
                icon="box-seam",
                section=navigation.Section.PARTS,
            ),
            navigation.Link(
                label=_("Backorders"),
                description=_("Parts ordered for customers: delayed, arrived, collected."),
                url_name="backorder_list",
                icon="truck",
                section=navigation.Section.PARTS,
                waiting=lambda user, at: selectors.waiting_backorders(None, at),
            ),
            navigation.Link(
                label=_("My customers' parts"),
                description=_("The backorders you placed, and which have arrived."),
                url_name="backorder_mine",
                icon="truck",
                section=navigation.Section.DESK,
                waiting=lambda user, at: selectors.waiting_backorders(user, at),
            ),
            navigation.Link(
                label=_("Customers to phone"),
                description=_("Customers with a landline only: call them about their backorders and record it."),
                url_name="backorder_calls",
                icon="telephone",
                section=navigation.Section.PARTS,
                waiting=lambda user, at: selectors.waiting_calls(user, at),
            ),
            navigation.Link(
                label=_("Counter sales"),
                description=_("Sell parts to retail and wholesale customers, print the receipt."),
                url_name="sale_list",
                icon="receipt",
                section=navigation.Section.PARTS,
            ),
            navigation.Link(
                label=_("Gift stock"),
                description=_("Give a gift to a customer with a reason; stock and monthly cost."),
                url_name="gift_list",
                icon="gift",
                section=navigation.Section.PARTS,
            ),
        )
