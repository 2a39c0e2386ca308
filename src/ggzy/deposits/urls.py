from django.urls import path

from ggzy.deposits import views

app_name = "deposits"
urlpatterns = [
    path("console/", views.console, name="console"),
    path("console/<str:code>/", views.console_lot, name="console_lot"),
    path("mine/", views.mine, name="mine"),
    path("mine/<str:code>/", views.mine_lot, name="mine_lot"),
]
