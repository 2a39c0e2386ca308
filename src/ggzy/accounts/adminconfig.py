"""Installed instead of ``django.contrib.admin`` (settings.INSTALLED_APPS): same admin, our site."""

from django.contrib.admin.apps import AdminConfig


class PlatformAdminConfig(AdminConfig):
    """The Django admin as the master-data console of platform administrators only."""

    default_site = "ggzy.accounts.admin_site.PlatformAdminSite"
