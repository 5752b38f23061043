from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomerCareConfig(AppConfig):
    name = "customer_care"
    verbose_name = _("Customer care")
