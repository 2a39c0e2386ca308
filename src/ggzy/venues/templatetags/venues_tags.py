"""Template tags for other apps' pages: a lot's venue bookings (the trading project page shows
them under the lot's timeline without importing the venues app)."""

from __future__ import annotations

from django import template

from ggzy.venues import selectors

register = template.Library()


@register.inclusion_tag("venues/_lot_bookings.html")
def lot_venue_bookings(lot_code: str) -> dict:
    """The lot's active bookings as the public may see them (``selectors.lot_bookings_public``)."""
    return {"venue_bookings": selectors.lot_bookings_public(lot_code)}
