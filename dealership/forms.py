from django import forms
from django.utils.translation import gettext_lazy as _

from dealership.models import Customer, Vehicle


class CustomerForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = ["name", "mobile", "landline"]
        widgets = {
            "mobile": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "landline": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }
        help_texts = {"landline": _("Optional, with the area code: 0394-8123456.")}


class VehicleForm(forms.ModelForm):
    class Meta:
        model = Vehicle
        fields = ["vin", "plate", "model_name", "mileage_km"]
        widgets = {
            "vin": forms.TextInput(
                attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}
            ),
            "plate": forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
            "mileage_km": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
        }
        help_texts = {
            "vin": _("17 characters from the windscreen or the registration certificate."),
            "plate": _("Leave empty for a car not yet registered."),
        }


class VehicleEditForm(VehicleForm):
    class Meta(VehicleForm.Meta):
        fields = ["plate", "model_name", "mileage_km"]
