"""Parts endpoints: the catalogue and backorders (with the arrival action)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from dealership.identifiers import normalize_landline, normalize_mobile, validate_landline, validate_mobile
from dealership.models import Role
from dealership.permissions import ALL_ROLES, api_roles, has_role
from dealership.rest import NormalizedCharField, VersionSerializer
from parts import selectors, services
from parts.filters import BackorderFilter, PartFilter
from parts.models import Backorder, Part, StockMovement

CATALOGUE = api_roles(read=ALL_ROLES, write={Role.PARTS, Role.MANAGER})
STOCK_KEEPERS = api_roles(read=(), write={Role.PARTS, Role.MANAGER})
BACKORDERS = api_roles(read={Role.PARTS, Role.ADVISOR, Role.MANAGER}, write={Role.PARTS, Role.ADVISOR, Role.MANAGER})


class PartSerializer(serializers.ModelSerializer):
    price = serializers.DecimalField(source="retail_price", max_digits=12, decimal_places=2, min_value=0)
    wholesale_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    stock = serializers.IntegerField(source="stock_on_hand", read_only=True)
    positional = serializers.BooleanField(source="is_positional", default=False)
    genuine = serializers.BooleanField(source="is_genuine", default=True)
    approved = serializers.BooleanField(
        source="is_approved",
        default=False,
        help_text="An approved (认证) aftermarket part; genuine or approved parts may be fitted under warranty.",
    )

    class Meta:
        model = Part
        fields = [
            "id",
            "part_number",
            "name",
            "price",
            "wholesale_price",
            "stock",
            "positional",
            "genuine",
            "approved",
            "unit",
            "origin",
        ]

    def validate_part_number(self, value):
        number = services.normalize_part_number(value)
        if self.instance is not None and number != self.instance.part_number:
            raise serializers.ValidationError(_("A part number cannot be changed; add a new part."))
        if self.instance is None and Part.objects.filter(part_number=number).exists():
            raise serializers.ValidationError(_("This part number is already in the catalogue."))
        return number


class StockMovementSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockMovement
        fields = ["id", "part", "kind", "quantity", "balance_after", "reason", "reference", "went_negative", "by", "at"]
        read_only_fields = fields


class StockReceiptSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=100_000)
    reference = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text="Delivery note number."
    )


class StockAdjustmentSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(
        min_value=-100_000, max_value=100_000, help_text="Signed: + found, − missing at a stock count. Not zero."
    )
    reason = serializers.CharField(max_length=200)
    reference = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    allow_negative = serializers.BooleanField(
        required=False, default=False, help_text="Let the stock go below zero (recorded on the movement)."
    )

    def validate_quantity(self, value):
        if value == 0:
            raise serializers.ValidationError(_("The quantity cannot be zero."))
        return value


class PartViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PartSerializer
    permission_classes = [CATALOGUE]
    filterset_class = PartFilter

    def get_queryset(self):
        return selectors.search_parts()

    def perform_create(self, serializer):
        serializer.instance = services.create_part(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        changes = {k: v for k, v in serializer.validated_data.items() if k != "part_number"}
        services.update_part(by=self.request.user, part=serializer.instance, **changes)

    def _stock_step(self, request, body_class, step):
        part = self.get_object()
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        movement = step(part=part, by=request.user, at=timezone.now(), **body.validated_data)
        return Response(StockMovementSerializer(movement).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=StockReceiptSerializer, responses={201: StockMovementSerializer})
    @action(detail=True, methods=["post"], permission_classes=[STOCK_KEEPERS])
    def receive(self, request, pk=None):
        """Book a supplier's delivery into stock (parts clerks and managers)."""
        return self._stock_step(request, StockReceiptSerializer, services.receive_stock)

    @extend_schema(request=StockAdjustmentSerializer, responses={201: StockMovementSerializer})
    @action(detail=True, methods=["post"], permission_classes=[STOCK_KEEPERS])
    def adjust(self, request, pk=None):
        """Correct the stock after a count, with a reason; 409 when it would go below zero unless allowed."""
        return self._stock_step(request, StockAdjustmentSerializer, services.adjust_stock)


class BackorderSerializer(serializers.ModelSerializer):
    mobile = NormalizedCharField(
        normalizer=normalize_mobile, validator=validate_mobile, required=False, allow_blank=True
    )
    landline = NormalizedCharField(
        normalizer=normalize_landline, validator=validate_landline, required=False, allow_blank=True
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)

    class Meta:
        model = Backorder
        fields = [
            "id",
            "number",
            "part",
            "description",
            "quantity",
            "customer",
            "repair_order",
            "mobile",
            "landline",
            "advisor",
            "expected_on",
            "status",
            "note",
            "ordered_at",
            "arrived_at",
            "version",
        ]
        read_only_fields = ["number", "advisor", "status", "ordered_at", "arrived_at", "version"]
        extra_kwargs = {"expected_on": {"help_text": "Today or later; a past date is refused (400)."}}

    def validate_expected_on(self, value):
        if value < timezone.localdate():
            raise serializers.ValidationError(_("The expected arrival cannot be in the past."))
        return value


class BackorderViewSet(
    mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    serializer_class = BackorderSerializer
    permission_classes = [BACKORDERS]
    queryset = Backorder.objects.none()  # for the schema; requests go through get_queryset
    filterset_class = BackorderFilter

    def get_queryset(self):
        sees_all = has_role(self.request.user, Role.PARTS, Role.MANAGER)
        return selectors.backorders(advisor=None if sees_all else self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        for name in ("mobile", "landline"):
            if not data.get(name):
                data.pop(name, None)  # the customer's own numbers
        serializer.instance = services.create_backorder(by=self.request.user, at=timezone.now(), **data)

    @extend_schema(request=VersionSerializer, responses=BackorderSerializer)
    @action(detail=True, methods=["post"], permission_classes=[api_roles(read=(), write={Role.PARTS, Role.MANAGER})])
    def arrived(self, request, pk=None):
        """The part has arrived: the customer and the advisor are told (PT03). 409 when not on its way."""
        try:
            backorder = selectors.get_backorder_for(request.user, int(pk))
        except (Backorder.DoesNotExist, ValueError) as missing:
            raise NotFound from missing
        body = VersionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.mark_arrived(
            by=request.user, backorder=backorder, at=timezone.now(), version=body.validated_data.get("version")
        )
        return Response(self.get_serializer(backorder).data)


router = SimpleRouter()
router.register("parts", PartViewSet, basename="part")
router.register("backorders", BackorderViewSet, basename="backorder")
urlpatterns = router.urls
