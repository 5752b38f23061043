"""The workshop: shifts, the job clock, the three QC stages and rework, escalations and the
difficult-case library, 6S checks and team-leader assessments (WS01-WS09).

Work order items themselves belong to the service desk; the workshop moves them along their
state machine with `service_desk.services.move_item` and keeps its own records about them here.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dealership.models import OneRowPolicy
from service_desk.models import RepairItem

USER = settings.AUTH_USER_MODEL


class WorkshopPolicy(OneRowPolicy):
    """The workshop's rules a manager can change. One row."""

    comeback_days = models.PositiveSmallIntegerField(
        _("comeback window (days)"),
        default=30,
        help_text=_("The same work on the same car within this many days of delivery is external rework."),
    )
    technicians_assign_themselves = models.BooleanField(_("technicians may assign themselves"), default=False)
    paint_lead = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paint lead"),
        help_text=_("Answers for body and paint faults found in QC (WS06)."),
    )
    technical_director = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("technical director")
    )
    leader_pass_score = models.PositiveSmallIntegerField(
        _("team leaders' pass mark (skill)"), default=80, validators=[MaxValueValidator(100)]
    )
    leader_max_rework_percent = models.DecimalField(
        _("team leaders' highest internal rework rate (%)"), max_digits=5, decimal_places=2, default=Decimal("5.00")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("workshop policy")
        verbose_name_plural = _("workshop policy")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="workshop_policy_single_row")]

    def __str__(self) -> str:
        return str(_("Workshop policy"))


class TechnicalGroupMember(models.Model):
    """A member of the technical group that examines escalated faults (WS04) and approves major repairs (WS05)."""

    user = models.OneToOneField(
        USER, on_delete=models.CASCADE, related_name="technical_group", verbose_name=_("member")
    )

    class Meta:
        verbose_name = _("technical group member")
        verbose_name_plural = _("technical group")

    def __str__(self) -> str:
        return str(self.user)


class Shift(models.Model):
    """A technician on shift on a day, with the hours planned: who the foreman can dispatch to."""

    day = models.DateField(_("day"))
    technician = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("technician"))
    hours = models.DecimalField(
        _("hours on shift"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("8.00"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("16"))],
    )
    planned_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("planned by")
    )

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [models.UniqueConstraint(fields=["day", "technician"], name="one_shift_a_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.technician_id}"


class PauseReason(models.TextChoices):
    WAITING_FOR_PARTS = "parts", _("Waiting for parts")
    WAITING_FOR_APPROVAL = "approval", _("Waiting for approval")
    BREAK = "break", _("Break")
    OTHER_JOB = "other_job", _("Called to another job")


class ClockEntry(models.Model):
    """A stretch of a technician's time on an item: start (or resume) to pause (or finish)."""

    item = models.ForeignKey(RepairItem, on_delete=models.CASCADE, related_name="clock_entries")
    technician = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="clock_entries", verbose_name=_("technician")
    )
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    pause_reason = models.CharField(_("paused for"), max_length=10, choices=PauseReason.choices, blank=True)

    class Meta:
        verbose_name = _("clock entry")
        verbose_name_plural = _("clock entries")
        indexes = [models.Index(fields=["technician", "started_at"], name="clock_technician_started")]
        constraints = [
            # One running clock per item: a second start while one runs is refused by the database too.
            models.UniqueConstraint(fields=["item"], condition=Q(ended_at__isnull=True), name="one_running_clock"),
            # A technician works on one job at a time: starting another pauses the first.
            models.UniqueConstraint(
                fields=["technician"], condition=Q(ended_at__isnull=True), name="one_running_clock_per_technician"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="clock_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.started_at:%H:%M}"


class QcStage(models.TextChoices):
    SELF = "self", _("Self-check")
    GENERAL = "general", _("General check")
    FINAL = "final", _("Final check")


QC_ORDER = [QcStage.SELF, QcStage.GENERAL, QcStage.FINAL]


class QcResult(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


# What the signer confirms before a pass; the signature keeps which boxes were ticked.
QC_CHECKLIST = [
    ("work_done", _("Every requested operation done")),
    ("torque", _("Fasteners tightened to torque")),
    ("fluids", _("Fluid levels and leaks checked")),
    ("road_test", _("Road test or function test passed")),
    ("clean", _("Car clean, covers removed, no tools left")),
]
QC_CHECKS = [key for key, _label in QC_CHECKLIST]


class QcSign(models.Model):
    """One QC stage signed for an item (WS02): who, when, pass or fail, the checklist."""

    item = models.ForeignKey(RepairItem, on_delete=models.CASCADE, related_name="qc_signs")
    cycle = models.PositiveSmallIntegerField(_("QC round"), default=1)  # a new round after each rework
    stage = models.CharField(_("stage"), max_length=8, choices=QcStage.choices)
    result = models.CharField(_("result"), max_length=4, choices=QcResult.choices)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("signed by"))
    at = models.DateTimeField(_("signed at"))
    checklist = models.JSONField(_("checklist"), default=dict, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("QC signature")
        verbose_name_plural = _("QC signatures")
        constraints = [
            models.UniqueConstraint(fields=["item", "cycle", "stage"], name="one_signature_per_stage_and_round"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.stage} {self.result}"

    @property
    def checked(self) -> list[str]:
        """The checklist items the signer ticked, by their labels."""
        return [str(label) for key, label in QC_CHECKLIST if self.checklist.get(key)]


class ReworkKind(models.TextChoices):
    INTERNAL = "internal", _("Internal rework (内返)")
    EXTERNAL = "external", _("External rework, comeback (外返)")


class FaultKind(models.TextChoices):
    REPAIR = "repair", _("Repair work")
    PAINT = "paint", _("Body and paint")


class Rework(models.Model):
    """WS03, WS06: a failed QC stage (internal) or a comeback after delivery (external), and who answers for it."""

    item = models.ForeignKey(RepairItem, on_delete=models.CASCADE, related_name="reworks")
    kind = models.CharField(_("kind"), max_length=8, choices=ReworkKind.choices)
    fault = models.CharField(_("fault"), max_length=8, choices=FaultKind.choices, default=FaultKind.REPAIR)
    reason = models.CharField(_("reason"), max_length=300)
    responsible = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="reworks_answered_for", verbose_name=_("responsible")
    )
    original_item = models.ForeignKey(
        RepairItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comebacks",
        verbose_name=_("original item"),
    )
    stage = models.CharField(_("failed stage"), max_length=8, choices=QcStage.choices, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("rework")
        verbose_name_plural = _("reworks")
        indexes = [models.Index(fields=["kind", "at"], name="rework_kind_at")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="external") | Q(original_item__isnull=False), name="comeback_names_original"
            ),
            models.UniqueConstraint(fields=["item"], condition=Q(kind="external"), name="one_comeback_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.item_id}"


class EscalationStatus(models.TextChoices):
    OPEN = "open", _("Being examined")
    SOLVED = "solved", _("Solved")


class Escalation(models.Model):
    """WS04, WS05: a fault the technician cannot finish, examined by the technical director and group."""

    TRANSITIONS = {EscalationStatus.OPEN: {EscalationStatus.SOLVED}, EscalationStatus.SOLVED: set()}

    item = models.ForeignKey(RepairItem, on_delete=models.CASCADE, related_name="escalations")
    raised_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("raised by"))
    raised_at = models.DateTimeField(_("raised at"))
    symptoms = models.TextField(_("symptoms"))
    fault_codes = models.CharField(_("fault codes"), max_length=200, blank=True)
    is_major = models.BooleanField(
        _("major problem"), default=False, help_text=_("Repair continues only when every group member approves (WS05).")
    )
    status = models.CharField(
        _("status"), max_length=8, choices=EscalationStatus.choices, default=EscalationStatus.OPEN
    )
    result = models.TextField(_("result"), blank=True)
    solved_at = models.DateTimeField(_("solved at"), null=True, blank=True)
    history = HistoricalRecords()  # who solved it, and when

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        indexes = [models.Index(fields=["status", "raised_at"], name="escalation_status")]

    def __str__(self) -> str:
        return f"{self.item} — {self.symptoms[:30]}"


class EscalationStep(models.Model):
    """A diagnosis step recorded by the group: what was checked or tried, and what it showed."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="steps")
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"))
    text = models.TextField(_("step"))

    class Meta:
        verbose_name = _("diagnosis step")
        verbose_name_plural = _("diagnosis steps")

    def __str__(self) -> str:
        return self.text[:40]


class Approval(models.Model):
    """One group member's approval of a major repair (WS05)."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="approvals")
    member = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [models.UniqueConstraint(fields=["escalation", "member"], name="one_approval_per_member")]

    def __str__(self) -> str:
        return f"{self.escalation_id} {self.member_id}"


class LibraryCase(models.Model):
    """A solved difficult case published for training (WS04), searchable by model, symptom and fault code."""

    escalation = models.OneToOneField(
        Escalation, on_delete=models.PROTECT, related_name="case", verbose_name=_("escalation")
    )
    title = models.CharField(_("title"), max_length=100)
    model_name = models.CharField(_("model"), max_length=100)
    symptoms = models.TextField(_("symptoms"))
    fault_codes = models.CharField(_("fault codes"), max_length=200, blank=True)
    diagnosis = models.TextField(_("diagnosis"))
    solution = models.TextField(_("solution"))
    published_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("published at"))
    search_text = models.TextField(editable=False)  # lower-cased title, model, symptoms and codes

    class Meta:
        verbose_name = _("difficult case")
        verbose_name_plural = _("difficult-case library")
        indexes = [models.Index(fields=["-published_at"], name="case_newest")]

    def __str__(self) -> str:
        return self.title


class SixSArea(models.Model):
    """A workshop area checked for 6S (WS07), with its two responsible people."""

    name = models.CharField(_("area"), max_length=40, unique=True)
    first_responsible = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("first responsible (workshop manager)")
    )
    second_responsible = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("second responsible (team leader)")
    )

    class Meta:
        verbose_name = _("6S area")
        verbose_name_plural = _("6S areas")

    def __str__(self) -> str:
        return self.name


SIX_S = ["seiri", "seiton", "seiso", "seiketsu", "shitsuke", "safety"]


class SixSCheck(models.Model):
    """A week's 6S check of an area: 整理 整顿 清扫 清洁 素养 安全, each met or not."""

    area = models.ForeignKey(SixSArea, on_delete=models.PROTECT, related_name="checks", verbose_name=_("area"))
    week_of = models.DateField(_("week of"))  # the Monday
    results = models.JSONField(_("results"))  # {"seiri": true, ...}
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    checked_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("checked by"))
    checked_at = models.DateTimeField(_("checked at"))

    class Meta:
        verbose_name = _("6S check")
        verbose_name_plural = _("6S checks")
        constraints = [models.UniqueConstraint(fields=["area", "week_of"], name="one_6s_check_a_week")]

    def __str__(self) -> str:
        return f"{self.area} {self.week_of}"

    @property
    def score(self) -> int:
        return sum(1 for key in SIX_S if self.results.get(key))


class LeaderAssessment(models.Model):
    """WS08: a team leader's quarter: skill score, output and rework rates, and whether they met the standard."""

    leader = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("team leader")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    skill_score = models.PositiveSmallIntegerField(_("skill score"), validators=[MaxValueValidator(100)])
    output_hours = models.DecimalField(_("flat-rate hours billed by the team"), max_digits=8, decimal_places=2)
    internal_rework_percent = models.DecimalField(_("internal rework rate (%)"), max_digits=5, decimal_places=2)
    external_rework_percent = models.DecimalField(_("external rework rate (%)"), max_digits=5, decimal_places=2)
    meets_standard = models.BooleanField(_("meets the standard"))
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    assessed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("team-leader assessment")
        verbose_name_plural = _("team-leader assessments")
        constraints = [models.UniqueConstraint(fields=["leader", "year", "quarter"], name="one_assessment_a_quarter")]

    def __str__(self) -> str:
        return f"{self.leader_id} {self.year}Q{self.quarter}"
