from django.urls import path

from ggzy.tendering import views

app_name = "tendering"
urlpatterns = [
    path("keys/", views.keys, name="keys"),
    path("openings/<str:lot>/", views.opening_hall, name="opening"),
    path("lots/<str:lot>/documents/", views.lot_documents, name="documents"),
    path(
        "lots/<str:lot>/documents/downloads.csv", views.document_downloads_csv, name="document_downloads_csv"
    ),
    path("documents/<int:document_id>/download/", views.document_download, name="document_download"),
]
