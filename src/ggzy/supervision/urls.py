from django.urls import path

from ggzy.supervision import views

app_name = "supervision"
urlpatterns = [
    path("warnings/", views.warnings, name="warnings"),
    path("warnings/<int:pk>/handle/", views.handle, name="handle"),
]
