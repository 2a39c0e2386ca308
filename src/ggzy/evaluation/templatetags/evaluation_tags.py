"""Template tags for the trading pages: a sealed-bid lot's chain after the deadline — opening hall,
evaluation room, award, contract and the published notices — without trading importing evaluation
(the same pattern as the venues app's ``lot_venue_bookings``)."""

from __future__ import annotations

from django import template

from ggzy.evaluation import selectors

register = template.Library()


@register.inclusion_tag("evaluation/_lot_chain.html", takes_context=True)
def lot_trade_chain(context, lot_code: str, console: bool = False) -> dict:
    from ggzy.trading import selectors as trading_selectors

    request = context.get("request")
    user = getattr(request, "user", None)
    lot = trading_selectors.lot_get(lot_code)
    return {"chain": selectors.lot_chain(lot, user, console=console)}
