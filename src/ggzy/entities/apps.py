from django.apps import AppConfig


class EntitiesConfig(AppConfig):
    name = "ggzy.entities"
    label = "entities"
    verbose_name = "市场主体"
