from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from dealership.models import Customer, Staff, Team, Vehicle

admin.site.site_header = _("After-sales service administration")
admin.site.site_title = _("After-sales service")
admin.site.index_title = _("Reference data and accounts")


class StaffInline(admin.StackedInline):
    model = Staff
    can_delete = False
    verbose_name_plural = _("staff profile")


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class StaffUserAdmin(UserAdmin):
    inlines = [StaffInline]
    list_display = ["username", "display_name", "role_names", "is_active", "is_staff", "last_login"]
    list_filter = ["groups", "is_active", "is_staff"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("staff").prefetch_related("groups")

    def get_readonly_fields(self, request, obj=None):
        # A manager gives roles; only a superuser makes superusers or grants single permissions,
        # or a manager could raise their own rights.
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["is_superuser", "user_permissions", "last_login", "date_joined"]

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description=_("display name"))
    def display_name(self, user) -> str:
        staff = getattr(user, "staff", None)
        return staff.name if staff else ""

    @admin.display(description=_("roles"))
    def role_names(self, user) -> str:
        return "、".join(group.name for group in user.groups.all())


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "leader", "created_at"]
    list_select_related = ["leader__staff"]
    autocomplete_fields = ["leader"]
    search_fields = ["name"]


@admin.register(Staff)
class StaffAdmin(SimpleHistoryAdmin):
    list_display = ["name", "user", "mobile", "team"]
    list_select_related = ["user", "team"]
    search_fields = ["name", "user__username", "mobile"]
    list_filter = ["team"]


class VehicleInline(admin.TabularInline):
    model = Vehicle
    extra = 0
    fields = ["vin", "plate", "model_name", "mileage_km"]


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "mobile", "landline", "created_at"]
    search_fields = ["name", "mobile", "vehicles__plate", "vehicles__vin"]
    inlines = [VehicleInline]
    show_full_result_count = False


@admin.register(Vehicle)
class VehicleAdmin(SimpleHistoryAdmin):
    list_display = ["plate", "vin", "model_name", "mileage_km", "customer"]
    list_select_related = ["customer"]
    search_fields = ["plate", "vin", "customer__name", "customer__mobile"]
    raw_id_fields = ["customer"]
    show_full_result_count = False
