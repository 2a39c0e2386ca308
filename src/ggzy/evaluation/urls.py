from django.urls import path

from ggzy.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("lots/<str:code>/", views.room, name="room"),
    path("awards/<str:code>/verify/", views.verify, name="verify"),
    path("awards/<str:code>/pdf/", views.award_pdf, name="award_pdf"),
]
