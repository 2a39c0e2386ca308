"""Reads of the auctions app and who may see what (docs/auctions.md "Who sees what")."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ggzy.auctions.models import Auction, Bid, Phase, Registration
from ggzy.core import clock
from ggzy.core.errors import NotFound
from ggzy.core.permissions import allowed

RECENT = 20


def auction_get(pk: Any) -> Auction:
    try:
        return Auction.objects.select_related("lot__project", "leader").get(pk=int(pk))
    except (Auction.DoesNotExist, TypeError, ValueError):
        raise NotFound("auction.not_found", "没有找到该拍卖挂牌标的") from None


def auctions_public() -> QuerySet[Auction]:
    return Auction.objects.select_related("lot__project").order_by("-starts_at")


def registration_of(auction: Auction, user: Any) -> Registration | None:
    """The viewer's own registration (through its entity), if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    m = getattr(user, "membership", None)
    if m is None or not m.active:
        return None
    return Registration.objects.filter(auction=auction, entity_id=m.entity_id).first()


def view_of(auction: Auction, user: Any) -> str:
    """``supervisor`` (real identities), ``operator`` (the service center), ``transferor``,
    ``bidder`` (own number) or ``public`` (prices and times only)."""
    project = auction.lot.project
    if allowed(user, "trade.supervise", project):
        return "supervisor"
    if allowed(user, "trade.operate", project):
        return "operator"
    m = getattr(user, "membership", None) if getattr(user, "is_authenticated", False) else None
    if m is not None and m.active and m.entity.uscc == project.tenderer_uscc:
        return "transferor"
    if registration_of(auction, user) is not None:
        return "bidder"
    return "public"


def _t(v) -> str | None:
    return v.isoformat() if v is not None else None


def _d(v) -> str | None:
    return str(v) if v is not None else None


def hall_payload(auction: Auction) -> dict[str, Any]:
    """Everything the hall shows, for every viewer; ``public_view`` strips what a viewer may not see."""
    a = auction
    bids = list(
        Bid.objects.filter(auction=a).select_related("registration__entity").order_by("-seq")[:RECENT]
    )
    closed = a.phase == Phase.CLOSED
    regs = list(Registration.objects.filter(auction=a).select_related("entity"))
    return {
        "type": "state",
        "auction": a.pk,
        "title": a.title,
        "kind": a.get_kind_display(),
        "mode": a.mode,
        "mode_label": a.get_mode_display(),
        "phase": a.phase,
        "phase_label": a.get_phase_display(),
        "starting_price": _d(a.starting_price),
        "increment": _d(a.increment),
        "price_cap": _d(a.price_cap),
        "quantity_label": a.quantity_label,
        "price": _d(a.price),
        "quantity": _d(a.quantity) if a.phase == Phase.CAP or (closed and a.price == a.price_cap) else None,
        "leader": a.leader.number if a.leader_id else None,
        "bid_count": a.bid_count,
        "round_no": a.round_no,
        "starts_at": _t(a.starts_at),
        "listing_ends_at": _t(a.listing_ends_at),
        "deadline": _t(a.deadline_at),
        "hard_stop": _t(a.hard_stop_at),
        "countdown_seconds": a.countdown_seconds,
        "acceleration": a.acceleration,
        "closed_at": _t(a.closed_at),
        "result": a.result,
        "result_label": a.get_result_display() if a.result else "",
        "final_price": _d(a.final_price),
        "premium_rate": _d(a.premium_rate),
        "reserve_price": _d(a.reserve_price) if closed else None,  # sealed until the end
        "reserve_sealed": a.reserve_price is not None,
        "result_notice": a.result_notice,
        "bidders": sum(1 for r in regs if r.may_bid),
        "bids": [
            {
                "seq": b.seq,
                "number": b.registration.number,
                "amount": str(b.amount),
                "quantity": str(b.quantity) if b.phase == Phase.CAP else None,
                "at": b.accepted_at.isoformat(),
            }
            for b in bids
        ],
        "identities": {r.number: r.entity.name for r in regs if r.number},
        "version": a.version,
    }


def public_view(payload: dict[str, Any], view: str, own_number: str | None = None) -> dict[str, Any]:
    """The payload as ``view`` may see it, stamped with the server's time."""
    out = {k: v for k, v in payload.items() if k != "identities"}
    if view == "supervisor":
        out["identities"] = payload.get("identities", {})
    elif view == "public":
        out["leader"] = None
        out["bids"] = [{k: v for k, v in b.items() if k != "number"} for b in payload["bids"]]
    out["view"] = view
    out["you"] = own_number
    out["now"] = clock.now().isoformat()
    return out


def bid_view(delta: dict[str, Any], view: str, own_number: str | None = None) -> dict[str, Any]:
    """A broadcast bid as ``view`` may see it (see ``public_view``). A coalesced frame (``hall.coalesce``)
    also carries ``bids`` (every bid it announces, newest first) and, for supervisors, ``names``."""
    out = {k: v for k, v in delta.items() if k not in ("name", "names")}
    if view == "supervisor":
        out["name"] = delta.get("name")
        if "names" in delta:
            out["names"] = delta["names"]
    elif view == "public":
        out["leader"] = None
        out["bid"] = {k: v for k, v in delta["bid"].items() if k != "number"}
        if "bids" in delta:
            out["bids"] = [{k: v for k, v in b.items() if k != "number"} for b in delta["bids"]]
    out["you"] = own_number
    out["now"] = clock.now().isoformat()
    return out
