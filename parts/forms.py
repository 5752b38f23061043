from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealership.fields import NormalizedFormField
from dealership.forms import DateInput
from dealership.identifiers import normalize_landline, normalize_mobile, validate_landline, validate_mobile
from dealership.models import Customer
from parts.models import GiftItem, GiftReason, Part, SaleKind
from parts.services import normalize_part_number


class PartNumberField(forms.CharField):
    """A part number typed or scanned at the counter, resolved to a catalogue part."""

    default_error_messages = {"unknown": _("No part with number %(number)s in the catalogue.")}

    def clean(self, value):
        number = normalize_part_number(super().clean(value) or "")
        if not number:
            return None
        try:
            return Part.objects.get(part_number=number)
        except Part.DoesNotExist as missing:
            raise forms.ValidationError(
                self.error_messages["unknown"], code="unknown", params={"number": number}
            ) from missing


class PartForm(forms.ModelForm):
    class Meta:
        model = Part
        fields = [
            "part_number",
            "name",
            "retail_price",
            "wholesale_price",
            "unit",
            "is_positional",
            "is_genuine",
            "is_approved",
            "origin",
        ]
        widgets = {
            "part_number": forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
            "retail_price": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
            "wholesale_price": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        }

    def clean_part_number(self):
        return normalize_part_number(self.cleaned_data["part_number"])


class PartEditForm(PartForm):
    class Meta(PartForm.Meta):
        fields = [name for name in PartForm.Meta.fields if name != "part_number"]


class ReceiveForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity received"), min_value=1, max_value=100_000)
    reference = forms.CharField(label=_("Delivery note"), max_length=40, required=False)


class AdjustForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("Change (+ found, − missing)"),
        min_value=-100_000,
        max_value=100_000,
        help_text=_("For example −2 when two are missing at the stock count."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)
    allow_negative = forms.BooleanField(
        label=_("Allow the stock to go below zero"),
        required=False,
        help_text=_("Only when parts were used before they were booked in; it is recorded."),
    )

    def clean_quantity(self):
        if self.cleaned_data["quantity"] == 0:
            raise forms.ValidationError(_("The quantity cannot be zero."))
        return self.cleaned_data["quantity"]


class ReturnForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity returned"), min_value=1, max_value=100_000)
    reason = forms.CharField(label=_("Reason"), max_length=200)
    reference = forms.CharField(label=_("Sale or work order number"), max_length=40, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Price list (CSV or Excel .xlsx)"))
    check_only = forms.BooleanField(label=_("Check only, save nothing"), required=False, initial=True)


class CustomerChoiceField(forms.ModelChoiceField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(queryset=Customer.objects.all(), **kwargs)


class BackorderForm(forms.Form):
    customer = CustomerChoiceField(
        label=_("Customer"), error_messages={"required": _("Find and choose the customer first.")}
    )
    part = PartNumberField(
        label=_("Part number"),
        required=False,
        max_length=40,
        help_text=_("Leave empty for a part not in the catalogue and describe it below."),
    )
    description = forms.CharField(
        label=_("Part description"),
        max_length=200,
        required=False,
        help_text=_("What exactly: part, position, colour, for which car."),
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1000, initial=1)
    mobile = NormalizedFormField(
        label=_("Mobile"),
        normalizer=normalize_mobile,
        validators=[validate_mobile],
        max_length=20,
        required=False,
        help_text=_("Empty: the customer's mobile."),
    )
    landline = NormalizedFormField(
        label=_("Landline"),
        normalizer=normalize_landline,
        validators=[validate_landline],
        max_length=28,
        required=False,
    )
    expected_on = forms.DateField(label=_("Expected arrival"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean_expected_on(self):
        if self.cleaned_data["expected_on"] < timezone.localdate():
            raise forms.ValidationError(_("The expected arrival cannot be in the past."))
        return self.cleaned_data["expected_on"]

    def clean(self):
        cleaned = super().clean()
        customer = cleaned.get("customer")
        if customer and not cleaned.get("mobile") and not cleaned.get("landline"):
            cleaned["mobile"], cleaned["landline"] = customer.mobile, customer.landline
        return cleaned


class ExpectedDateForm(forms.Form):
    expected_on = forms.DateField(label=_("New expected arrival"), widget=DateInput())
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_expected_on(self):
        if self.cleaned_data["expected_on"] < timezone.localdate():
            raise forms.ValidationError(_("The expected arrival cannot be in the past."))
        return self.cleaned_data["expected_on"]


class CallMadeForm(forms.Form):
    note = forms.CharField(label=_("What the customer said"), max_length=200, required=False, help_text=_("Optional."))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is it cancelled?"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput)


class SaleForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Price"), choices=SaleKind.choices, widget=forms.RadioSelect, initial=SaleKind.RETAIL
    )
    buyer_name = forms.CharField(label=_("Buyer"), max_length=60)


class SaleLineForm(forms.Form):
    part = PartNumberField(label=_("Part number"), max_length=40, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1000, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("part") and not cleaned.get("quantity"):
            self.add_error("quantity", _("How many?"))
        return cleaned


SaleLineFormSet = forms.formset_factory(SaleLineForm, extra=5, max_num=30)


class GiveGiftForm(forms.Form):
    customer = CustomerChoiceField(
        label=_("Customer"), error_messages={"required": _("Find and choose the customer first.")}
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=100, initial=1)
    reason = forms.ChoiceField(label=_("Reason"), choices=[c for c in GiftReason.choices if c[0] != GiftReason.RESTOCK])
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class RestockForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity received"), min_value=1, max_value=100_000)


class GiftItemForm(forms.ModelForm):
    class Meta:
        model = GiftItem
        fields = ["name", "unit_cost", "is_active"]
        widgets = {"unit_cost": forms.NumberInput(attrs={"step": "0.01", "min": "0.5", "max": "100"})}


class VersionForm(forms.Form):
    """The version of the object a page showed, posted with a button that changes it."""

    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
