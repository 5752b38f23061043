from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from parts.models import GiftItem, Part


@admin.register(Part)
class PartAdmin(SimpleHistoryAdmin):
    list_display = [
        "part_number",
        "name",
        "retail_price",
        "wholesale_price",
        "stock_on_hand",
        "is_positional",
        "is_genuine",
    ]
    search_fields = ["part_number", "name", "initials"]
    list_filter = ["is_genuine", "is_positional"]
    readonly_fields = ["stock_on_hand"]
    show_full_result_count = False

    # Parts are changed on the parts pages, which keep pinyin initials and stock movements right.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(GiftItem)
class GiftItemAdmin(SimpleHistoryAdmin):
    list_display = ["name", "unit_cost", "stock_on_hand", "is_active"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
