"""The directory endpoints: customers, vehicles, staff."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.routers import SimpleRouter

from dealership import identifiers, selectors, services
from dealership.models import Customer, Role, Vehicle
from dealership.permissions import ALL_ROLES, api_roles
from dealership.rest import NormalizedCharField

DIRECTORY = api_roles(
    read={Role.ADVISOR, Role.FOREMAN, Role.PARTS, Role.CALLCENTRE, Role.MANAGER},
    write={Role.ADVISOR, Role.PARTS, Role.CALLCENTRE, Role.MANAGER},
)


# --- Directory -------------------------------------------------------------------------------------


class CustomerSerializer(serializers.ModelSerializer):
    mobile = NormalizedCharField(normalizer=identifiers.normalize_mobile, validator=identifiers.validate_mobile)
    landline = NormalizedCharField(
        normalizer=identifiers.normalize_landline,
        validator=identifiers.validate_landline,
        required=False,
        allow_blank=True,
    )

    class Meta:
        model = Customer
        fields = ["id", "name", "mobile", "landline", "created_at"]
        read_only_fields = ["created_at"]


class VehicleSerializer(serializers.ModelSerializer):
    vin = NormalizedCharField(normalizer=identifiers.normalize_vin, validator=identifiers.validate_vin)
    plate = NormalizedCharField(
        normalizer=identifiers.normalize_plate,
        validator=identifiers.validate_plate,
        required=False,
        allow_blank=True,
    )

    class Meta:
        model = Vehicle
        fields = ["id", "customer", "vin", "plate", "model_name", "mileage_km"]

    def validate_vin(self, value):
        if self.instance is not None and value != self.instance.vin:
            raise ValidationError(_("The VIN identifies the vehicle and cannot be changed."))
        return value


class StaffSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    username = serializers.CharField()
    name = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        staff = getattr(user, "staff", None)
        return staff.name if staff else user.get_full_name() or user.get_username()

    def get_roles(self, user) -> list[str]:
        return sorted(group.name for group in user.groups.all() if group.name in ALL_ROLES)


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("search", str, description="Name, start of a mobile, plate or end of a VIN")]
    )
)
class CustomerViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CustomerSerializer
    permission_classes = [DIRECTORY]

    def get_queryset(self):
        customers = selectors.search_customers(self.request.query_params.get("search", ""))
        mobile = self.request.query_params.get("mobile")
        if mobile:
            customers = customers.filter(mobile=identifiers.normalize_mobile(mobile))
        return customers

    def perform_create(self, serializer):
        serializer.instance = services.create_customer(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        services.update_customer(by=self.request.user, customer=serializer.instance, **serializer.validated_data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("customer", int, description="Owner's id"),
            OpenApiParameter("vin", str),
            OpenApiParameter("plate", str),
        ]
    )
)
class VehicleViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = VehicleSerializer
    permission_classes = [DIRECTORY]

    def get_queryset(self):
        vehicles = Vehicle.objects.order_by("pk")
        params = self.request.query_params
        if params.get("customer"):
            try:
                vehicles = vehicles.filter(customer_id=int(params["customer"]))
            except ValueError as bad:
                raise ValidationError({"customer": [_("A customer id is a whole number.")]}) from bad
        if params.get("vin"):
            vehicles = vehicles.filter(vin=identifiers.normalize_vin(params["vin"]))
        if params.get("plate"):
            vehicles = vehicles.filter(plate=identifiers.normalize_plate(params["plate"]))
        return vehicles

    def perform_create(self, serializer):
        serializer.instance = services.register_vehicle(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        changes = {k: v for k, v in serializer.validated_data.items() if k != "vin"}
        services.update_vehicle(by=self.request.user, vehicle=serializer.instance, **changes)


class StaffViewSet(viewsets.ReadOnlyModelViewSet):
    """Users holding a role; `id` is the user id."""

    serializer_class = StaffSerializer

    def get_queryset(self):
        return selectors.staff_users()


router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("vehicles", VehicleViewSet, basename="vehicle")
router.register("staff", StaffViewSet, basename="staff")
urlpatterns = router.urls
