from django.apps import AppConfig


class ExpertsConfig(AppConfig):
    name = "ggzy.experts"
    label = "experts"
    verbose_name = "评标专家"

    def ready(self) -> None:
        from ggzy.experts import checks  # noqa: F401  (registers the system check)
