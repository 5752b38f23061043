"""Customer care settings (managers): the complaint deadlines and escalation, follow-up calls and care
texts, and which customer-care advisor follows up each service advisor's customers."""

from functools import partial

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from customer_care import selectors, services
from customer_care.forms import CarePolicyForm, ComplaintPolicyForm, PairingForm
from customer_care.models import CarePolicy, ComplaintPolicy
from dealership.actions import act
from dealership.models import Role
from dealership.permissions import role_required


@role_required(Role.MANAGER)
def care_settings(request):
    complaint_form = ComplaintPolicyForm(instance=ComplaintPolicy.current(), prefix="complaint")
    care_form = CarePolicyForm(instance=CarePolicy.current(), prefix="care")
    pairing_form = PairingForm(prefix="pair")
    if request.method == "POST":
        which = request.POST.get("form")
        if which == "complaint":
            complaint_form = chosen = ComplaintPolicyForm(
                request.POST, instance=ComplaintPolicy.current(), prefix="complaint"
            )
        elif which == "care":
            care_form = chosen = CarePolicyForm(request.POST, instance=CarePolicy.current(), prefix="care")
        else:
            pairing_form = chosen = PairingForm(request.POST, prefix="pair")
        if chosen is pairing_form and chosen.is_valid():
            pair = partial(services.pair_care_agent, by=request.user, **pairing_form.cleaned_data)
            return act(request, pair, done=_("Saved."), to=reverse("care_settings"))
        if chosen.is_valid():
            chosen.save()  # a policy row: its history records who, from the request
            messages.success(
                request,
                _("Saved. New complaints get the new deadlines; raised ones keep theirs.")
                if chosen is complaint_form
                else _("Saved."),
            )
            return redirect("care_settings")
    return render(
        request,
        "customer_care/settings.html",
        {
            "complaint_form": complaint_form,
            "care_form": care_form,
            "pairing_form": pairing_form,
            "pairs": selectors.care_pairs(),
        },
    )
