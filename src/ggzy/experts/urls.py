from django.urls import path

from ggzy.experts import views

app_name = "experts"
urlpatterns = [
    path("draws/", views.draw_list, name="draw_list"),
    path("draws/<str:code>/", views.draw_detail, name="draw_detail"),
    path("draws/<str:code>/export.json", views.draw_export, name="draw_export"),
    path("apply/", views.apply, name="apply"),
    path("invitations/", views.invitations, name="invitations"),
    path("console/", views.console_pool, name="console_pool"),
    path("console/<str:code>/review/", views.console_review, name="console_review"),
    path("console/draws/", views.console_draws, name="console_draws"),
    path("console/draws/<str:code>/", views.console_draw, name="console_draw"),
]
