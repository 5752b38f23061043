"""The bonus and penalty ledger's pages: a person's month and statement (IN01-IN09), a manager's
manual entries and reversals (IN07), the rates (IN01-IN04, IN08) and the published ranking (IN02,
IN04, 公布上墙). Everyone reads their own ledger; only a manager reads another's or posts."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customer_care import awards, selectors, services
from customer_care.forms import ManualEntryForm, RateForm, ReverseEntryForm, add_refusal
from customer_care.models import LedgerEntry, MonthClose
from dealership.actions import act
from dealership.clock import next_month, parse_month
from dealership.errors import DomainError
from dealership.forms import form_errors
from dealership.models import Role
from dealership.money import format_cny
from dealership.permissions import has_role, role_required


def ledger_url(*, staff_id: int | None = None, month=None) -> str:
    query = {}
    if staff_id is not None:
        query["staff"] = staff_id
    if month is not None:
        query["month"] = f"{month:%Y-%m}"
    return reverse("ledger") + (f"?{urlencode(query)}" if query else "")


def _staff_id(request) -> int | None:
    """`?staff=<id>`: a whole number, or nobody (one's own ledger)."""
    value = request.GET.get("staff", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    return int(value)


@role_required()
def ledger(request):
    """A person's month: every entry counted in it and the statement (IN01-IN09). One's own; anyone's for a manager."""
    today = timezone.localdate()
    month = parse_month(request.GET.get("month"), default=today)
    try:
        person = selectors.ledger_owner_for(request.user, _staff_id(request))
    except PermissionDenied as refused:
        return render(
            request,
            "customer_care/ledger_denied.html",
            {"reason": str(refused), "own": ledger_url(month=month)},
            status=403,
        )
    manager = has_role(request.user, Role.MANAGER)
    own = person.pk == request.user.pk
    context = {
        "person": person,
        "own": own,
        "month": month,
        "previous_month": (month - timezone.timedelta(days=1)).replace(day=1),
        "next_month": next_month(month) if next_month(month) <= today else None,
        "statement": selectors.ledger_statement(request.user, person, month),
        "manager": manager,
        "people": selectors.ledger_people() if manager else [],
        "reverse_form": ReverseEntryForm(),
        "staff_query": "" if own else person.pk,
    }
    return render(request, "customer_care/ledger.html", context)


@role_required(Role.MANAGER)
def ledger_entry_create(request):
    """IN07: a manager posts a bonus or penalty with its reason; the refusal shows by its field."""
    today = timezone.localdate()
    initial = {"occurred_on": today}
    staff_id = request.GET.get("staff", "")
    if staff_id.isdigit():
        initial["staff"] = int(staff_id)
    form = ManualEntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.post_manual(
                by=request.user,
                staff=data["staff"],
                amount=form.signed_amount(),
                reason=data["reason"],
                occurred_on=data["occurred_on"],
                at=timezone.now(),
            )
        except services.MonthClosed as closed:
            form.add_error("occurred_on", str(closed))
        except (DomainError, ValidationError) as refused:
            add_refusal(form, refused)
        else:
            messages.success(
                request,
                _("%(amount)s posted to %(name)s's ledger.")
                % {"amount": format_cny(entry.amount), "name": _name(data["staff"])},
            )
            return redirect(ledger_url(staff_id=entry.staff_id, month=entry.month))
    return render(request, "customer_care/ledger_entry_form.html", {"form": form, "today": today})


@role_required(Role.MANAGER)
@require_POST
def ledger_entry_reverse(request, pk: int):
    """IN07: a manager reverses an entry with the reason; the correction counts in the open month."""
    entry = get_object_or_404(LedgerEntry, pk=pk)
    form = ReverseEntryForm(request.POST)
    back = ledger_url(staff_id=entry.staff_id, month=entry.month)

    def run():
        if not form.is_valid():
            raise form_errors(form)
        services.reverse(by=request.user, entry=entry, reason=form.cleaned_data["reason"], at=timezone.now())

    done = _("Entry reversed: the correction counts in the entry's month, or the next open one if it is closed.")
    return act(request, run, done=done, to=back)


@role_required(Role.MANAGER)
def ledger_rates(request):
    """The rates in force and scheduled; a new rate applies from today or a later day, never the past."""
    today = timezone.localdate()
    form = RateForm(request.POST or None, cases=selectors.RATE_CASES, initial={"effective_from": today})
    if request.method == "POST" and form.is_valid():
        rule, key = form.rule_and_key()
        try:
            services.set_rate(
                by=request.user,
                rule=rule,
                key=key,
                amount=form.cleaned_data["amount"],
                effective_from=form.cleaned_data["effective_from"],
                at=timezone.now(),
            )
        except (DomainError, ValidationError) as refused:
            if isinstance(refused, ValidationError) and hasattr(refused, "error_dict"):
                refused = ValidationError(
                    {"case" if field == "rule" else field: errors for field, errors in refused.error_dict.items()}
                )
            add_refusal(form, refused)
        else:
            messages.success(
                request,
                _("New rate saved: in force from %(day)s.") % {"day": form.cleaned_data["effective_from"].isoformat()},
            )
            return redirect("ledger_rates")
    return render(
        request, "customer_care/rates.html", {"form": form, "rows": selectors.rate_board(today=today), "today": today}
    )


@role_required()
def award_notice(request):
    """公布上墙: the published ranking of a closed month, for every member of staff (the latest by default)."""
    published = selectors.published_months()
    chosen = request.GET.get("month")
    if chosen:
        month = parse_month(chosen, default=timezone.localdate())
        closed = next((close for close in published if close.month == month), None)
        if closed is None:  # an older closed month, or one not closed (never shown)
            closed = get_object_or_404(MonthClose.objects.select_related("closed_by__staff"), month=month)
    else:
        closed = published[0] if published else None
    return render(
        request,
        "customer_care/notice_awards.html",
        {
            "published": published,
            "notice": selectors.award_notice(closed) if closed else None,
            "tie_rule": awards.TIE_RULE,
        },
    )


def _name(user) -> str:
    staff = getattr(user, "staff", None)
    return staff.name if staff else user.get_username()
