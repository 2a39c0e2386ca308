"""sitemap.xml: the public pages and every published notice and project."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class StaticSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return [
            "portal:home",
            "portal:search",
            "notices:list",
            "trading:list",
            "rules:list",
            "entities:directory",
        ]

    def location(self, item):
        return reverse(item)


class NoticeSitemap(Sitemap):
    changefreq = "never"  # a published notice never changes
    limit = 5000

    def items(self):
        from ggzy.trading.models import Notice

        return Notice.objects.order_by("id").only("number", "published_at")

    def location(self, item):
        return reverse("notices:detail", args=[item.number])

    def lastmod(self, item):
        return item.published_at


class ProjectSitemap(Sitemap):
    changefreq = "daily"
    limit = 5000

    def items(self):
        from ggzy.trading.models import Project

        return Project.objects.order_by("id").only("code", "registered_at")

    def location(self, item):
        return reverse("trading:detail", args=[item.code])


SITEMAPS = {"pages": StaticSitemap, "notices": NoticeSitemap, "projects": ProjectSitemap}
