from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from ggzy.portal import feeds, views
from ggzy.portal.sitemaps import SITEMAPS

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("console/", views.console, name="console"),
    path("search/", views.search, name="search"),
    path("robots.txt", views.robots, name="robots"),
    path("statistics/", views.statistics, name="statistics"),
    path("guide/", views.guide, name="guide"),
    path("statistics/export.xlsx", views.statistics_export, name="statistics_export"),
    path("feeds/notices.rss", feeds.NoticeFeed(), name="feed"),
    path("feeds/notices.atom", feeds.NoticeAtomFeed(), name="feed_atom"),
    path("feeds/<str:category>/notices.rss", feeds.NoticeFeed(), name="feed_category"),
    path("feeds/<str:category>/notices.atom", feeds.NoticeAtomFeed(), name="feed_category_atom"),
    path("feeds/region/<str:region>/notices.rss", feeds.NoticeFeed(), name="feed_region"),
    path("feeds/region/<str:region>/notices.atom", feeds.NoticeAtomFeed(), name="feed_region_atom"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "portal:sitemap"},
        name="sitemap_index",
    ),
    path("sitemap-<section>.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]
