"""Public pages of the venue catalog (thin)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ggzy.core import clock
from ggzy.core.errors import DomainError
from ggzy.venues import selectors
from ggzy.venues.models import CHECKLIST


def catalog(request: HttpRequest) -> HttpResponse:
    return render(request, "venues/catalog.html", {"venues": selectors.catalog(), "checklist": CHECKLIST})


def detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        v = selectors.venue_get(code)
    except DomainError as exc:
        return render(request, "venues/catalog.html", {"error": exc.message, "venues": []}, status=404)
    try:
        start = dt.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        start = clock.today()
    return render(
        request,
        "venues/detail.html",
        {"v": v, "checklist": [(label, bool(v.checklist.get(k))) for k, label in CHECKLIST.items()],
         "calendar": selectors.calendar(v, start, 7), "inspections": v.inspections.all()[:10],
         "prev": start - dt.timedelta(days=7), "next": start + dt.timedelta(days=7)},
    )  # fmt: skip
