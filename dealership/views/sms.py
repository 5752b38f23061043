"""The SMS outbox pages: what went out, what is waiting, what failed; templates and policy."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dealership import outbox, selectors, sms_templates
from dealership.actions import act, refusal
from dealership.filters import SmsFilter
from dealership.forms import SmsPolicyForm, SmsTemplateForm, TestSmsForm
from dealership.models import Role, SmsMessage, SmsPolicy, SmsStatus, SmsTemplate
from dealership.permissions import has_role, role_required
from dealership.wording import cn_time

SMS_STAFF = (Role.CALLCENTRE, Role.MANAGER)


@role_required(*SMS_STAFF)
def sms_list(request):
    filterset = SmsFilter(request.GET, queryset=selectors.sms_messages())
    page = Paginator(filterset.filtered(), 50).get_page(request.GET.get("page"))
    counts = selectors.sms_status_counts()
    context = {
        "form": filterset.form,
        "page": page,
        "filters": filterset.form.cleaned_data if filterset.is_valid() else {},
        "tabs": [(status, status.label, counts[status]) for status in SmsStatus],
        "total": sum(counts.values()),
        "now": timezone.now(),
        "is_manager": has_role(request.user, Role.MANAGER),
    }
    template = "dealership/_sms_rows.html" if request.htmx else "dealership/sms_list.html"
    return render(request, template, context)


@role_required(*SMS_STAFF)
def sms_detail(request, pk: int):
    try:
        message = selectors.sms_detail(pk)
    except SmsMessage.DoesNotExist as missing:
        raise Http404 from missing
    context = {"message": message, "is_manager": has_role(request.user, Role.MANAGER)}
    return render(request, "dealership/sms_detail.html", context)


@role_required(*SMS_STAFF)
@require_POST
def sms_send_again(request, pk: int):
    return _decide(request, pk, outbox.send_again, _("The message is queued again."))


@role_required(*SMS_STAFF)
@require_POST
def sms_mark_sent(request, pk: int):
    return _decide(request, pk, outbox.mark_sent, _("The message is recorded as sent."))


def _decide(request, pk: int, decision, done: str):
    message = get_object_or_404(SmsMessage, pk=pk)
    return act(
        request,
        lambda: decision(message=message, by=request.user, at=timezone.now()),
        done=done,
        to=reverse("sms_detail", args=[pk]),
    )


@role_required(Role.MANAGER)
def sms_template_list(request):
    templates = SmsTemplate.objects.order_by("name", "pk")
    return render(request, "dealership/sms_template_list.html", {"templates": templates, "policy": SmsPolicy.current()})


@role_required(Role.MANAGER)
def sms_template_edit(request, pk: int):
    template = get_object_or_404(SmsTemplate, pk=pk)
    initial = {"name": template.name, "body": template.body}
    form = SmsTemplateForm(request.POST or None, template=template, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            sms_templates.update_template(by=request.user, template=template, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("body", error)
        else:
            messages.success(request, _("Template “%(name)s” saved.") % {"name": template.name})
            return redirect("sms_template_list")
    preview = _preview(template, form["body"].value() or "")
    return render(request, "dealership/sms_template_form.html", {"form": form, "template": template, **preview})


@role_required(Role.MANAGER)
@require_POST
def sms_template_preview(request, pk: int):
    template = get_object_or_404(SmsTemplate, pk=pk)
    return render(request, "dealership/_sms_preview.html", _preview(template, request.POST.get("body", "")))


def _preview(template: SmsTemplate, body: str) -> dict:
    try:
        sms_templates.check_template_body(body, template.placeholders)
    except ValidationError as error:
        return {"preview_error": refusal(error)}
    draft = SmsTemplate(kind=template.kind, body=body, placeholders=template.placeholders)
    text = sms_templates.render(draft, template.sample, SmsPolicy.current())
    return {"preview": text, "preview_length": len(text), "preview_segments": SmsMessage(body=text).segments}


@role_required(Role.MANAGER)
def sms_policy(request):
    form = SmsPolicyForm(request.POST or None, instance=SmsPolicy.current())
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        sms_templates.update_policy(by=request.user, **fields)
        messages.success(request, _("Messaging policy saved. It applies to messages queued from now on."))
        return redirect("sms_template_list")
    return render(request, "dealership/sms_policy_form.html", {"form": form})


@role_required(Role.MANAGER)
def sms_test(request):
    form = TestSmsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        message = outbox.enqueue_sms(
            mobile=form.cleaned_data["mobile"],
            kind="test",
            context={"customer": form.cleaned_data["customer"], "time": cn_time(now)},
            dedupe_key=f"test:{uuid.uuid4()}",
            at=now,
            by=request.user,
        )
        messages.success(request, _("Test message queued."))
        return redirect("sms_detail", pk=message.pk)
    return render(request, "dealership/sms_test_form.html", {"form": form})
