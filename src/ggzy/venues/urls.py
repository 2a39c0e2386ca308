from django.urls import path

from ggzy.venues import views

app_name = "venues"
urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("<str:code>/", views.detail, name="detail"),
]
