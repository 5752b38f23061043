"""Workshop endpoints: job (item) detail with its QC signatures, dispatch, the job clock and QC."""

from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from dealership.models import Role
from dealership.permissions import api_roles
from dealership.rest import VersionSerializer
from service_desk.models import RepairItem
from workshop import selectors, services
from workshop.models import QC_CHECKLIST, QC_CHECKS, FaultKind, QcResult, QcStage, ReworkKind

READERS = {Role.ADVISOR, Role.FOREMAN, Role.TECHNICIAN, Role.INSPECTOR, Role.MANAGER}
HANDS = {Role.FOREMAN, Role.TECHNICIAN, Role.INSPECTOR, Role.MANAGER}


class QcSignSerializer(serializers.Serializer):
    cycle = serializers.IntegerField()
    stage = serializers.CharField()
    result = serializers.CharField()
    by = serializers.IntegerField(source="by_id")
    at = serializers.DateTimeField()
    notes = serializers.CharField()
    checklist = serializers.SerializerMethodField()

    def get_checklist(self, sign) -> list[str]:
        return [key for key in QC_CHECKS if sign.checklist.get(key)]


class WorkshopItemSerializer(serializers.ModelSerializer):
    qc = serializers.SerializerMethodField()
    rework_count = serializers.SerializerMethodField()
    next_qc_stage = serializers.SerializerMethodField()

    class Meta:
        model = RepairItem
        fields = [
            "id",
            "order",
            "category",
            "description",
            "labour_operation",
            "position",
            "labour_hours",
            "labour_price",
            "status",
            "technician",
            "is_confirmed",
            "qc",
            "next_qc_stage",
            "rework_count",
            "version",
        ]

    def get_qc(self, item) -> list[dict]:
        return QcSignSerializer(item.qc_signs.all(), many=True).data

    def get_rework_count(self, item) -> int:
        return sum(1 for rework in item.reworks.all() if rework.kind == ReworkKind.INTERNAL)

    def get_next_qc_stage(self, item) -> str | None:
        stage = services.next_stage(item)
        return stage.value if stage else None


class AssignSerializer(VersionSerializer):
    technician = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.filter(is_active=True))


class QcBodySerializer(VersionSerializer):
    stage = serializers.ChoiceField(choices=QcStage.choices)
    result = serializers.ChoiceField(choices=QcResult.choices)
    checklist = serializers.ListField(
        child=serializers.ChoiceField(choices=QC_CHECKLIST),
        required=False,
        default=list,
        help_text="The checks ticked. A pass needs every one of them (400 otherwise), as on the job page.",
    )
    notes = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="What failed: required for a fail."
    )
    fault = serializers.ChoiceField(
        choices=FaultKind.choices,
        required=False,
        default=FaultKind.REPAIR,
        help_text="For a fail: repair work (charged to the technician) or body and paint (to the paint lead), WS06.",
    )


class ItemViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = WorkshopItemSerializer
    permission_classes = [api_roles(read=READERS, write=HANDS)]
    queryset = RepairItem.objects.none()

    def get_object(self):
        try:
            return selectors.job(int(self.kwargs["pk"]))
        except (RepairItem.DoesNotExist, ValueError) as missing:
            raise NotFound from missing

    def _answer(self, item):
        return Response(WorkshopItemSerializer(selectors.job(item.pk)).data)

    @extend_schema(request=AssignSerializer, responses=WorkshopItemSerializer)
    @action(detail=True, methods=["post"], permission_classes=[api_roles(read=(), write=HANDS)])
    def assign(self, request, pk=None):
        """Dispatch the job to a technician (foreman). 409 when the customer has not confirmed it."""
        item = self.get_object()
        body = AssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.assign(
            by=request.user,
            item=item,
            technician=body.validated_data["technician"],
            version=body.validated_data.get("version"),
            at=timezone.now(),
        )
        return self._answer(item)

    @extend_schema(request=VersionSerializer, responses=WorkshopItemSerializer)
    @action(detail=True, methods=["post"], permission_classes=[api_roles(read=(), write=HANDS)])
    def start(self, request, pk=None):
        """Start the job (or its rework) and its clock: the job's technician, foreman or manager."""
        item = self.get_object()
        body = VersionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.start(by=request.user, item=item, at=timezone.now(), version=body.validated_data.get("version"))
        return self._answer(item)

    @extend_schema(request=VersionSerializer, responses=WorkshopItemSerializer)
    @action(detail=True, methods=["post"], permission_classes=[api_roles(read=(), write=HANDS)])
    def finish(self, request, pk=None):
        """The work is done: the clock stops and the job waits for its self-check."""
        item = self.get_object()
        body = VersionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.finish(by=request.user, item=item, at=timezone.now(), version=body.validated_data.get("version"))
        return self._answer(item)

    @extend_schema(request=QcBodySerializer, responses=WorkshopItemSerializer)
    @action(detail=True, methods=["post"], permission_classes=[api_roles(read=(), write=HANDS)])
    def qc(self, request, pk=None):
        """Sign a QC stage in order (self, general, final); a fail sends the job to rework (WS02, WS03).

        A pass lists every check in `checklist` (400 otherwise); whoever did the job or signed another
        stage of this round may not sign (403)."""
        item = self.get_object()
        body = QcBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        ticked = set(data.pop("checklist"))
        services.sign_qc(
            by=request.user,
            item=item,
            at=timezone.now(),
            checklist={key: key in ticked for key in QC_CHECKS},
            **data,
        )
        return self._answer(item)


router = SimpleRouter()
router.register("items", ItemViewSet, basename="item")
urlpatterns = router.urls
