"""Pages: the list of auctions and listings, and the live hall (docs/auctions.md)."""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ggzy.auctions import results, selectors, services
from ggzy.auctions.models import Phase
from ggzy.core.errors import DomainError


def catalog(request: HttpRequest) -> HttpResponse:
    return render(request, "auctions/catalog.html", {"auctions": selectors.auctions_public()[:200]})


def hall(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        a = services.auction_refresh(auction=selectors.auction_get(pk))
    except DomainError as exc:
        raise Http404(exc.message) from exc
    view = selectors.view_of(a, request.user)
    reg = selectors.registration_of(a, request.user)
    number = reg.number if reg and reg.number else None
    state = selectors.public_view(selectors.hall_payload(a), view, number)
    ctx = {"a": a, "view": view, "number": number, "state_json": json.dumps(state, ensure_ascii=False)}
    if a.phase == Phase.CLOSED:  # the result notice for everyone; the winner's own confirmation
        ctx["confirmations"] = [c for c in results.confirmations_of(a) if reg and c.registration_id == reg.pk]
    return render(request, "auctions/hall.html", ctx)
