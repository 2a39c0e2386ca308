from django.urls import path

from ggzy.core import views

app_name = "core"
urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("years/", views.holiday_years_page, name="holiday_load"),
]
