from django.apps import AppConfig


class VenuesConfig(AppConfig):
    name = "ggzy.venues"
    label = "venues"
    verbose_name = "交易场所"
