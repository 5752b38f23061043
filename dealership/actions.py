"""From a button on a page to a service and back: the one way a view runs a change and reports it.

    return act(request, lambda: services.deliver(by=request.user, order=order, at=timezone.now()),
               done=_("Delivered."), to=reverse("order_detail", args=[order.pk]))

A refusal (a domain error or a validation error) comes back as an error message on the page the
user is sent to; success as the `done` message. `refusal()` is the text of a refusal, for views that
show it in a form instead.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from dealership.errors import DomainError

REFUSALS = (DomainError, ValidationError)


def refusal(error: Exception) -> str:
    """The message a person reads for a refused change: every reason of a ValidationError, joined."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def act(
    request: HttpRequest, action: Callable[[], object], *, done: str = "", to: str, refused_to: str | None = None
) -> HttpResponse:
    """Run `action`; redirect to `to` with `done` as a message, or to `refused_to` (default `to`) with the refusal."""
    try:
        action()
    except REFUSALS as refused:
        messages.error(request, refusal(refused))
        return redirect(refused_to or to)
    if done:
        messages.success(request, done)
    return redirect(to)
