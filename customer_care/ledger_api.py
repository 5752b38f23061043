"""The bonus and penalty ledger in the API (API.md, IN01-IN09): entries, manual entries and reversals
by managers, and the monthly award report. Included from `customer_care.api`.

Entries are never changed: there is no PUT, PATCH or DELETE (405). A correction is a reversal.
"""

from django.contrib.auth import get_user_model
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from customer_care import reports, selectors, services
from customer_care.filters import MONTH, LedgerFilter
from customer_care.models import LedgerEntry, Rule
from dealership.filters import reject_nul
from dealership.models import Role
from dealership.permissions import ALL_ROLES, api_roles

MANAGER = {Role.MANAGER}
MONTH_SCHEMA = {"type": "string", "pattern": MONTH.pattern, "example": "2026-11"}


@extend_schema_field(MONTH_SCHEMA)
class MonthField(serializers.DateField):
    """A month as YYYY-MM (not 2026-1), held as its first day."""

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", input_formats=["%Y-%m"], **kwargs)

    def to_internal_value(self, value):
        if not isinstance(value, str) or not MONTH.match(value.strip()):
            self.fail("invalid", format="YYYY-MM")
        return super().to_internal_value(value.strip())


def money(value) -> str:
    return f"{value:.2f}"


class LedgerEntrySerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True, help_text="The month the entry counts in (its own, or the next open one).")
    reversed_by = serializers.IntegerField(
        source="reversal_id", read_only=True, allow_null=True, help_text="The entry reversing this one, if any."
    )

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "staff",
            "amount",
            "rule",
            "reason",
            "occurred_on",
            "month",
            "reverses",
            "reversed_by",
            "source",
            "posted_by",
            "posted_at",
        ]
        read_only_fields = fields


class ManualEntrySerializer(serializers.Serializer):
    """IN07: a manager's bonus (positive) or penalty (negative) for one person, with the reason."""

    staff = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True, staff__isnull=False)
    )
    amount = serializers.DecimalField(
        max_digits=9, decimal_places=2, help_text="Yuan: a bonus positive, a penalty negative; never 0."
    )
    reason = serializers.CharField(max_length=300, allow_blank=True, help_text="Shown to the person.")
    occurred_on = serializers.DateField(required=False, help_text="Default: today. Not in the future.")


class ReversalSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=250, allow_blank=True, help_text="Why the entry is reversed.")


class LedgerEntryViewSet(
    mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """Bonus and penalty entries. Every role reads; someone who is not a manager reads only their own
    (another person's entry is 404, `?staff=` another person 403). Managers post manual entries (IN07)
    and reversals."""

    serializer_class = LedgerEntrySerializer
    permission_classes = [api_roles(read=ALL_ROLES, write=MANAGER)]
    filterset_class = LedgerFilter
    queryset = LedgerEntry.objects.none()
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return selectors.ledger_entries(self.request.user)

    def get_object(self):
        return selectors.ledger_entry_for(self.request.user, int(self.kwargs["pk"]))

    def _created(self, entry: LedgerEntry) -> Response:
        read = selectors.ledger_entry_for(self.request.user, entry.pk)
        return Response(self.get_serializer(read).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ManualEntrySerializer, responses={201: LedgerEntrySerializer})
    def create(self, request):
        """IN07: 400 for a zero or implausible amount or no reason, 409 when the day's month is closed."""
        body = ManualEntrySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        now = timezone.now()
        entry = services.post_manual(
            by=request.user,
            staff=data["staff"],
            amount=data["amount"],
            reason=data["reason"],
            occurred_on=data.get("occurred_on") or timezone.localdate(now),
            at=now,
        )
        return self._created(entry)

    @extend_schema(request=ReversalSerializer, responses={201: LedgerEntrySerializer})
    @action(detail=True, methods=["post"], permission_classes=[api_roles(read=(), write=MANAGER)])
    def reverse(self, request, pk=None):
        """An entry of the opposite amount in the entry's month (the next open one if it is closed);
        409 for a reversal or an entry already reversed."""
        entry = self.get_object()
        body = ReversalSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reversal = services.reverse(
            by=request.user, entry=entry, reason=body.validated_data["reason"], at=timezone.now()
        )
        return self._created(reversal)


class AwardQuerySerializer(serializers.Serializer):
    month = MonthField(help_text="YYYY-MM")


AWARD = inline_serializer(
    "MonthlyAward",
    {
        "staff": serializers.IntegerField(),
        "name": serializers.CharField(),
        "count": serializers.IntegerField(),
        "amount": serializers.DecimalField(max_digits=9, decimal_places=2),
    },
    allow_null=True,
)
PERSON_TOTAL = inline_serializer(
    "LedgerTotal",
    {
        "staff": serializers.IntegerField(),
        "name": serializers.CharField(),
        "total": serializers.DecimalField(max_digits=12, decimal_places=2),
        "to_be_posted": serializers.DecimalField(max_digits=12, decimal_places=2),
        **{rule: serializers.DecimalField(max_digits=12, decimal_places=2) for rule in Rule.values},
    },
    many=True,
)


class AwardReportView(APIView):
    """IN02 and IN04 for a month and the ranking, the same report as the page: a closed month shows
    what its close posted; an open one adds what closing would post now (`to_be_posted`) to each
    person's `total`. Managers only."""

    permission_classes = [api_roles(read=MANAGER)]

    @extend_schema(
        parameters=[AwardQuerySerializer],
        responses=inline_serializer(
            "AwardReport",
            {
                "month": serializers.CharField(),
                "closed": serializers.BooleanField(),
                "tie_rule": serializers.CharField(),
                "praise_award": AWARD,
                "process_award": AWARD,
                "totals": PERSON_TOTAL,
            },
        ),
    )
    def get(self, request):
        reject_nul(request.query_params)
        unknown = sorted(set(request.query_params) - {"month", "format"})
        if unknown:
            raise ValidationError({name: [_("This report has no such parameter.")] for name in unknown})
        query = AwardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        month = query.validated_data["month"]
        report = reports.award_report(month, today=timezone.localdate())
        awards_by_rule = {award["rule"]: award for award in report["awards"]}
        return Response(
            {
                "month": f"{month:%Y-%m}",
                "closed": report["closed"] is not None,
                "tie_rule": report["tie_rule"],
                "praise_award": _award(awards_by_rule.get(Rule.PRAISE_AWARD)),
                "process_award": _award(awards_by_rule.get(Rule.PROCESS_AWARD)),
                "totals": [
                    {
                        "staff": row["staff_id"],
                        "name": row["name"],
                        "total": money(row["total"]),
                        # An open month's awards and commission, counted in `total` as the page does.
                        "to_be_posted": money(row["coming"]),
                        **{rule: money(amount) for rule, amount in row["rule_amounts"].items()},
                    }
                    for row in report["rows"]
                ],
            }
        )


def _award(award: dict | None) -> dict | None:
    if not award or award["staff_id"] is None:
        return None
    return {
        "staff": award["staff_id"],
        "name": award["name"],
        "count": award["count"],
        "amount": money(award["amount"]),
    }


router = SimpleRouter()
router.register("ledger-entries", LedgerEntryViewSet, basename="ledger-entry")
urlpatterns = [path("reports/awards/", AwardReportView.as_view(), name="award-report"), *router.urls]
