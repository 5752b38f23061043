from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealership.fields import NormalizedFormField
from dealership.identifiers import normalize_mobile, validate_mobile
from dealership.models import Customer, SmsPolicy, SmsTemplate, Vehicle
from dealership.services import check_vin_is_new
from dealership.sms_templates import check_template_body


class DateInput(forms.DateInput):
    """The browser's date picker, given its value as 2026-11-27 whatever the page's language (the
    picker reads no other form, and shows an initial value in a localised form as empty)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker, given its value as 2026-11-27T09:30."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class VersionedForm(forms.ModelForm):
    """Carries the version the form was opened at, so a save over someone else's change is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["version"].initial = self.instance.version


class CustomerForm(VersionedForm):
    confirm_duplicate = forms.BooleanField(
        label=_("Yes, this is another person with the same mobile"), required=False, widget=forms.HiddenInput
    )

    class Meta:
        model = Customer
        fields = ["name", "mobile", "landline", "sms_opt_out"]
        widgets = {
            "mobile": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "landline": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }
        help_texts = {"landline": _("Optional, with the area code: 0394-8123456.")}

    def clean(self):
        cleaned = super().clean()
        mobile = cleaned.get("mobile")
        if mobile and not cleaned.get("confirm_duplicate"):
            others = list(Customer.objects.filter(mobile=mobile).exclude(pk=self.instance.pk).order_by("pk")[:3])
            if others:
                self.fields["confirm_duplicate"].widget = forms.CheckboxInput()
                self.add_error(
                    "mobile",
                    _(
                        "Already the mobile of %(names)s: open that customer instead, or tick the "
                        "box below if this is another person."
                    )
                    % {"names": "、".join(customer.name for customer in others)},
                )
        return cleaned


class VehicleForm(VersionedForm):
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

    def clean_vin(self):
        vin = self.cleaned_data["vin"]
        check_vin_is_new(vin)
        return vin


class VehicleEditForm(VehicleForm):
    class Meta(VehicleForm.Meta):
        fields = ["plate", "model_name", "mileage_km"]


class SmsTemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}), max_length=500)

    def __init__(self, *args, template: SmsTemplate, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        names = "、".join(f"{{{name}}}" for name in template.placeholders) or "—"
        self.fields["body"].help_text = _("Placeholders this message can use: %(names)s.") % {"names": names}

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        check_template_body(body, self.template.placeholders)
        return body


class SmsPolicyForm(forms.ModelForm):
    class Meta:
        model = SmsPolicy
        fields = ["signature", "quiet_from", "quiet_until", "max_attempts"]
        widgets = {
            "quiet_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }


class TestSmsForm(forms.Form):
    mobile = NormalizedFormField(
        label=_("Mobile"),
        normalizer=normalize_mobile,
        validators=[validate_mobile],
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    customer = forms.CharField(label=_("Addressed to"), max_length=20, initial="张先生")


def posted_action(request, form_class, service, target: str):
    """An action on one object for a view to run: validate the posted form, then call
    service(by=request.user, at=now, <target>=obj, **the form's fields); errors as one message."""
    form = form_class(request.POST)

    def action(obj):
        if not form.is_valid():
            raise form_errors(form)
        service(by=request.user, at=timezone.now(), **{target: obj}, **form.cleaned_data)

    return action


def form_errors(form) -> ValidationError:
    """A posted form's errors as one ValidationError for a flash message, each with its field's label."""
    found = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        found += [_("%(field)s: %(error)s") % {"field": label, "error": error} if label else error for error in errors]
    return ValidationError(found)
