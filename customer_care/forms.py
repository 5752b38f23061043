from datetime import timedelta
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

from customer_care.models import (
    BroadcastKind,
    CarePolicy,
    Channel,
    ComplaintCategory,
    ComplaintPolicy,
    Line,
    RescueZone,
    Satisfaction,
)
from customer_care.selectors import ledger_people
from dealership.errors import DomainError
from dealership.forms import DateInput, DateTimeInput
from dealership.identifiers import normalize_mobile, validate_mobile
from dealership.models import Customer
from dealership.permissions import staff_with_role
from service_desk.forms import StaffChoiceField
from service_desk.models import RepairOrder


class CustomerChoiceField(forms.ModelChoiceField):
    """A customer chosen with the picker (dealership/_customer_field.html), its id in a hidden field."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        message = _("Find and choose the customer first.")
        kwargs.setdefault("error_messages", {"required": message, "invalid_choice": message})
        super().__init__(queryset=Customer.objects.all(), **kwargs)


def _advisors():
    return staff_with_role("advisor")


class ComplaintForm(forms.Form):
    customer = CustomerChoiceField()
    channel = forms.ChoiceField(label=_("Came in by"), choices=Channel.choices, initial=Channel.HOTLINE)
    category = forms.ChoiceField(label=_("About"), choices=ComplaintCategory.choices)
    summary = forms.CharField(
        label=_("What the customer says"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    assignee = StaffChoiceField(label=_("Responsible advisor"), queryset=_advisors())
    repair_order_number = forms.CharField(
        label=_("Work order number"), max_length=20, required=False, help_text=_("If it is about a visit.")
    )
    counter_sale_number = forms.CharField(
        label=_("Parts sale number"), max_length=20, required=False, help_text=_("If it is about a parts sale.")
    )
    is_serious = forms.BooleanField(label=_("Serious"), required=False)
    dealership_at_fault = forms.BooleanField(label=_("The dealership is at fault"), required=False)


class ComplaintAboutForm(forms.Form):
    """`?order=` on the new-complaint page: the visit the complaint is about, to fill in its customer and advisor."""

    order = forms.ModelChoiceField(queryset=RepairOrder.objects.select_related("customer"), required=False)


class CustomerOrdersForm(forms.Form):
    """`?customer=` of the new-complaint page's list of the chosen customer's latest visits."""

    customer = CustomerChoiceField()


class StepForm(forms.Form):
    """Respond, organise or close: what was said or done, and the version the user saw."""

    text = forms.CharField(label=_("What was said or done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why reopen"), max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReassignForm(forms.Form):
    assignee = StaffChoiceField(label=_("Hand to"), queryset=_advisors())
    version = forms.IntegerField(widget=forms.HiddenInput)


class HomeVisitForm(forms.Form):
    planned_for = forms.DateTimeField(label=_("Visit on"), widget=DateTimeInput())
    manager = StaffChoiceField(label=_("Service manager"), queryset=staff_with_role("manager"))
    technician = StaffChoiceField(label=_("Technician"), queryset=staff_with_role("technician"))


class VisitOutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("How the visit went"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    gift = forms.ModelChoiceField(label=_("Gift handed over"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        from parts.models import GiftItem

        super().__init__(*args, **kwargs)
        self.fields["gift"].queryset = GiftItem.objects.filter(is_active=True, stock_on_hand__gt=0).order_by("name")


def _is_mobile(number: str) -> bool:
    try:
        validate_mobile(number)
    except forms.ValidationError:
        return False
    return True


class RescueForm(forms.Form):
    caller = forms.CharField(label=_("Caller"), max_length=50)
    customer = CustomerChoiceField(required=False)
    mobile = forms.CharField(
        label=_("Mobile"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
        help_text=_("Empty: the customer's mobile."),
    )
    plate = forms.CharField(label=_("Plate"), max_length=10, required=False)
    zone = forms.ModelChoiceField(
        label=_("Zone"), queryset=RescueZone.objects.filter(is_active=True), empty_label=None, to_field_name="code"
    )
    location = forms.CharField(label=_("Where is the car"), max_length=200)
    problem = forms.CharField(label=_("What is wrong"), max_length=300)


class DispatchForm(forms.Form):
    crew = forms.CharField(label=_("Crew and vehicle"), max_length=100)
    version = forms.IntegerField(widget=forms.HiddenInput)


class RescueArrivedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class CancelRescueForm(forms.Form):
    reason = forms.CharField(label=_("Why called off"), max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput)


class QueueScopeForm(forms.Form):
    """`?all=1` on the follow-up queue: everyone's calls, not only the agent's own."""

    all = forms.BooleanField(required=False, widget=BooleanWidget)


class CallForm(forms.Form):
    NEXT = [
        ("log", _("Log the call")),
        ("complaint", _("Log it and raise a complaint")),
        ("rescue", _("Log it and send a rescue")),
    ]

    line = forms.ChoiceField(label=_("Line"), choices=Line.choices, widget=forms.RadioSelect, initial=Line.HOTLINE)
    caller = forms.CharField(label=_("Caller"), max_length=50)
    number = forms.CharField(
        label=_("Number called from"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    customer = CustomerChoiceField(required=False)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    outcome = forms.CharField(label=_("Outcome"), max_length=300, required=False)
    then = forms.ChoiceField(choices=NEXT, widget=forms.HiddenInput, initial="log")
    # For a complaint
    category = forms.ChoiceField(label=_("Complaint about"), choices=ComplaintCategory.choices, required=False)
    assignee = StaffChoiceField(label=_("Responsible advisor"), queryset=_advisors(), required=False)
    # For a rescue
    zone = forms.ModelChoiceField(
        label=_("Rescue zone"), queryset=RescueZone.objects.filter(is_active=True), required=False, to_field_name="code"
    )
    location = forms.CharField(label=_("Where is the car"), max_length=200, required=False)
    plate = forms.CharField(label=_("Plate"), max_length=10, required=False)
    rescue_mobile = forms.CharField(
        label=_("Mobile for the arrival text"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
        help_text=_("Empty: the number called from when it is a mobile, else the customer's mobile."),
    )

    def clean(self):
        cleaned = super().clean()
        then = cleaned.get("then")
        if then == "rescue":
            # A number typed for the text, else the one called from, else the customer's own (CC03).
            customer = cleaned.get("customer")
            typed = cleaned.get("rescue_mobile")
            candidates = [typed] if typed else [cleaned.get("number"), customer.mobile if customer else ""]
            mobile = next((m for m in map(normalize_mobile, filter(None, candidates)) if _is_mobile(m)), "")
            if not mobile:
                self.add_error("rescue_mobile", _("The crew's arrival is texted: give a mainland mobile number."))
            else:
                cleaned["rescue_mobile"] = mobile
        if then == "complaint":
            for name in ("category", "assignee"):
                if not cleaned.get(name):
                    self.add_error(name, _("Needed for the complaint."))
        if then == "rescue":
            for name in ("zone", "location"):
                if not cleaned.get(name):
                    self.add_error(name, _("Needed for the rescue."))
        return cleaned


class FollowUpForm(forms.Form):
    reached = forms.TypedChoiceField(
        label=_("Reached the customer?"),
        choices=[("1", _("Yes")), ("0", _("No answer"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    satisfaction = forms.ChoiceField(
        label=_("Satisfaction"), choices=Satisfaction.choices, required=False, widget=forms.RadioSelect
    )
    praised = forms.MultipleChoiceField(label=_("Praised by name"), required=False, widget=forms.CheckboxSelectMultiple)
    notes = forms.CharField(label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    complaint = forms.BooleanField(label=_("The customer has a complaint"), required=False)
    complaint_category = forms.ChoiceField(
        label=_("Complaint about"), choices=ComplaintCategory.choices, required=False
    )
    complaint_summary = forms.CharField(
        label=_("What the customer complains about"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, praise_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(person.pk): person for person in praise_choices}
        self.fields["praised"].choices = [
            (pk, getattr(getattr(person, "staff", None), "name", person.get_username()))
            for pk, person in self.people.items()
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reached") and not cleaned.get("satisfaction"):
            self.add_error("satisfaction", _("How satisfied was the customer?"))
        if cleaned.get("complaint") and not cleaned.get("reached"):
            self.add_error(
                "complaint", _("A complaint is raised when the customer was reached; otherwise raise it by hand.")
            )
        elif cleaned.get("complaint") and not (cleaned.get("complaint_summary") or "").strip():
            self.add_error("complaint_summary", _("Write down what the customer complains about."))
        return cleaned

    def praised_people(self) -> list:
        return [self.people[pk] for pk in self.cleaned_data.get("praised", [])]


class BroadcastForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=BroadcastKind.choices, widget=forms.RadioSelect)
    text = forms.CharField(label=_("Message"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))
    visited_within_days = forms.IntegerField(
        label=_("Customers who visited in the last ... days"),
        required=False,
        min_value=1,
        max_value=3650,
        help_text=_("Empty: every customer."),
    )
    model_contains = forms.CharField(
        label=_("Whose car model contains"), max_length=40, required=False, help_text=_("e.g. 迈腾")
    )


class DurationMinutesField(forms.IntegerField):
    """A duration typed in whole minutes."""

    def prepare_value(self, value):
        return int(value.total_seconds() // 60) if isinstance(value, timedelta) else value

    def clean(self, value):
        minutes = super().clean(value)
        return None if minutes is None else timedelta(minutes=minutes)


class ComplaintPolicyForm(forms.ModelForm):
    respond_within = DurationMinutesField(label=_("Respond within (minutes)"), min_value=1, max_value=24 * 60)
    organise_within = DurationMinutesField(label=_("Organise within (minutes)"), min_value=1, max_value=7 * 24 * 60)
    close_within = DurationMinutesField(label=_("Close within (minutes)"), min_value=1, max_value=60 * 24 * 60)
    manager_after = DurationMinutesField(
        label=_("Escalate to the service manager after (minutes)"), min_value=0, max_value=7 * 24 * 60
    )
    general_manager_after = DurationMinutesField(
        label=_("Escalate to the general manager after (minutes)"), min_value=0, max_value=30 * 24 * 60
    )

    class Meta:
        model = ComplaintPolicy
        fields = ComplaintPolicy.EDITABLE
        field_classes = {"service_manager": StaffChoiceField, "general_manager": StaffChoiceField}
        widgets = {
            "day_starts": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "day_ends": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_manager"].queryset = staff_with_role("manager")
        self.fields["general_manager"].queryset = staff_with_role("manager")
        # The rules across fields are ComplaintPolicy.clean(), which the API applies too.


class CarePolicyForm(forms.ModelForm):
    retry_after = DurationMinutesField(label=_("Call again after (minutes)"), min_value=10, max_value=7 * 24 * 60)

    class Meta:
        model = CarePolicy
        fields = [
            "follow_up_hour",
            "follow_up_attempts",
            "retry_after",
            "maintenance_every_days",
            "maintenance_every_km",
            "remind_days_before",
        ]
        widgets = {"follow_up_hour": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}


class PairingForm(forms.Form):
    advisor = StaffChoiceField(label=_("Service advisor"), queryset=_advisors())
    care_agent = StaffChoiceField(
        label=_("Customer-care advisor"),
        queryset=staff_with_role("callcentre"),
        required=False,
        help_text=_("Empty: the advisor's pairing is removed and their follow-up calls are anyone's."),
    )


# A service's refusal names the service's argument; the form's field may be called otherwise.
FIELD_OF = {"repair_order": "repair_order_number", "counter_sale": "counter_sale_number", "mobile": "rescue_mobile"}


def add_refusal(form: forms.Form, refused: DomainError | ValidationError) -> None:
    """A service's refusal shown on the form, under the field it is about where the form has it."""
    if not isinstance(refused, ValidationError):
        refused = ValidationError(str(refused))
    if not hasattr(refused, "error_dict"):
        form.add_error(None, refused)
        return
    for field, errors in refused.error_dict.items():
        field = FIELD_OF.get(field, field) if FIELD_OF.get(field, field) in form.fields else field
        form.add_error(field if field in form.fields else None, errors)


# --- Ledger pages (IN07, IN08, CC09 / IN09) --------------------------------------------------------------


def _ledger_people():
    return ledger_people().filter(is_active=True)


class ManualEntryForm(forms.Form):
    """IN07: a manager's bonus or penalty. Bonus or penalty is chosen, not typed as a sign: a phone's
    number pad has no minus key."""

    BONUS, PENALTY = "bonus", "penalty"

    staff = StaffChoiceField(label=_("Person"), queryset=None)
    kind = forms.ChoiceField(
        label=_("Bonus or penalty"),
        choices=[(BONUS, _("Bonus")), (PENALTY, _("Penalty"))],
        widget=forms.RadioSelect,
        initial=BONUS,
    )
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The person reads it on their statement."),
        error_messages={"required": _("Say why: the person reads it on their statement.")},
    )
    occurred_on = forms.DateField(label=_("Day it happened"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = _ledger_people()

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount < 0:
            raise forms.ValidationError(_("Give the amount without a sign and choose bonus or penalty."))
        if not amount:  # the service refuses it too; said here with the other fields' errors
            raise forms.ValidationError(_("An entry of ¥0.00 changes nothing."))
        return amount

    def signed_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        return -amount if self.cleaned_data["kind"] == self.PENALTY else amount


class ReverseEntryForm(forms.Form):
    reason = forms.CharField(
        label=_("Why reverse it"),
        max_length=250,
        error_messages={"required": _("Say why the entry is reversed.")},
    )


class RateForm(forms.Form):
    """A new rate for one case of a rule, from a day on (IN01-IN04, IN08)."""

    case = forms.ChoiceField(label=_("Rule and case"))
    amount = forms.DecimalField(
        label=_("New rate"),
        decimal_places=2,
        help_text=_("Yuan (a penalty as a negative amount, e.g. -5); for commission on output, a percentage."),
    )
    effective_from = forms.DateField(label=_("In force from"), widget=DateInput())

    def __init__(self, *args, cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = [(f"{rule}:{key}", f"{rule} · {label}") for rule, key, label, _unit in cases]

    def rule_and_key(self) -> tuple[str, str]:
        rule, _colon, key = self.cleaned_data["case"].partition(":")
        return rule, key


class FaultForm(forms.Form):
    """CC09 / IN09: one person responsible for a complaint at the dealership's fault, why, and the penalty."""

    staff = StaffChoiceField(label=_("Responsible"), queryset=None, required=False)
    reason = forms.CharField(label=_("Why"), max_length=300, required=False)
    penalty = forms.DecimalField(
        label=_("Penalty (yuan)"),
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0.01"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = _ledger_people()

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) not in (None, "") for name in ("staff", "reason", "penalty")):
            return cleaned  # an empty row: nobody named in it
        for name, message in (
            ("staff", _("Name the person.")),
            ("reason", _("Say why each person was responsible.")),
            ("penalty", _("Give the penalty.")),
        ):
            if cleaned.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, message)
        return cleaned


class BaseFaultFormSet(forms.BaseFormSet):
    def responsible(self) -> list[tuple]:
        """The rows that name someone: (person, why, penalty) for services.record_fault."""
        return [
            (form.cleaned_data["staff"], form.cleaned_data["reason"], form.cleaned_data["penalty"])
            for form in self.forms
            if form.cleaned_data.get("staff")
        ]


FaultFormSet = forms.formset_factory(FaultForm, formset=BaseFaultFormSet, extra=3, max_num=10)
