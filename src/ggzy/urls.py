from django.contrib import admin
from django.urls import include, path

from ggzy.api import api

admin.site.site_header = "公共资源交易平台 · 基础数据管理"
admin.site.site_title = "基础数据管理"
admin.site.index_title = "基础数据"

urlpatterns = [
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("accounts/", include("ggzy.accounts.urls")),
    path("entities/", include("ggzy.entities.urls")),
    path("audit/", include("ggzy.audit.urls")),
    path("calendar/", include("ggzy.core.urls")),
    path("rules/", include("ggzy.rules.urls")),
    path("projects/", include("ggzy.trading.urls")),
    path("notices/", include("ggzy.trading.notice_urls")),
    path("supervision/", include("ggzy.supervision.urls")),
    path("receipts/", include("ggzy.tendering.receipt_urls")),
    path("tendering/", include("ggzy.tendering.urls")),
    path("experts/", include("ggzy.experts.urls")),
    path("venues/", include("ggzy.venues.urls")),
    path("opendata/", include("ggzy.opendata.urls")),
    path("auctions/", include("ggzy.auctions.urls")),
    path("evaluation/", include("ggzy.evaluation.urls")),
    path("deposits/", include("ggzy.deposits.urls")),
    path("", include("ggzy.portal.urls")),
]
