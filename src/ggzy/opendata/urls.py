from django.urls import path

from ggzy.opendata import views

app_name = "opendata"
urlpatterns = [
    path("", views.index, name="index"),
    path("downloads/<str:month>/<str:dataset>.jsonl.gz", views.download, name="download"),
    path("ocds/<str:code>.json", views.ocds_record, name="ocds_record"),
]
