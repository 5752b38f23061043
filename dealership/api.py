"""The core endpoints: customers, vehicles, staff, the SMS outbox and its delivery receipts."""

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from dealership import identifiers, outbox, selectors, services
from dealership.filters import CustomerFilter, SmsFilter, VehicleFilter
from dealership.identifiers import mask_mobile
from dealership.models import Customer, Role, SmsMessage, Vehicle
from dealership.permissions import ALL_ROLES, api_roles, may_see_full_mobile
from dealership.rest import NormalizedCharField

DIRECTORY = api_roles(
    read={Role.ADVISOR, Role.FOREMAN, Role.PARTS, Role.CALLCENTRE, Role.MANAGER},
    write={Role.ADVISOR, Role.PARTS, Role.CALLCENTRE, Role.MANAGER},
)


# --- Directory -------------------------------------------------------------------------------------


class CustomerSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="Send the version you read; 409 if stale."
    )
    mobile = NormalizedCharField(normalizer=identifiers.normalize_mobile, validator=identifiers.validate_mobile)
    landline = NormalizedCharField(
        normalizer=identifiers.normalize_landline,
        validator=identifiers.validate_landline,
        required=False,
        allow_blank=True,
    )

    class Meta:
        model = Customer
        fields = ["id", "name", "mobile", "landline", "sms_opt_out", "created_at", "version"]
        read_only_fields = ["created_at"]

    def to_representation(self, customer):
        data = super().to_representation(customer)
        request = self.context.get("request")
        if request is not None and not may_see_full_mobile(request.user):
            data["mobile"] = mask_mobile(data["mobile"])
            data["landline"] = "****" if data["landline"] else ""
        return data


class VehicleSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="Send the version you read; 409 if stale."
    )
    vin = NormalizedCharField(normalizer=identifiers.normalize_vin, validator=identifiers.validate_vin)
    plate = NormalizedCharField(
        normalizer=identifiers.normalize_plate,
        validator=identifiers.validate_plate,
        required=False,
        allow_blank=True,
    )

    class Meta:
        model = Vehicle
        fields = ["id", "customer", "vin", "plate", "model_name", "mileage_km", "version"]

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


class CustomerViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CustomerSerializer
    permission_classes = [DIRECTORY]

    filterset_class = CustomerFilter

    def get_queryset(self):
        return selectors.search_customers()

    def perform_create(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k != "version"}
        serializer.instance = services.create_customer(by=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        services.update_customer(by=self.request.user, customer=serializer.instance, **data)


class VehicleViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = VehicleSerializer
    permission_classes = [DIRECTORY]

    filterset_class = VehicleFilter
    queryset = Vehicle.objects.order_by("pk")

    def perform_create(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k != "version"}
        serializer.instance = services.register_vehicle(by=self.request.user, **data)

    def perform_update(self, serializer):
        changes = {k: v for k, v in serializer.validated_data.items() if k != "vin"}
        services.update_vehicle(by=self.request.user, vehicle=serializer.instance, **changes)


class StaffViewSet(viewsets.ReadOnlyModelViewSet):
    """Users holding a role; `id` is the user id."""

    serializer_class = StaffSerializer

    def get_queryset(self):
        return selectors.staff_users()


class SmsMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = SmsMessage
        fields = [
            "id",
            "mobile",
            "kind",
            "body",
            "status",
            "dedupe_key",
            "attempts",
            "next_attempt_at",
            "sent_at",
            "delivered_at",
            "error",
            "created_at",
        ]


class SmsViewSet(viewsets.ReadOnlyModelViewSet):
    """The SMS outbox, newest first (read only: messages are written by the events that cause them)."""

    serializer_class = SmsMessageSerializer
    permission_classes = [api_roles(read={Role.CALLCENTRE, Role.MANAGER})]

    filterset_class = SmsFilter
    queryset = selectors.sms_messages()


class ReceiptSerializer(serializers.Serializer):
    out_id = serializers.CharField(max_length=40)
    status = serializers.ChoiceField(choices=["delivered", "failed"])
    detail = serializers.CharField(max_length=200, required=False, allow_blank=True)


class CanPostReceipts(BasePermission):
    """Only the SMS gateway's integration account (permission `dealership.record_sms_receipt`)."""

    def has_permission(self, request, view) -> bool:
        return request.user.is_authenticated and request.user.has_perm("dealership.record_sms_receipt")


class SmsReceiptView(APIView):
    """POST a list of delivery receipts from the gateway: [{"out_id", "status", "detail"}]."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [CanPostReceipts]

    @extend_schema(request=ReceiptSerializer(many=True), responses={200: dict})
    def post(self, request):
        batch = request.data if isinstance(request.data, list) else [request.data]
        receipts = ReceiptSerializer(data=batch, many=True)
        receipts.is_valid(raise_exception=True)
        at = timezone.now()
        matched = 0
        for receipt in receipts.validated_data:
            message = outbox.record_receipt(
                out_id=receipt["out_id"],
                delivered=receipt["status"] == "delivered",
                at=at,
                detail=receipt.get("detail", ""),
            )
            matched += message is not None
        return Response({"received": len(batch), "matched": matched})


class ReplySerializer(serializers.Serializer):
    mobile = serializers.CharField(max_length=20)
    text = serializers.CharField(max_length=500, allow_blank=True)


class SmsReplyView(APIView):
    """POST the replies customers sent to our texts: [{"mobile", "text"}]. A reply "TD" (or 退订)
    opts the customer out of greetings and weather notes; service messages still go."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [CanPostReceipts]

    @extend_schema(request=ReplySerializer(many=True), responses={200: dict})
    def post(self, request):
        batch = request.data if isinstance(request.data, list) else [request.data]
        replies = ReplySerializer(data=batch, many=True)
        replies.is_valid(raise_exception=True)
        opted_out = sum(services.opt_out_by_reply(mobile=r["mobile"], text=r["text"]) for r in replies.validated_data)
        return Response({"received": len(batch), "opted_out": opted_out})


router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("vehicles", VehicleViewSet, basename="vehicle")
router.register("staff", StaffViewSet, basename="staff")
router.register("sms", SmsViewSet, basename="sms")
urlpatterns = [
    path("sms/receipts/", SmsReceiptView.as_view(), name="sms_receipts"),
    path("sms/replies/", SmsReplyView.as_view(), name="sms_replies"),
    *router.urls,
]
