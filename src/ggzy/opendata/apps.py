from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "ggzy.opendata"
    label = "opendata"
    verbose_name = "开放数据"
    default_auto_field = "django.db.models.BigAutoField"
