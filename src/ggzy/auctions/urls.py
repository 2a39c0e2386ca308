from django.urls import path

from ggzy.auctions import console, views

app_name = "auctions"
urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("<int:pk>/", views.hall, name="hall"),
    path("console/", console.console, name="console"),
    path("console/<int:pk>/", console.console_auction, name="console_auction"),
    path("confirmations/<str:code>/verify/", console.confirmation_verify, name="confirmation_verify"),
    path("confirmations/<str:code>/pdf/", console.confirmation_pdf, name="confirmation_pdf"),
]
