"""Customer care's reference data in the admin site: rescue zones and the holiday calendar.

The policies and pairings have their own page (/care/settings/); complaints, calls, rescues and
follow-ups are kept on the care pages, where their rules are.
"""

from django.contrib import admin

from customer_care.models import Holiday, RescueZone


@admin.register(RescueZone)
class RescueZoneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "promise", "is_active", "order"]
    list_editable = ["is_active", "order"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["day", "name"]
    date_hierarchy = "day"
