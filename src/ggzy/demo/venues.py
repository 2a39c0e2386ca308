"""Demo venues: one admitted venue per city platform (opening halls, evaluation rooms, one with
remote evaluation) and one venue run by a social party. Idempotent."""

from __future__ import annotations

from collections import Counter

from ggzy.core.permissions import SYSTEM
from ggzy.venues import services as venues
from ggzy.venues.models import CHECKLIST


def load(added: Counter) -> None:
    from ggzy.accounts.models import ServiceCenter
    from ggzy.core import uscc
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
        venues.venue_inspect(venue=v, checklist=met, actor=SYSTEM)
        for name, kind, seats, remote in (("第一开标室", "opening", 80, False), ("第二开标室", "opening", 40, False),
                                          ("第一评标室", "evaluation", 9, True), ("第二评标室", "evaluation", 7, False)):  # fmt: skip
            venues.room_add(
                venue=v, name=name, kind=kind, seats=seats, remote_evaluation=remote, actor=SYSTEM
            )
        added["venues"] += 1
    social = venues.venue_register(
        data={"name": "晋中市榆次区社会投资开评标中心", "operator_kind": "social",
              "operator_uscc": uscc.make("9", "1", "140700", "80000001"), "operator_name": "晋中某物业服务有限公司",
              "region_code": "140702", "address": "晋中市榆次区示范路1号", "opens_at": "08:30", "closes_at": "17:30"},
        actor=SYSTEM,
    )  # fmt: skip
    venues.venue_inspect(
        venue=social, checklist={**met, "accessibility": False}, findings="无障碍坡道待建", actor=SYSTEM
    )
    venues.room_add(venue=social, name="开标厅", kind="opening", seats=50, actor=SYSTEM)
    added["venues"] += 1
