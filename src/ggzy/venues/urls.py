from django.urls import path

from ggzy.venues import views

app_name = "venues"
urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("console/", views.console_list, name="console_list"),
    path("console/bookings/", views.console_bookings, name="console_bookings"),
    path("console/<str:code>/", views.console_venue, name="console_venue"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/rest-days/", views.rest_days, name="rest_days"),
]
