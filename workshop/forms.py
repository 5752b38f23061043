from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from dealership.forms import DateInput, DateTimeInput
from service_desk.forms import StaffChoiceField
from workshop.models import QC_CHECKLIST, SIX_S, FaultKind, PauseReason, QcResult, QcStage, SixSArea
from workshop.selectors import team_leaders

SIX_S_LABELS = {
    "seiri": _("Sort (整理)"),
    "seiton": _("Set in order (整顿)"),
    "seiso": _("Shine (清扫)"),
    "seiketsu": _("Standardise (清洁)"),
    "shitsuke": _("Sustain (素养)"),
    "safety": _("Safety (安全)"),
}


def technician_choices():
    return (
        get_user_model()
        .objects.filter(groups__name="technician", is_active=True)
        .select_related("staff")
        .order_by("staff__name", "pk")
    )


class AssignForm(forms.Form):
    technician = StaffChoiceField(label=_("Technician"), queryset=technician_choices())


class PauseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why"), choices=PauseReason.choices, widget=forms.RadioSelect)


class QcForm(forms.Form):
    stage = forms.ChoiceField(choices=QcStage.choices, widget=forms.HiddenInput)
    result = forms.ChoiceField(label=_("Result"), choices=QcResult.choices, widget=forms.RadioSelect)
    fault = forms.ChoiceField(
        label=_("If it failed: the fault is in"), choices=FaultKind.choices, required=False, initial=FaultKind.REPAIR
    )
    notes = forms.CharField(label=_("Notes (what failed)"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in QC_CHECKLIST:
            self.fields[f"check_{key}"] = forms.BooleanField(label=label, required=False)

    def checklist(self) -> dict:
        """The boxes as ticked; the service refuses a pass without all of them (WS02)."""
        return {key: bool(self.cleaned_data.get(f"check_{key}")) for key, _label in QC_CHECKLIST}


class EscalateForm(forms.Form):
    symptoms = forms.CharField(label=_("Symptoms"), widget=forms.Textarea(attrs={"rows": 3}))
    fault_codes = forms.CharField(label=_("Fault codes"), max_length=200, required=False)
    is_major = forms.BooleanField(
        label=_("Major problem: repair only after every group member approves"), required=False
    )


class StepForm(forms.Form):
    text = forms.CharField(label=_("Diagnosis step"), widget=forms.Textarea(attrs={"rows": 2}))


class SolveForm(forms.Form):
    result = forms.CharField(label=_("How it was solved"), widget=forms.Textarea(attrs={"rows": 3}))


class PublishForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    diagnosis = forms.CharField(label=_("Diagnosis"), widget=forms.Textarea(attrs={"rows": 3}))
    solution = forms.CharField(label=_("Solution"), widget=forms.Textarea(attrs={"rows": 3}))


class QuestionForm(forms.Form):
    question = forms.CharField(label=_("Question for the customer (through the advisor)"), max_length=300)


class OverrunForm(forms.Form):
    new_promise = forms.DateTimeField(label=_("New finish time"), widget=DateTimeInput())
    reason = forms.CharField(label=_("Why"), max_length=200)


class ComebackForm(forms.Form):
    original = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("What came back"), max_length=300)
    fault = forms.ChoiceField(label=_("The fault is in"), choices=FaultKind.choices, initial=FaultKind.REPAIR)


class SixSForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Area"), queryset=SixSArea.objects.order_by("name"))
    week_of = forms.DateField(
        label=_("Week of"),
        widget=DateInput(),
        help_text=_("Any day of the week; it is filed under that week's Monday."),
    )
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key in SIX_S:
            self.fields[key] = forms.BooleanField(label=SIX_S_LABELS[key], required=False)


class AssessmentForm(forms.Form):
    leader = StaffChoiceField(label=_("Team leader"), queryset=team_leaders())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("Quarter"), coerce=int, choices=[(q, f"Q{q}") for q in range(1, 5)])
    skill_score = forms.IntegerField(label=_("Skill score (0-100)"), min_value=0, max_value=100)
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)
