from django.urls import path

from ggzy.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("console/", views.console, name="console"),
    path("search/", views.search, name="search"),
]
