"""The service desk's data (SD01-SD19): reference data and prices, appointments, repair orders (委托书)
with their items and parts, and the desk's records. Callers import from here: `from service_desk.models
import RepairOrder`."""

from service_desk.models.appointments import (
    GREEN_CHANNEL_KINDS,
    Appointment,
    AppointmentKind,
    AppointmentStatus,
)
from service_desk.models.orders import (
    CustomerQuestion,
    DeferredWork,
    ItemStatus,
    OrderEvent,
    OrderStatus,
    PartLine,
    QuestionStatus,
    Rating,
    RepairItem,
    RepairOrder,
)
from service_desk.models.records import (
    AdvisorAway,
    ClaimStatus,
    DeskPairing,
    EveningMeeting,
    Handover,
    InsuranceClaim,
    MeetingDecision,
    ScriptViolation,
)
from service_desk.models.reference import (
    MONEY,
    NOT_NEGATIVE,
    PHONE_SCRIPT,
    CareRule,
    Category,
    DeskPolicy,
    LabourOperation,
    Position,
)

__all__ = [
    "GREEN_CHANNEL_KINDS",
    "MONEY",
    "NOT_NEGATIVE",
    "PHONE_SCRIPT",
    "AdvisorAway",
    "Appointment",
    "AppointmentKind",
    "AppointmentStatus",
    "CareRule",
    "Category",
    "ClaimStatus",
    "CustomerQuestion",
    "DeferredWork",
    "DeskPairing",
    "DeskPolicy",
    "EveningMeeting",
    "Handover",
    "InsuranceClaim",
    "ItemStatus",
    "LabourOperation",
    "MeetingDecision",
    "OrderEvent",
    "OrderStatus",
    "PartLine",
    "Position",
    "QuestionStatus",
    "Rating",
    "RepairItem",
    "RepairOrder",
    "ScriptViolation",
]
