from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from ggzy.accounts.selectors import user_org, user_scope
from ggzy.core.choices import Category
from ggzy.portal import fulltext, selectors, workbook


def home(request):
    """The home page: the latest notices of each category, links by city, feeds."""
    latest = [
        (value, label, selectors.notice_search("", selectors.Filters(category=value), page_size=5).hits)
        for value, label in Category.choices
    ]
    return render(
        request,
        "portal/home.html",
        {"latest": [row for row in latest if row[2]], "cities": [r[:2] for r in selectors.region_options()]},
    )


@login_required
def console(request):
    user = request.user
    return render(
        request,
        "portal/console.html",
        {"org": user_org(user), "scope": user_scope(user), "second_factor_on": user.totp_confirmed},
    )


def search(request):
    """全文检索: Chinese full-text search over every published notice, with filters."""
    from ggzy.trading.models import NoticeKind, ProjectStatus

    query = (request.GET.get("q") or "").strip()[:100]
    filters = selectors.filters_from(request.GET)
    try:
        page = int(request.GET.get("page") or 1)
    except ValueError:
        page = 1
    result = selectors.notice_search(query, filters, page)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "portal/search.html",
        {
            "result": result,
            "query": query,
            "filters": filters,
            "categories": Category.choices,
            "kinds": NoticeKind.choices,
            "statuses": ProjectStatus.choices,
            "regions": selectors.region_options(),
            "procedures": selectors.procedure_options(),
            "base_query": params.urlencode(),
            "candidates": fulltext.CANDIDATES,
        },
    )


def _year(request) -> int | None:
    text = (request.GET.get("year") or "").strip()
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else None


def statistics(request):
    """交易统计: volume, value, savings and premium rates, bidders per lot, by category, city and
    month, as tables (no JavaScript needed) and ECharts charts."""
    year = _year(request)
    tables = selectors.statistics_tables(year)
    charts = {
        key: {
            "labels": [r.label for r in rows[:-1]],
            "lots": [r.lots for r in rows[:-1]],
            "value": [float(r.value) for r in rows[:-1]],
            "estimate": [float(r.estimate) for r in rows[:-1]],
        }
        for key, rows in tables.items()
    }
    return render(
        request,
        "portal/statistics.html",
        {
            "tables": tables,
            "year": year,
            "charts": charts,
            "groups": workbook.GROUP,
            "sheets": workbook.SHEETS,
        },
    )


def statistics_export(request):
    """The same figures as an Excel workbook."""
    year = _year(request)
    title = f"公共资源交易统计（{year}年）" if year else "公共资源交易统计（全部年份）"
    data = workbook.statistics_workbook(selectors.statistics_tables(year), title)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"ggzy-statistics-{year or 'all'}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def guide(request):
    """服务指南: processes, norms, standards, fees, supervision and complaint channels."""
    region = (request.GET.get("region") or "").strip()
    region = region if region.isdigit() and len(region) == 6 else ""
    return render(
        request,
        "portal/guide.html",
        {"guide": selectors.guide(region), "region": region, "regions": selectors.region_options()},
    )


def robots(request):
    """robots.txt: the public site may be crawled; the console, admin and API may not."""
    lines = [
        "User-agent: *",
        "Disallow: /console/",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /api/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
