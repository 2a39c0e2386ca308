"""Public pages of the rules: every rule set with its periods and legal basis, each rule set's
versions with the full text of the articles it cites, and the mandatory scope."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from ggzy.core import clock
from ggzy.core.errors import NotFound
from ggzy.rules import present, scope, selectors, validate


def rules_page(request):
    groups: dict[str, dict] = {}
    for p in selectors.published():
        shown = p.current or p.latest
        entry = {
            "row": shown,
            "in_force": p.current is not None,
            "upcoming": p.upcoming,
            "rs": present.ruleset(p.ruleset, shown),
        }
        group = groups.setdefault(
            shown.category,
            {"code": shown.category, "label": validate.CATEGORIES[shown.category], "items": []},
        )
        group["items"].append(entry)
    return render(request, "rules/list.html", {"groups": list(groups.values()), "today": clock.today()})


def ruleset_page(request, code: str):
    try:
        p = selectors.published_one(code)
        rows = selectors.version_rows(code)
        wanted = request.GET.get("v", "").strip()
        row = p.current or p.latest
        if wanted:
            row = selectors.version_row(code, int(wanted)) if wanted.isdigit() else None
            if row is None:
                raise Http404("没有这个版本")
    except NotFound as e:
        raise Http404(e.message) from None
    rs = selectors.to_ruleset(row)
    return render(
        request,
        "rules/detail.html",
        {
            "row": row,
            "rs": present.ruleset(rs, row),
            "current": p.current,
            "upcoming": p.upcoming,
            "versions": rows,
            "articles": selectors.cited_articles(rs),
        },
    )


def scope_page(request):
    s = scope.default_scope()
    thresholds = [{"t": t, "wan": scope.wan(t.amount)} for t in s.thresholds.values()]
    categories = [(validate.CATEGORIES[k], v) for k, v in s.category_reasons.items()]
    return render(
        request,
        "rules/scope.html",
        {
            "scope": s,
            "thresholds": thresholds,
            "categories": categories,
            "ratio_percent": format((s.ratio * 100).normalize(), "f"),
        },
    )
