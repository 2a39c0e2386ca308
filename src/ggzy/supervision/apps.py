from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "ggzy.supervision"
    label = "supervision"
    verbose_name = "电子监督"
