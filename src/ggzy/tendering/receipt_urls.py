from django.urls import path

from ggzy.tendering import views

app_name = "receipts"
urlpatterns = [
    path("", views.receipts, name="log"),
    path("platform-key/", views.platform_key, name="platform_key"),
    path("platform-key.pem", views.platform_key_pem, name="platform_key_pem"),
]
