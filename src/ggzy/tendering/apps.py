from django.apps import AppConfig


class TenderingConfig(AppConfig):
    name = "ggzy.tendering"
    label = "tendering"
    verbose_name = "电子招标投标"

    def ready(self) -> None:
        from ggzy.tendering import checks  # noqa: F401  (registers the system check)
