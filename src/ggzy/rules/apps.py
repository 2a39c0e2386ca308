from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "ggzy.rules"
    label = "rules"
    verbose_name = "交易规则"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from ggzy.rules.services import sync_after_migrate

        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="ggzy_rules_sync_shipped")
