from django.urls import path

from ggzy.auctions import views

app_name = "auctions"
urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("<int:pk>/", views.hall, name="hall"),
]
