"""Domain errors: a refused change, shown as a message on a page; the API answers 409, or 403 for NotPermitted."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A change the rules refuse. Its message is shown to the user as it is."""

    message = _("This change is not allowed.")

    def __init__(self, message: str | None = None):
        super().__init__(message or self.message)

    def __str__(self) -> str:
        return str(self.args[0])


class TransitionNotAllowed(DomainError):
    message = _("This step is not allowed in the current state.")


class StaleObject(DomainError):
    message = _("Someone else changed this in the meantime. Reload the page and try again.")


class NotPermitted(DomainError):
    """The acting person's role or relation to the object does not allow this step (the API's 403)."""

    message = _("Your role does not allow this step.")
