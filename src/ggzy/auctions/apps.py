from django.apps import AppConfig


class AuctionsConfig(AppConfig):
    name = "ggzy.auctions"
    label = "auctions"
    verbose_name = "拍卖挂牌"
