"""The wording of text messages: templates with {placeholders}, the signature and quiet hours.

A manager edits both from the SMS pages; `render` fills a template when a message is enqueued
(`outbox.enqueue_sms`), so a change applies to messages written from then on.
"""

import string
from collections.abc import Iterable, Mapping

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dealership.models import SmsPolicy, SmsTemplate


def template_fields(body: str) -> list[str]:
    """Return the {placeholders} a template text uses. Raises ValueError on a malformed text."""
    fields = []
    for _literal, field, spec, conversion in string.Formatter().parse(body):
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            raise ValueError(field)
        fields.append(field)
    return fields


def check_template_body(body: str, allowed: Iterable[str]) -> None:
    """Refuse a text that uses a placeholder its senders do not fill, or stray braces."""
    if "【" in body or "】" in body:
        raise ValidationError(
            _("Leave out the 【signature】: it is added to every message from the messaging policy."),
            code="template_signature",
        )
    try:
        used = template_fields(body)
    except ValueError as error:
        raise ValidationError(
            _("Write placeholders as {name}, and a brace on its own as {{ or }}."), code="template_syntax"
        ) from error
    unknown = sorted(set(used) - set(allowed))
    if unknown:
        raise ValidationError(
            _("Unknown placeholder %(unknown)s. This message can use: %(allowed)s."),
            code="template_placeholder",
            params={
                "unknown": "、".join(f"{{{name}}}" for name in unknown),
                "allowed": "、".join(f"{{{name}}}" for name in allowed) or "—",
            },
        )


def render(template: SmsTemplate, context: Mapping[str, object], policy: SmsPolicy) -> str:
    missing = set(template_fields(template.body)) - set(context)
    if missing:
        raise KeyError(f"SMS {template.kind!r} needs {sorted(missing)}")
    return policy.signature + template.body.format_map({key: str(value) for key, value in context.items()})


@transaction.atomic
def update_template(*, by: AbstractBaseUser, template: SmsTemplate, name: str, body: str) -> SmsTemplate:
    """Change a template's wording. Raises ValidationError for unknown placeholders."""
    check_template_body(body, template.placeholders)
    template.name, template.body = name.strip(), body.strip()
    template._history_user = by
    template.save(update_fields=["name", "body", "updated_at"])
    return template


POLICY_FIELDS = {"signature", "quiet_from", "quiet_until", "max_attempts"}


@transaction.atomic
def update_policy(*, by: AbstractBaseUser, **changes) -> SmsPolicy:
    """Change the signature, quiet hours or attempts. Applies to messages enqueued from now on."""
    unknown = set(changes) - POLICY_FIELDS
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)} of the messaging policy")
    policy = SmsPolicy.current()
    for name, value in changes.items():
        setattr(policy, name, value)
    policy.full_clean()
    policy._history_user = by
    policy.save()
    return policy
