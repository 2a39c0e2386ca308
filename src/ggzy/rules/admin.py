"""Admin: rule-set versions are read-only here (publish through the services, which validate and audit)."""

from __future__ import annotations

from django.contrib import admin

from ggzy.core import permissions
from ggzy.rules.models import RuleSetVersion


@admin.register(RuleSetVersion)
class RuleSetVersionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "version", "effective_from", "source", "published_at", "digest"]
    list_filter = ["category", "source"]
    search_fields = ["code", "name"]

    def has_view_permission(self, request, obj=None):
        return permissions.allowed(request.user, "rules.define")

    def has_module_permission(self, request):
        return permissions.allowed(request.user, "rules.define")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
