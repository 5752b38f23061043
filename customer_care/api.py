"""Customer care endpoints (API.md): complaints with respond/organise/close, rescues, follow-ups; the
ledger and the award report from `customer_care.ledger_api`."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.urls import include, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import RetrieveUpdateAPIView
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from customer_care import selectors, services
from customer_care.filters import ComplaintFilter, FollowUpFilter
from customer_care.models import (
    Channel,
    Complaint,
    ComplaintCategory,
    ComplaintPolicy,
    FollowUp,
    Rescue,
    RescueZone,
    Satisfaction,
)
from customer_care.selectors import CARE, COMPLAINT_HANDS
from dealership.models import Customer, Role
from dealership.permissions import ALL_ROLES, api_roles
from dealership.rest import VersionSerializer
from service_desk.models import RepairOrder


class ComplaintSerializer(serializers.ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    repair_order = serializers.PrimaryKeyRelatedField(
        queryset=RepairOrder.objects.all(), required=False, allow_null=True
    )
    channel = serializers.ChoiceField(choices=Channel.choices)
    category = serializers.ChoiceField(choices=ComplaintCategory.choices, default=ComplaintCategory.OTHER)
    assignee = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.filter(is_active=True))
    breaches = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "customer",
            "repair_order",
            "summary",
            "channel",
            "category",
            "assignee",
            "status",
            "round",
            "created_at",
            "respond_by",
            "organise_by",
            "close_by",
            "responded_at",
            "organised_at",
            "closed_at",
            "breaches",
            "escalation_level",
            "version",
        ]
        read_only_fields = [
            "number",
            "status",
            "round",
            "created_at",
            "respond_by",
            "organise_by",
            "close_by",
            "responded_at",
            "organised_at",
            "closed_at",
            "escalation_level",
            "version",
        ]

    def get_breaches(self, complaint) -> list[str]:
        """The stages of the current round that missed their deadline (recorded by the sweep or a late step)."""
        return [stage.value for stage in complaint.late_stages]


class StepSerializer(VersionSerializer):
    text = serializers.CharField(max_length=2000)


class ComplaintViewSet(
    mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """Complaints (CC01). Advisors see the ones handed to them; customer care and managers see all."""

    serializer_class = ComplaintSerializer
    permission_classes = [api_roles(read=COMPLAINT_HANDS, write=CARE)]
    filterset_class = ComplaintFilter
    queryset = Complaint.objects.none()
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return selectors.complaint_queue(self.request.user)

    def get_object(self):
        return selectors.complaint_for(self.request.user, int(self.kwargs["pk"]))

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.raise_complaint(by=self.request.user, at=timezone.now(), **data)

    def _step(self, request, service):
        complaint = self.get_object()
        body = StepSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        service(by=request.user, complaint=complaint, at=timezone.now(), **body.validated_data)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=StepSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"], permission_classes=[api_roles(read=(), write=COMPLAINT_HANDS)])
    def respond(self, request, pk=None):
        """The first response to the customer; 409 out of order or when closed."""
        return self._step(request, services.respond)

    @extend_schema(request=StepSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"], permission_classes=[api_roles(read=(), write=COMPLAINT_HANDS)])
    def organise(self, request, pk=None):
        return self._step(request, services.organise)

    @extend_schema(request=StepSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"], permission_classes=[api_roles(read=(), write=COMPLAINT_HANDS)])
    def close(self, request, pk=None):
        """Closed with the customer; 409 before it is responded to and organised."""
        return self._step(request, services.close)


class RescueSerializer(serializers.ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False, allow_null=True)
    zone = serializers.SlugRelatedField(slug_field="code", queryset=RescueZone.objects.filter(is_active=True))
    breached = serializers.BooleanField(read_only=True)

    class Meta:
        model = Rescue
        fields = [
            "id",
            "number",
            "customer",
            "caller",
            "mobile",
            "plate",
            "zone",
            "location",
            "problem",
            "requested_at",
            "promised_by",
            "status",
            "crew",
            "dispatched_at",
            "arrived_at",
            "breached",
            "version",
        ]
        read_only_fields = [
            "number",
            "requested_at",
            "promised_by",
            "status",
            "crew",
            "dispatched_at",
            "arrived_at",
            "version",
        ]
        extra_kwargs = {
            "caller": {"required": False},
            "mobile": {"required": False, "allow_blank": True, "help_text": "Empty: the customer's mobile."},
        }


class DispatchSerializer(VersionSerializer):
    crew = serializers.CharField(max_length=100)


class RescueViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Rescues (CC03) with the arrival promised by zone; POST .../arrived/ records the crew's arrival."""

    serializer_class = RescueSerializer
    permission_classes = [api_roles(read=CARE, write=CARE)]
    queryset = selectors.rescues()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        customer = data.get("customer")
        data.setdefault("caller", customer.name if customer else "")
        serializer.instance = services.request_rescue(by=self.request.user, at=timezone.now(), **data)

    @extend_schema(request=DispatchSerializer, responses=RescueSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="dispatch",
        url_name="dispatch",
        permission_classes=[api_roles(read=(), write=CARE)],
    )
    def send_crew(self, request, pk=None):  # not "dispatch": that name is the view's own entry point
        """The crew is on its way; 409 unless the rescue is still requested."""
        body = DispatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rescue = services.dispatch_crew(
            by=request.user, rescue=self.get_object(), at=timezone.now(), **body.validated_data
        )
        return Response(self.get_serializer(rescue).data)

    @extend_schema(request=VersionSerializer, responses=RescueSerializer)
    @action(detail=True, methods=["post"], permission_classes=[api_roles(read=(), write=CARE)])
    def arrived(self, request, pk=None):
        """The crew is with the car; arriving after the promised time records the miss. 409 if stale."""
        body = VersionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rescue = services.rescue_arrived(
            by=request.user, rescue=self.get_object(), at=timezone.now(), version=body.validated_data.get("version")
        )
        return Response(self.get_serializer(rescue).data)


class FollowUpSerializer(serializers.Serializer):
    repair_order = serializers.PrimaryKeyRelatedField(queryset=RepairOrder.objects.all())
    outcome = serializers.ChoiceField(
        choices=[("reached", "reached"), ("unreached", "unreached")],
        help_text="reached: the customer answered; unreached: no answer (called again later, a few times).",
    )
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, required=False, allow_blank=True)
    praised_staff = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), many=True, required=False
    )
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    status = serializers.CharField(read_only=True)
    attempts = serializers.IntegerField(read_only=True)

    def to_representation(self, follow_up):
        return {
            "id": follow_up.pk,
            "repair_order": follow_up.repair_order_id,
            "status": follow_up.status,
            "outcome": {"done": "reached", "unreached": "unreached"}.get(follow_up.status, ""),
            "attempts": follow_up.attempts,
            "due_at": follow_up.due_at,
            "satisfaction": follow_up.satisfaction,
            "praised_staff": [praise.staff_id for praise in follow_up.praises.all()],
            "notes": follow_up.notes,
        }


class FollowUpViewSet(
    mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """Follow-up calls (CC04). POST records one call of the order's follow-up."""

    serializer_class = FollowUpSerializer
    permission_classes = [api_roles(read=CARE, write=CARE)]
    filterset_class = FollowUpFilter

    def get_queryset(self):
        return selectors.follow_ups()

    @extend_schema(request=FollowUpSerializer, responses={201: FollowUpSerializer})
    def create(self, request):
        body = FollowUpSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        follow_up = FollowUp.objects.filter(repair_order=data["repair_order"]).first()
        if follow_up is None:
            raise NotFound(_("This work order has no follow-up call: it has not been delivered."))
        follow_up = services.record_follow_up(
            by=request.user,
            follow_up=follow_up,
            reached=data["outcome"] == "reached",
            satisfaction=data.get("satisfaction", ""),
            praised=data.get("praised_staff", []),
            notes=data.get("notes", ""),
            at=timezone.now(),
        )
        return Response(FollowUpSerializer(selectors.follow_ups().get(pk=follow_up.pk)).data, 201)


# --- Reference data managers edit: rescue zones and the complaint deadlines -----------------------------------


class MinutesField(serializers.IntegerField):
    """A duration as whole minutes in JSON (min_value and max_value are minutes too)."""

    def to_representation(self, value: timedelta) -> int:
        return int(value.total_seconds() // 60)

    def run_validation(self, data=serializers.empty):
        minutes = super().run_validation(data)
        return None if minutes is None else timedelta(minutes=minutes)


class RescueZoneSerializer(serializers.ModelSerializer):
    promise_minutes = MinutesField(source="promise", min_value=1, max_value=7 * 24 * 60)

    class Meta:
        model = RescueZone
        fields = ["id", "code", "name", "promise_minutes", "is_active", "order"]


class RescueZoneViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Rescue zones and their promised arrival (CC03); managers add and change them, a zone in use is
    retired with `is_active: false`. A change applies to rescues taken afterwards."""

    serializer_class = RescueZoneSerializer
    permission_classes = [api_roles(read=ALL_ROLES, write={Role.MANAGER})]  # reference data: all read it
    queryset = RescueZone.objects.order_by("order", "code", "pk")


class ComplaintPolicySerializer(serializers.ModelSerializer):
    respond_within = MinutesField(min_value=1, max_value=24 * 60, help_text="Minutes.")
    organise_within = MinutesField(min_value=1, max_value=7 * 24 * 60, help_text="Minutes.")
    close_within = MinutesField(min_value=1, max_value=60 * 24 * 60, help_text="Minutes.")
    manager_after = MinutesField(min_value=0, max_value=7 * 24 * 60, help_text="Minutes after the first miss.")
    general_manager_after = MinutesField(min_value=0, max_value=30 * 24 * 60, help_text="Minutes after the first miss.")
    service_manager = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(groups__name=Role.MANAGER), allow_null=True, required=False
    )
    general_manager = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(groups__name=Role.MANAGER), allow_null=True, required=False
    )

    class Meta:
        model = ComplaintPolicy
        fields = ComplaintPolicy.EDITABLE

    def update(self, policy, validated_data):
        for name, value in validated_data.items():
            setattr(policy, name, value)
        policy.full_clean()  # the rules across fields, as on the settings page
        policy.save()
        return policy


class ComplaintPolicyView(RetrieveUpdateAPIView):
    """The complaint deadlines (CC01) and escalation chain; managers change them. New complaints get the
    new deadlines, raised ones keep theirs."""

    serializer_class = ComplaintPolicySerializer
    permission_classes = [api_roles(read=COMPLAINT_HANDS, write={Role.MANAGER})]

    def get_object(self):
        return ComplaintPolicy.current()


router = SimpleRouter()
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("rescues", RescueViewSet, basename="rescue")
router.register("rescue-zones", RescueZoneViewSet, basename="rescue-zone")
router.register("follow-ups", FollowUpViewSet, basename="follow-up")
urlpatterns = [
    path("complaint-policy/", ComplaintPolicyView.as_view(), name="complaint-policy"),
    *router.urls,
    path("", include("customer_care.ledger_api")),
]
