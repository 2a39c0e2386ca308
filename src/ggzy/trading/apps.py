from django.apps import AppConfig


class TradingConfig(AppConfig):
    name = "ggzy.trading"
    label = "trading"
    verbose_name = "交易项目"
