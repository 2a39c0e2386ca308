from django.urls import path

from ggzy.rules import views

app_name = "rules"
urlpatterns = [
    path("", views.rules_page, name="list"),
    path("scope/", views.scope_page, name="scope"),
    path("<str:code>/", views.ruleset_page, name="detail"),
]
