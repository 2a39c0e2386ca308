"""Admin for core master data: read-only (changes go through services, which audit them)."""

from __future__ import annotations

from django.contrib import admin

from ggzy.core import permissions
from ggzy.core.models import CalendarDeadline, HolidayYear, Region


class ReadOnlyAdmin(admin.ModelAdmin):
    """Visible to platform administrators (master data); nobody adds, edits or deletes here."""

    def has_view_permission(self, request, obj=None):
        return permissions.allowed(request.user, "masterdata.manage")

    def has_module_permission(self, request):
        return permissions.allowed(request.user, "masterdata.manage")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(HolidayYear)
class HolidayYearAdmin(ReadOnlyAdmin):
    list_display = ["year", "source_title", "source_number", "current", "loaded_at", "loaded_by"]
    list_filter = ["current"]


@admin.register(CalendarDeadline)
class CalendarDeadlineAdmin(ReadOnlyAdmin):
    list_display = ["purpose", "owner_type", "owner_id", "start", "days", "kind", "result", "provisional"]
    list_filter = ["provisional", "kind"]
    search_fields = ["purpose", "owner_id"]
