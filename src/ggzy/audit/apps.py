from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ggzy.audit"
    label = "audit"
    verbose_name = "全流程留痕"
