"""Deposits in the admin: read-only (every change goes through a service and is audited;
banks are registered with ``ggzy deposits bank-register``)."""

from __future__ import annotations

from django.contrib import admin

from ggzy.deposits.models import Bank


@admin.register(Bank)
class BankAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "fingerprint", "simulated", "active", "registered_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
