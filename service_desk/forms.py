from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from dealership.forms import DateInput, DateTimeInput
from dealership.models import Vehicle
from dealership.permissions import staff_with_role
from parts.forms import PartNumberField
from service_desk.models import (
    AppointmentKind,
    AppointmentStatus,
    Category,
    ClaimStatus,
    DeskPolicy,
    LabourOperation,
    Position,
    Rating,
)


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        staff = getattr(user, "staff", None)
        return staff.name if staff else user.get_username()


class VehicleChoiceField(forms.ModelChoiceField):
    """A vehicle chosen from the plate search (its id in a hidden field)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        message = _("Find the car by its plate first.")
        kwargs.setdefault("error_messages", {"required": message, "invalid_choice": message})
        super().__init__(queryset=Vehicle.objects.select_related("customer"), **kwargs)


class ArrivalForm(forms.Form):
    vehicle = VehicleChoiceField()
    appointment = forms.IntegerField(required=False, widget=forms.HiddenInput)
    mileage_km = forms.IntegerField(
        label=_("Mileage (km)"),
        required=False,
        min_value=0,
        max_value=2_000_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class AppointmentForm(forms.Form):
    vehicle = VehicleChoiceField()
    kind = forms.ChoiceField(
        label=_("Kind of visit"),
        choices=AppointmentKind.choices,
        widget=forms.RadioSelect,
        initial=AppointmentKind.REGULAR,
    )
    scheduled_at = forms.DateTimeField(label=_("Time"), widget=DateTimeInput())
    advisor = StaffChoiceField(
        label=_("Service advisor"),
        queryset=staff_with_role("advisor"),
        required=False,
        help_text=_("Green-channel visits: the dedicated advisor. Empty: yourself."),
    )
    added_value_service = forms.CharField(
        label=_("Added-value service"),
        max_length=100,
        required=False,
        help_text=_("e.g. free car wash, free 21-point check"),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CloseAppointmentForm(forms.Form):
    """The customer did not come, or cancelled; the version the list showed."""

    to = forms.ChoiceField(
        label=_("Status"),
        choices=[(status.value, status.label) for status in (AppointmentStatus.NO_SHOW, AppointmentStatus.CANCELLED)],
    )
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class WalkaroundForm(forms.Form):
    mileage_km = forms.IntegerField(
        label=_("Mileage (km)"),
        min_value=0,
        max_value=2_000_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    fuel_eighths = forms.TypedChoiceField(
        label=_("Fuel"),
        coerce=int,
        choices=[(n, label) for n, label in enumerate(["E", "1/8", "1/4", "3/8", "1/2", "5/8", "3/4", "7/8", "F"])],
        widget=forms.RadioSelect,
    )
    damage = forms.CharField(
        label=_("Damage found"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Scratches, dents, cracks: where and how big. Empty: none."),
    )
    valuables = forms.CharField(label=_("Valuables left in the car"), max_length=200, required=False)
    covers_fitted = forms.BooleanField(label=_("Seat, wheel and floor covers fitted (三件套)"), required=False)
    customer_requests = forms.CharField(
        label=_("The customer's requests, in their words"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    signed_by = forms.CharField(label=_("Customer's name (signature)"), max_length=30)
    signature = forms.CharField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ItemForm(forms.Form):
    labour_operation = forms.ModelChoiceField(
        label=_("Labour operation"),
        required=False,
        queryset=LabourOperation.objects.filter(is_active=True).order_by("category", "code"),
        help_text=_("From the price board; or leave empty and describe the work."),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", "—"), *Category.choices],
        required=False,
        help_text=_("Empty: the operation's own category."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    position = forms.ChoiceField(label=_("Position"), choices=[("", "—"), *Position.choices], required=False)
    labour_price = forms.DecimalField(
        label=_("Labour price"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Empty: the price board's price."),
    )
    labour_hours = forms.DecimalField(
        label=_("Flat-rate hours"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=99,
        required=False,
        help_text=_("Empty: the operation's hours. For free-text work: the hours the workshop plans."),
    )

    def clean(self):
        cleaned = super().clean()
        operation = cleaned.get("labour_operation")
        if operation and not cleaned.get("category"):
            cleaned["category"] = operation.category
        if not cleaned.get("category"):
            self.add_error("category", _("Choose a category."))
        return cleaned


class PartLineForm(forms.Form):
    part = PartNumberField(label=_("Part number"), max_length=40)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=100, initial=1)


class BackorderPartForm(PartLineForm):
    expected_on = forms.DateField(label=_("Expected arrival"), widget=DateInput())


class ConfirmForm(forms.Form):
    signed_by = forms.CharField(label=_("Customer's name (signature)"), max_length=30)
    version = forms.IntegerField(widget=forms.HiddenInput)


class OverrunForm(forms.Form):
    new_promise = forms.DateTimeField(label=_("New finish time"), widget=DateTimeInput())
    reason = forms.CharField(label=_("Why"), max_length=200)


class CancelOrderForm(forms.Form):
    reason = forms.CharField(label=_("Why is the order cancelled?"), max_length=200)


class RatingForm(forms.Form):
    rating = forms.ChoiceField(choices=[(r.value, r.label) for r in Rating if r != Rating.MISSING])


class ScriptViolationForm(forms.Form):
    advisor = StaffChoiceField(label=_("Advisor"), queryset=staff_with_role("advisor"))
    day = forms.DateField(label=_("Day"), widget=DateInput())
    note = forms.CharField(
        label=_("What was heard"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. no greeting, no name given")}),
    )


class MeetingForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DateInput())
    attendees = forms.CharField(label=_("Attendees"), max_length=200, required=False)
    problems = forms.CharField(label=_("Problems of the day"), widget=forms.Textarea(attrs={"rows": 4}))
    decision = forms.CharField(label=_("Decision"), max_length=200, required=False)
    owner = StaffChoiceField(
        label=_("Owner"),
        queryset=get_user_model()
        .objects.filter(is_active=True)
        .exclude(groups=None)
        .select_related("staff")
        .order_by("staff__name"),
        required=False,
    )
    due_on = forms.DateField(label=_("Due"), required=False, widget=DateInput())


class HandoverForm(forms.Form):
    vehicle = VehicleChoiceField()
    handed_over_on = forms.DateField(label=_("Handed over on"), widget=DateInput())
    sales_person = forms.CharField(label=_("Sales consultant"), max_length=30)
    advisor = StaffChoiceField(label=_("Service advisor"), queryset=staff_with_role("advisor"))
    care_agent = StaffChoiceField(label=_("Customer care"), queryset=staff_with_role("callcentre"))
    first_service_on = forms.DateField(label=_("First maintenance by"), widget=DateInput())
    first_service_km = forms.IntegerField(label=_("or at (km)"), min_value=500, max_value=20_000, initial=5000)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ClaimForm(forms.Form):
    insurer = forms.CharField(label=_("Insurer"), max_length=60)
    claim_number = forms.CharField(label=_("Claim number"), max_length=40)
    specialist = StaffChoiceField(
        label=_("Claims specialist"),
        queryset=get_user_model()
        .objects.filter(is_active=True)
        .exclude(groups=None)
        .select_related("staff")
        .order_by("staff__name"),
    )


class ClaimUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ClaimStatus.choices)
    approved_amount = forms.DecimalField(
        label=_("Approved amount"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class PairingForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DateInput())
    first = StaffChoiceField(label=_("Advisor"), queryset=staff_with_role("advisor"))
    second = StaffChoiceField(label=_("Partner"), queryset=staff_with_role("advisor"))


class LabourOperationForm(forms.ModelForm):
    class Meta:
        model = LabourOperation
        fields = ["code", "name", "category", "hours", "price", "is_positional", "is_active"]


class DeskPolicyForm(forms.ModelForm):
    class Meta:
        model = DeskPolicy
        fields = [
            "greet_within_s",
            "in_bay_within_s",
            "workday_start",
            "workday_end",
            "technicians_on_shift",
            "reconfirm_after_items",
            "green_channel_advisor",
            "phone_script",
        ]
        field_classes = {"green_channel_advisor": StaffChoiceField}
        widgets = {
            "workday_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "workday_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["green_channel_advisor"].queryset = staff_with_role("advisor")
