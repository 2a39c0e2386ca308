from django.urls import path

from ggzy.trading import views

app_name = "trading"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("console/", views.console_list, name="console_list"),
    path("console/register/", views.register, name="register"),
    path("console/lots/<str:code>/schedule/", views.console_lot_schedule, name="lot_schedule"),
    path("console/lots/<str:code>/notice/", views.console_notice_publish, name="notice_publish"),
    path("console/lots/<str:code>/transition/", views.lot_transition, name="lot_transition"),
    path("console/<str:code>/", views.console_detail, name="console_detail"),
    path("console/<str:code>/lots/", views.lot_add, name="lot_add"),
    path("<str:code>/", views.project_detail, name="detail"),
]
