"""The workshop's reference data in the admin site: its policy, the technical group and the 6S areas.

Everything that happens to a job (clock, QC, rework, escalations) is recorded on the workshop
pages, where its rules are kept; none of it is editable here.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from workshop.models import SixSArea, TechnicalGroupMember, WorkshopPolicy


@admin.register(WorkshopPolicy)
class WorkshopPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "comeback_days", "technicians_assign_themselves", "paint_lead", "technical_director"]
    autocomplete_fields = ["paint_lead", "technical_director"]

    # One row, created on first use: it is changed, never added or deleted.
    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        WorkshopPolicy.current()
        return super().changelist_view(request, extra_context)


@admin.register(TechnicalGroupMember)
class TechnicalGroupMemberAdmin(admin.ModelAdmin):
    list_display = ["user"]
    list_select_related = ["user__staff"]
    autocomplete_fields = ["user"]


@admin.register(SixSArea)
class SixSAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "first_responsible", "second_responsible"]
    list_select_related = ["first_responsible__staff", "second_responsible__staff"]
    autocomplete_fields = ["first_responsible", "second_responsible"]
    search_fields = ["name"]
