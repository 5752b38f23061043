"""WS09: questions from the workshop for the customer, asked and answered through the advisor."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dealership.transitions import transition
from service_desk.models import CustomerQuestion, QuestionStatus, RepairItem
from service_desk.services.orders import OrderNotEditable, _note


@transaction.atomic
def ask_customer(*, by: AbstractBaseUser, item: RepairItem, question: str, at: datetime) -> CustomerQuestion:
    """The workshop asks the customer something; the question goes to the advisor, never to the customer."""
    if not question.strip():
        raise ValidationError({"question": _("Write the question.")})
    if not item.order.is_editable:
        raise OrderNotEditable()
    asked = CustomerQuestion.objects.create(item=item, question=question.strip(), asked_by=by, asked_at=at)
    _note(item.order, _("Question for the customer: %(question)s") % {"question": asked.question}, at=at, by=by)
    return asked


@transaction.atomic
def answer_question(*, by: AbstractBaseUser, question: CustomerQuestion, answer: str, at: datetime) -> CustomerQuestion:
    """The advisor records what the customer said; the workshop sees it on the board. Answered once:
    raises TransitionNotAllowed, or StaleObject when someone else answered it meanwhile."""
    if not answer.strip():
        raise ValidationError({"answer": _("Write the customer's answer.")})
    return transition(
        question,
        QuestionStatus.ANSWERED,
        by=by,
        at=at,
        event_note=_("The customer answered: %(answer)s") % {"answer": answer.strip()},
        refused=_("This question has already been answered."),
        answer=answer.strip(),
        answered_by=by,
        answered_at=at,
    )
