"""The admin site: master data, for platform administrators who passed the second factor."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from ggzy.accounts import secondfactor
from ggzy.accounts.models import Role


def admin_allowed(request) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if not user.is_staff or user.role != Role.PLATFORM_ADMIN:
        return False
    if secondfactor.is_pending(request):
        return False
    return not settings.GGZY_TOTP_REQUIRED or user.totp_confirmed


class PlatformAdminSite(admin.AdminSite):
    site_header = "公共资源交易平台 · 基础数据管理"
    site_title = "基础数据管理"
    index_title = "基础数据"

    def has_permission(self, request) -> bool:
        return admin_allowed(request)

    def login(self, request, extra_context=None):
        """One login page for everyone (lockout and second factor included); a logged-in account
        that is not a platform administrator is told so."""
        user = request.user
        if user.is_authenticated and not secondfactor.is_pending(request):
            return render(request, "accounts/admin_denied.html", status=403)
        next_url = request.GET.get("next") or reverse("admin:index")
        return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")
