from django.urls import path

from ggzy.trading import views

app_name = "notices"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("<str:number>/", views.notice_detail, name="detail"),
]
