from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "ggzy.portal"
    label = "portal"
    verbose_name = "门户"
