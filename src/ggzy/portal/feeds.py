"""RSS 2.0 and Atom feeds of the published notices, for the whole platform, per category and per
region (a city covers its counties). Thin: the notices come from ``selectors.notice_search``."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags

from ggzy.core.choices import Category
from ggzy.portal import selectors

ITEMS = 50


class NoticeFeed(Feed):
    """最新交易公告 (RSS 2.0)."""

    description_template = None

    def get_object(self, request, category: str = "", region: str = ""):
        if category and category not in Category.values:
            raise Http404("未知的交易类别")
        if region and not (region.isdigit() and len(region) == 6):
            raise Http404("地区代码应为6位数字")
        names = dict(r[:2] for r in selectors.region_options())
        for _, _, counties in selectors.region_options():
            names.update(dict(counties))
        if region and region not in names and not region.endswith("0000"):
            raise Http404("未知的地区")
        return {"category": category, "region": region, "region_name": names.get(region, "全省")}

    def title(self, obj) -> str:
        parts = []
        if obj["region"]:
            parts.append(obj["region_name"])
        if obj["category"]:
            parts.append(Category(obj["category"]).label)
        return "".join(parts) + "交易公告" if parts else "最新交易公告"

    def link(self, obj) -> str:
        query = "&".join(
            f"{k}={v}" for k, v in (("category", obj["category"]), ("region", obj["region"])) if v
        )
        return reverse("portal:search") + (f"?{query}" if query else "")

    def description(self, obj) -> str:
        return "公共资源交易平台发布的" + self.title(obj)

    def items(self, obj):
        filters = selectors.Filters(category=obj["category"], region=obj["region"])
        return [h.notice for h in selectors.notice_search("", filters, page=1, page_size=ITEMS).hits]

    def item_title(self, item) -> str:
        return item.title

    def item_description(self, item) -> str:
        return strip_tags(item.body_html)[:300]

    def item_link(self, item) -> str:
        return reverse("notices:detail", args=[item.number])

    def item_guid(self, item) -> str:
        return item.number

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_categories(self, item):
        return [item.get_kind_display(), item.project.get_category_display()]


class NoticeAtomFeed(NoticeFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj) -> str:
        return self.description(obj)
