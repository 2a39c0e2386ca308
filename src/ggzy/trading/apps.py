from django.apps import AppConfig


class TradingConfig(AppConfig):
    name = "ggzy.trading"
    label = "trading"
    verbose_name = "交易项目"

    def ready(self) -> None:
        from ggzy.audit import scopes
        from ggzy.trading.selectors import audit_scope

        # supervisors read the trail of one project they supervise (audit cannot look projects up)
        scopes.register("project", audit_scope)
