"""Projects with notices through the trading services (the shipped rule sets), for open-data tests."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools

import time_machine

from ggzy.core.errors import DomainError
from ggzy.trading import services
from ggzy.trading.models import Project
from tests import factories
from tests.trading import helpers

CN = dt.timezone(dt.timedelta(hours=8))
REGISTERED = dt.datetime(2026, 9, 1, 1, tzinfo=dt.UTC)
_n = itertools.count(1)

WINNER = {"name": "山西测试建筑工程有限公司", "uscc": factories.valid_uscc(201)}
SECOND = {"name": "太原测试路桥有限公司", "uscc": factories.valid_uscc(202)}


def purchase(
    name: str = "",
    *,
    ruleset: str = "engineering.open_tendering",
    item_kind: str = "works",
    lots: int = 1,
    results: bool = True,
    day: int = 14,
    extra: dict | None = None,
) -> Project:
    """An engineering or procurement project: registered, scheduled, its tender notice and (with
    ``results``) candidate publicity, award and contract notices published."""
    n = next(_n)
    op = helpers.operator("140100")
    data = helpers.data(
        name=name or f"太原市开放数据测试工程{n}",
        ruleset_code=ruleset,
        item_kind=item_kind,
        lots=[{"name": f"第{i}标段", "estimate": "1000000.00"} for i in range(1, lots + 1)]
        if lots > 1
        else None,
    )
    if data["lots"] is None:
        del data["lots"]
    start = dt.datetime(2026, 9, day, 9, 30, tzinfo=CN)
    with time_machine.travel(REGISTERED, tick=False):
        project = services.project_register(data=data, actor=op)
        for lot in project.lots.all():
            anchors = {"notice_published": start, "documents_issued": start}
            if ruleset.endswith("single_source"):
                anchors = {"publicity_start": start}
            with contextlib.suppress(DomainError):  # other anchors: leave the lot unscheduled
                services.lot_schedule(lot=lot, anchors=anchors, actor=op)
    lot = project.lots.order_by("number").first()
    with time_machine.travel(start, tick=False):
        services.notice_publish(
            project=project,
            lot=lot,
            kind="tender",
            data={"资格要求": "具有独立法人资格", **(extra or {})},
            actor=op,
        )
    if results:
        with time_machine.travel(start + dt.timedelta(days=30), tick=False):
            services.notice_publish(
                project=project,
                lot=lot,
                kind="candidate_publicity",
                data={
                    "candidates": [
                        {"rank": 1, **WINNER, "price": "4500000.00", "score": 92},
                        {"rank": 2, **SECOND, "price": "4600000.00", "score": 88},
                    ]
                },
                actor=op,
            )
        with time_machine.travel(start + dt.timedelta(days=35), tick=False):
            services.notice_publish(
                project=project,
                lot=lot,
                kind="award",
                data={"winner": WINNER, "winning_price": "4500000.00"},
                actor=op,
            )
        with time_machine.travel(start + dt.timedelta(days=50), tick=False):
            services.notice_publish(
                project=project,
                lot=lot,
                kind="contract",
                data={"contract_no": f"HT-{n}", "contract_amount": "4500000.00", "signed_on": "2026-11-01"},
                actor=op,
            )
    return project


def sale(name: str = "", *, ruleset: str = "land.auction", category_role: str = "transferor") -> Project:
    n = next(_n)
    op = helpers.operator("140100")
    data = helpers.data(
        name=name or f"太原市测试地块{n}出让", ruleset_code=ruleset, tenderer_uscc=helpers.transferor().uscc
    )
    data.pop("item_kind")
    data.pop("public_funded")
    start = dt.datetime(2026, 9, 14, 9, 30, tzinfo=CN)
    with time_machine.travel(REGISTERED, tick=False):
        project = services.project_register(data=data, actor=op)
    lot = project.lots.get()
    with time_machine.travel(start, tick=False):
        services.notice_publish(project=project, lot=lot, kind="listing", data={"land_use": "住宅"}, actor=op)
    with time_machine.travel(start + dt.timedelta(days=40), tick=False):
        services.notice_publish(
            project=project,
            lot=lot,
            kind="transaction_result",
            data={"winner": WINNER, "winning_price": "88000000.00"},
            actor=op,
        )
    return project
