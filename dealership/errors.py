"""Domain errors: a refused change, shown as a message on a page and as 409 by the API."""

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
