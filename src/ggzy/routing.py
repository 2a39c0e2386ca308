from django.urls import path

from ggzy.auctions.consumers import AuctionHallConsumer
from ggzy.portal.consumers import ClockConsumer
from ggzy.tendering.consumers import OpeningHallConsumer

websocket_urlpatterns = [
    path("ws/clock/", ClockConsumer.as_asgi()),
    path("ws/auctions/<int:pk>/", AuctionHallConsumer.as_asgi()),
    path("ws/openings/<str:lot>/", OpeningHallConsumer.as_asgi()),
]
