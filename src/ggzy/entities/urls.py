from django.urls import path

from ggzy.entities import views

app_name = "entities"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("register/", views.register, name="register"),
]
