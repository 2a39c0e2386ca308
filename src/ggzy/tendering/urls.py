from django.urls import path

from ggzy.tendering import views

app_name = "tendering"
urlpatterns = [
    path("keys/", views.keys, name="keys"),
    path("openings/<str:lot>/", views.opening_hall, name="opening"),
]
