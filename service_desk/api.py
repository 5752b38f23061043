"""Service desk endpoints: labour operations, appointments, repair orders and the daily output."""

from django.db import transaction
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from dealership.models import Role, Vehicle
from dealership.permissions import ALL_ROLES, api_roles, has_role, staff_with_role
from dealership.rest import VersionSerializer
from parts import selectors as parts_selectors
from parts.models import Part
from service_desk import selectors, services
from service_desk.access import BOOKERS, DESK, ORDER_API_READERS, get_order_for
from service_desk.filters import AppointmentFilter, LabourOperationFilter, RepairOrderFilter
from service_desk.models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    Category,
    LabourOperation,
    Position,
    Rating,
    RepairItem,
    RepairOrder,
)


class LabourOperationSerializer(serializers.ModelSerializer):
    positional = serializers.BooleanField(source="is_positional", default=False)

    class Meta:
        model = LabourOperation
        fields = ["id", "code", "name", "category", "hours", "price", "positional"]


class LabourOperationViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """The price board's operations. Their history names who changed them: DRF puts the token's user
    on the request the history middleware reads."""

    serializer_class = LabourOperationSerializer
    permission_classes = [api_roles(read=ALL_ROLES, write={Role.MANAGER})]
    queryset = LabourOperation.objects.filter(is_active=True).order_by("category", "code")
    filterset_class = LabourOperationFilter


class AppointmentSerializer(serializers.ModelSerializer):
    green_channel = serializers.BooleanField(source="is_green_channel", read_only=True)
    kind = serializers.ChoiceField(choices=AppointmentKind.choices)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "customer",
            "vehicle",
            "kind",
            "scheduled_at",
            "card_number",
            "green_channel",
            "advisor",
            "added_value_service",
            "note",
            "status",
            "version",
        ]
        read_only_fields = ["customer", "card_number", "status", "version"]
        extra_kwargs = {"advisor": {"required": False}}


class CloseAppointmentSerializer(VersionSerializer):
    to = serializers.ChoiceField(choices=[AppointmentStatus.NO_SHOW, AppointmentStatus.CANCELLED])


class AppointmentViewSet(
    mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    serializer_class = AppointmentSerializer
    permission_classes = [api_roles(read=ALL_ROLES, write=BOOKERS)]
    filterset_class = AppointmentFilter

    def get_queryset(self):
        return selectors.appointments()

    def perform_create(self, serializer):
        serializer.instance = services.book_appointment(
            by=self.request.user, at=timezone.now(), **serializer.validated_data
        )

    @extend_schema(request=CloseAppointmentSerializer, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """The customer did not come (`no_show`) or cancelled (`cancelled`); 409 once it is no longer booked."""
        body = CloseAppointmentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        appointment = services.close_appointment(
            by=request.user,
            appointment=self.get_object(),
            to=body.validated_data["to"],
            version=body.validated_data.get("version"),
            at=timezone.now(),
        )
        return Response(AppointmentSerializer(appointment).data)


class PartOnItemSerializer(serializers.Serializer):
    part = serializers.PrimaryKeyRelatedField(
        queryset=Part.objects.all(), required=False, help_text="The part's id; or give `part_number` instead."
    )
    part_number = serializers.CharField(
        max_length=40, required=False, write_only=True, help_text="The part's OEM number, instead of `part`."
    )
    quantity = serializers.IntegerField(min_value=1, max_value=100)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    waiting_for_part = serializers.BooleanField(source="is_backordered", read_only=True)

    def validate(self, attrs):
        number = attrs.pop("part_number", "").strip()
        if number:
            part = parts_selectors.part_by_number(number)
            if part is None:
                raise ValidationError(
                    {"part_number": [_("No part with number %(number)s in the catalogue.") % {"number": number}]}
                )
            if attrs.get("part", part) != part:
                raise ValidationError({"part_number": [_("This number belongs to another part than `part`.")]})
            attrs["part"] = part
        if "part" not in attrs:
            raise ValidationError({"part": [_("Give the part's id or its part number.")]})
        return attrs


class ItemSerializer(serializers.ModelSerializer):
    category = serializers.ChoiceField(choices=Category.choices)
    position = serializers.ChoiceField(choices=Position.choices, required=False, allow_blank=True)
    labour_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    labour_hours = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=99, required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    parts = PartOnItemSerializer(many=True, required=False, source="part_lines")

    class Meta:
        model = RepairItem
        fields = [
            "id",
            "category",
            "description",
            "labour_operation",
            "position",
            "labour_price",
            "labour_hours",
            "parts",
            "status",
            "technician",
            "is_confirmed",
        ]
        read_only_fields = ["status", "technician", "is_confirmed"]


class RepairOrderSerializer(serializers.ModelSerializer):
    items = ItemSerializer(many=True, required=False)
    vehicle = serializers.PrimaryKeyRelatedField(queryset=Vehicle.objects.select_related("customer"))
    advisor = serializers.PrimaryKeyRelatedField(
        queryset=staff_with_role(Role.ADVISOR),
        required=False,
        help_text="Defaults to the requesting user when they are an advisor.",
    )

    class Meta:
        model = RepairOrder
        fields = [
            "id",
            "number",
            "vehicle",
            "customer",
            "advisor",
            "status",
            "is_green_channel",
            "mileage_km",
            "arrived_at",
            "greeted_at",
            "in_bay_at",
            "promised_at",
            "customer_requests",
            "items",
            "labour_total",
            "parts_total",
            "total",
            "needs_confirmation",
            "confirmed_at",
            "rating",
            "settled_at",
            "settled_by",
            "version",
        ]
        read_only_fields = [
            "number",
            "customer",
            "status",
            "is_green_channel",
            "arrived_at",
            "greeted_at",
            "in_bay_at",
            "promised_at",
            "labour_total",
            "parts_total",
            "total",
            "needs_confirmation",
            "confirmed_at",
            "rating",
            "settled_at",
            "settled_by",
            "version",
        ]
        extra_kwargs = {"mileage_km": {"required": False}}


def _add_item(order, data, by, at):
    parts = data.pop("part_lines", [])
    item = services.add_item(by=by, order=order, at=at, **data)
    for line in parts:
        services.add_part_line(by=by, item=item, part=line["part"], quantity=line["quantity"], at=at)
    return item


class ConfirmSerializer(VersionSerializer):
    signed_by = serializers.CharField(max_length=30)
    declined = serializers.ListField(child=serializers.IntegerField(), required=False)


class ReceptionSerializer(VersionSerializer):
    mileage_km = serializers.IntegerField(min_value=0, max_value=2_000_000)
    fuel_eighths = serializers.IntegerField(min_value=0, max_value=8, help_text="Fuel in eighths: 0 empty, 8 full.")
    damage = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    valuables = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    covers_fitted = serializers.BooleanField()
    signed_by = serializers.CharField(max_length=30)
    customer_requests = serializers.CharField(required=False, allow_blank=True)


class CheckoutSerializer(VersionSerializer):
    # IN03 (rev. 2): "refused" is the customer's own tap on the rating screen and costs the advisor
    # nothing, so a caller cannot record it on the customer's behalf; "missing" is the honest way.
    rating = serializers.ChoiceField(
        choices=[(value, label) for value, label in Rating.choices if value != Rating.REFUSED]
    )


class RepairOrderViewSet(
    mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    serializer_class = RepairOrderSerializer
    permission_classes = [api_roles(read=ORDER_API_READERS, write=DESK)]
    filterset_class = RepairOrderFilter

    def get_queryset(self):
        return selectors.orders().prefetch_related("items__part_lines")

    def get_object(self):
        return get_order_for(self.request.user, self.kwargs["pk"], detail=True)

    @transaction.atomic
    def perform_create(self, serializer):
        data = serializer.validated_data
        at = timezone.now()
        advisor = data.get("advisor")
        if advisor is None:
            if not has_role(self.request.user, Role.ADVISOR):
                raise serializers.ValidationError({"advisor": [_("Name the service advisor of this order.")]})
            advisor = self.request.user
        order = services.receive_vehicle(
            by=self.request.user,
            advisor=advisor,
            vehicle=data["vehicle"],
            at=at,
            mileage_km=data.get("mileage_km"),
            customer_requests=data.get("customer_requests", ""),
        )
        for item in data.get("items", []):
            _add_item(order, dict(item), self.request.user, at)
        serializer.instance = selectors.order_detail(order.pk)

    def _answer(self, order):
        return Response(self.get_serializer(selectors.order_detail(order.pk)).data)

    @extend_schema(request=ItemSerializer, responses=RepairOrderSerializer)
    @action(detail=True, methods=["post"], permission_classes=[api_roles(read=(), write=DESK)])
    @transaction.atomic
    def items(self, request, pk=None):
        """Add one item (with its parts) to the order. 409 when the order is settled or delivered."""
        order = self.get_object()
        item = ItemSerializer(data=request.data)
        item.is_valid(raise_exception=True)
        _add_item(order, dict(item.validated_data), request.user, timezone.now())
        return self._answer(order)

    def _step(self, request, body: type[serializers.Serializer], service) -> Response:
        """Validate the body, run one service on the order with it and who and when; answer with the order."""
        order = self.get_object()
        data = body(data=request.data)
        data.is_valid(raise_exception=True)
        service(order=order, by=request.user, at=timezone.now(), **data.validated_data)
        return self._answer(order)

    @extend_schema(request=ReceptionSerializer, responses=RepairOrderSerializer)
    @action(detail=True, methods=["post"], permission_classes=[api_roles(read=(), write=DESK)])
    def reception(self, request, pk=None):
        """The walk-around check and the reception sheet the customer signs (SD05); needed before confirming."""
        return self._step(request, ReceptionSerializer, services.record_walkaround)

    @extend_schema(request=ConfirmSerializer, responses=RepairOrderSerializer)
    @action(detail=True, methods=["post"], permission_classes=[api_roles(read=(), write=DESK)])
    def confirm(self, request, pk=None):
        """The customer's confirmation of items, time and cost (SD09); `declined` lists item ids."""
        return self._step(request, ConfirmSerializer, services.confirm)

    @extend_schema(request=CheckoutSerializer, responses=RepairOrderSerializer)
    @action(detail=True, methods=["post"], permission_classes=[api_roles(read=(), write=DESK)])
    def checkout(self, request, pk=None):
        """Settle with the customer's rating (SD13); 409 unless every item passed final QC, and the second time."""
        return self._step(request, CheckoutSerializer, services.settle)

    @extend_schema(request=VersionSerializer, responses=RepairOrderSerializer)
    @action(detail=True, methods=["post"], permission_classes=[api_roles(read=(), write=DESK)])
    def deliver(self, request, pk=None):
        """The car leaves; 409 until the order is settled."""
        return self._step(request, VersionSerializer, services.deliver)


class DayQuerySerializer(serializers.Serializer):
    date = serializers.DateField(help_text="YYYY-MM-DD")


class DailyOutputView(APIView):
    """SD14: per category, the count of items and their amount on orders settled that day."""

    permission_classes = [api_roles(read=DESK)]

    @extend_schema(
        parameters=[DayQuerySerializer],
        responses=inline_serializer(
            "DailyOutput",
            {
                "date": serializers.DateField(),
                "categories": inline_serializer(
                    "CategoryOutput",
                    {
                        "category": serializers.CharField(),
                        "count": serializers.IntegerField(),
                        "amount": serializers.DecimalField(max_digits=14, decimal_places=2),
                    },
                    many=True,
                ),
            },
        ),
    )
    def get(self, request):
        query = DayQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        day = query.validated_data["date"]
        rows = selectors.daily_output(day)
        return Response(
            {
                "date": day.isoformat(),
                "categories": [
                    {"category": row["category"], "count": row["count"], "amount": f"{row['amount']:.2f}"}
                    for row in rows
                ],
            }
        )


router = SimpleRouter()
router.register("labour-operations", LabourOperationViewSet, basename="labour-operation")
router.register("appointments", AppointmentViewSet, basename="appointment")
router.register("repair-orders", RepairOrderViewSet, basename="repair-order")
urlpatterns = [path("reports/daily-output/", DailyOutputView.as_view(), name="daily-output"), *router.urls]
