from django.urls import path

from ggzy.entities import views

app_name = "entities"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("register/", views.register, name="register"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("console/", views.console_list, name="console_list"),
    path("console/import/", views.import_entities, name="import"),
    path("<str:uscc>/", views.detail, name="detail"),
    path("<str:uscc>/edit/", views.edit, name="edit"),
    path("<str:uscc>/members/", views.members, name="members"),
]
