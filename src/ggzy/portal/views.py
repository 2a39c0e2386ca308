from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ggzy.accounts.selectors import user_org, user_scope
from ggzy.core.choices import Category
from ggzy.portal import selectors


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
        },
    )
