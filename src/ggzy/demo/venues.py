"""Demo venues: one admitted venue per city platform (opening halls, evaluation rooms, one with
remote evaluation, and a small room opening into the first opening hall, so not isolated from it)
and one venue run by a social party (a registered market entity) whose inspection found no
accessibility ramp, so it stays applied. Idempotent: nothing is added when a venue exists."""

from __future__ import annotations

from collections import Counter

from ggzy.core.permissions import SYSTEM
from ggzy.venues import services as venues
from ggzy.venues.models import CHECKLIST


def load(added: Counter) -> None:
    from ggzy.accounts.models import ServiceCenter
    from ggzy.entities.models import Entity
    from ggzy.venues.models import Venue

    if Venue.objects.exists():
        return
    met = dict.fromkeys(CHECKLIST, True)
    for center in ServiceCenter.objects.filter(level__in=["province", "city"]).select_related("region"):
        v = venues.venue_register(
            data={"name": f"{center.name}开评标场所", "operator_kind": "center", "service_center": center,
                  "region_code": center.region_id, "address": center.address or f"{center.region.name}政务服务中心",
                  "phone": center.phone},
            actor=SYSTEM,
        )  # fmt: skip
        venues.venue_inspect(venue=v, checklist=met, inspector="省公共资源交易中心检查组", actor=SYSTEM)
        venues.venue_status_set(venue=v, status="admitted", reason="检查合格，纳入场所目录", actor=SYSTEM)
        hall = None
        for name, kind, seats, remote in (("第一开标室", "opening", 80, False), ("第二开标室", "opening", 40, False),
                                          ("第一评标室", "evaluation", 9, True), ("第二评标室", "evaluation", 7, False),
                                          ("开标室候标间", "evaluation", 5, False)):  # fmt: skip
            room = venues.room_add(
                venue=v, name=name, kind=kind, seats=seats, remote_evaluation=remote,
                shares_with=[hall] if name == "开标室候标间" else [], actor=SYSTEM,
            )  # fmt: skip
            hall = hall or room
        added["venues"] += 1
    owner = Entity.objects.order_by("uscc").first()  # a registered market entity runs it
    if owner is None:
        return
    social = venues.venue_register(
        data={"name": "晋中市榆次区社会投资开评标中心", "operator_kind": "social", "operator_uscc": owner.uscc,
              "region_code": "140702", "address": "晋中市榆次区示范路1号", "opens_at": "08:30", "closes_at": "17:30"},
        actor=SYSTEM,
    )  # fmt: skip
    venues.venue_inspect(
        venue=social, checklist={**met, "accessibility": False}, notes={"accessibility": "无障碍坡道待建"},
        inspector="晋中市公共资源交易中心检查组", actor=SYSTEM,
    )  # fmt: skip
    venues.room_add(venue=social, name="开标厅", kind="opening", seats=50, actor=SYSTEM)
    added["venues"] += 1
    _book_upcoming(added)


def _book_upcoming(added: Counter, limit: int = 6) -> None:
    """Book the nearest opening hall and an isolated evaluation room for a few demo lots whose
    scheduled opening is still ahead (the project page then shows them)."""
    import datetime as dt

    from ggzy.core import clock
    from ggzy.core.errors import DomainError
    from ggzy.trading.models import LotEvent
    from ggzy.venues import selectors

    upcoming = LotEvent.objects.filter(event="opening", at__gt=clock.now() + dt.timedelta(hours=1))
    for ev in upcoming.select_related("lot__project").order_by("at")[:limit]:
        lot, start = ev.lot, ev.at - dt.timedelta(minutes=30)
        end = ev.at + dt.timedelta(hours=1)
        near = selectors.venues_near(
            region_code=lot.project.region_code, kind="opening", starts_at=start, ends_at=end
        )
        if not near:
            continue
        try:
            venues.booking_create(
                lot=lot,
                room=near[0]["rooms"][0],
                purpose="opening",
                starts_at=start,
                ends_at=end,
                actor=SYSTEM,
            )
            rooms = [
                r for r in near[0]["venue"].rooms.filter(kind="evaluation") if not r.shares_with.exists()
            ]
            if rooms:
                venues.booking_create(
                    lot=lot, room=rooms[0], purpose="evaluation", starts_at=end,
                    ends_at=end + dt.timedelta(hours=3), actor=SYSTEM,
                )  # fmt: skip
        except DomainError:
            continue
        added["venue_bookings"] += 1
