"""Demo: a sealed-bid lot that went the whole way — bids, opening, evaluation, candidate
publicity, award, contract, performance — so a clerk sees the chain after ``make run``
(console: the lot → 开标大厅 → 评标室 → 中标通知书 → 合同; public: the project page lists the
opening record, candidate publicity, award, contract and performance notices).

Everything goes through the services, at the times it would have happened: the loader moves the
clock back (time-machine, a development dependency; the demo is refused in production) to a notice
published ``DAYS_BACK`` days ago and forward step by step — three bidders seal and upload real SM2/
SM4 envelopes before the deadline, the tick closes the box, each bidder sends its content key, the
opening record is published; a committee of five demo experts (招标投标法第三十七条) passes
everyone's qualification and the lowest evaluated price wins; every expert signs the report;
candidate publicity runs its 3 days (实施条例第五十四条); the award is decided, the contract signed
within 30 days (招标投标法第四十六条) and two performance records published.

Idempotent: nothing when the project exists. The demo login ``expert`` is linked to one of the
five experts, so it sees the evaluation under 我的评标.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from ggzy.core import clock
from ggzy.core.permissions import SYSTEM

PROJECT_NAME = "太原市晋源区汾河西岸排水管网工程施工"
REGION = "140110"
ESTIMATE = "12800000.00"
DAYS_BACK = 60
PRICES = ("12360000.00", "12180000.00", "12550000.00")  # the second (lowest) wins
CONTRACT_NO = "JY-PS-2026-018"


def load(added: Counter) -> None:
    from ggzy.trading.models import Project

    if Project.objects.filter(name=PROJECT_NAME).exists():
        return
    try:
        import time_machine
    except ImportError:  # pragma: no cover - a production install has no dev dependencies
        return
    from django.contrib.auth import get_user_model

    User = get_user_model()
    operator = User.objects.filter(username="operator").first()
    admin = User.objects.filter(username="entity_admin").select_related("membership__entity").first()
    if operator is None or admin is None or not hasattr(admin, "membership"):
        return
    panel = _experts()
    if len(panel) < 5:
        return
    bidders = _bidders(admin)
    if len(bidders) < 3:
        return
    start = (clock.local_now() - dt.timedelta(days=DAYS_BACK)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    with time_machine.travel(start, tick=False) as t:
        _chain(t, operator, bidders, panel)
    # back at the real time: the tick moves the lot's published stages on, if any are due
    from ggzy.trading import services as trading

    trading.tick_run()
    added["awarded_lots"] += 1


def _experts() -> list[tuple[Any, Any]]:
    """Five active demo experts with accounts (created as the demo's expert draw does)."""
    from django.contrib.auth import get_user_model

    from ggzy.accounts import services as accounts
    from ggzy.demo.accounts import PASSWORD
    from ggzy.experts import services as experts
    from ggzy.experts.models import Expert

    pool = list(Expert.objects.filter(status="active").order_by("code")[:40])
    linked = [e for e in pool if e.user_id]
    free = [e for e in pool if not e.user_id]
    demo_login = get_user_model().objects.filter(username="expert", role="expert").first()
    chosen: list[Any] = []
    if demo_login is not None and not Expert.objects.filter(user=demo_login).exists() and free:
        chosen.append(experts.expert_account_link(expert=free.pop(0), user=demo_login, actor=SYSTEM))
    chosen += linked[: 5 - len(chosen)]
    while len(chosen) < 5 and free:
        e = free.pop(0)
        user = accounts.user_create(
            username=f"expert_{e.code.lower()}", display_name=e.name, role="expert", password=PASSWORD,
            email=f"{e.code.lower()}@demo.ggzy.local", actor=SYSTEM,
        )  # fmt: skip
        chosen.append(experts.expert_account_link(expert=e, user=user, actor=SYSTEM))
    return [(e, e.user) for e in chosen[:5]]


def _bidders(admin) -> list[tuple[Any, Any]]:
    """(entity, its administrator): the demo bidder and two other bidding entities."""
    from django.contrib.auth import get_user_model

    from ggzy.demo.accounts import PASSWORD
    from ggzy.entities import selectors as entity_selectors
    from ggzy.entities import services as entities

    first = admin.membership.entity
    out = [(first, admin)]
    User = get_user_model()
    for e in entity_selectors.entity_search(role="bidder"):
        if len(out) == 3:
            break
        if e.uscc == first.uscc or not e.region_code.startswith("14"):
            continue
        n = len(out) + 1
        user = User.objects.filter(username=f"bidder{n}_admin").first() or entities.member_add(
            entity=e, username=f"bidder{n}_admin", display_name=f"{e.name}管理员", password=PASSWORD,
            email=f"bidder{n}_admin@demo.ggzy.local", phone="", role="entity_admin", actor=SYSTEM,
        ).user  # fmt: skip
        out.append((e, user))
    return out


def _chain(t, operator, bidders, panel) -> None:
    from ggzy.accounts.models import ServiceCenter
    from ggzy.crypto import sm2
    from ggzy.demo.loader import open_lot
    from ggzy.demo.sealed import _tenderer_uscc
    from ggzy.deposits import services as deposits
    from ggzy.deposits import simbank
    from ggzy.deposits.demo import _amount
    from ggzy.evaluation import services as evaluation
    from ggzy.tendering import bidfile
    from ggzy.tendering import services as tendering
    from ggzy.trading import services as trading

    project = trading.project_register(
        data={
            "name": PROJECT_NAME, "ruleset_code": "engineering.open_tendering", "region_code": REGION,
            "tenderer_uscc": _tenderer_uscc(), "service_center": ServiceCenter.objects.get(region_id="140100").pk,
            "estimate": ESTIMATE, "item_kind": "works", "public_funded": True,
        },
        actor=operator,
    )  # fmt: skip
    lot = project.lots.get()
    open_lot(lot, days_ago=0)
    trading.tick_run()
    deadline = tendering.bid_deadline(lot)
    if simbank.enabled():
        amount = _amount(lot)
        deposits.deposit_requirement_set(lot=lot, amount=amount, actor=operator)
    # the bidders pay their deposits and submit sealed bids a week before the deadline
    t.move_to(deadline - dt.timedelta(days=7))
    trading.tick_run()  # the lot is in its bidding stage
    lot.refresh_from_db()
    envelopes = []
    for (entity, user), price in zip(bidders, PRICES, strict=True):
        if simbank.enabled():
            deposits.simulate_payment(lot=lot, uscc=entity.uscc, amount=amount, actor=SYSTEM)
        key = sm2.PrivateKey.generate()
        row = tendering.bidder_key_register(
            entity=entity, public_key_pem=key.public_key.to_pem(), label="演示：已定标标段", actor=user
        )
        env, sealed = _sealed(lot, entity, key, price)
        chunk = 64 << 10
        upload = tendering.bid_upload_create(
            lot=lot, key_fingerprint=row.fingerprint, size=sealed.size, ciphertext_sm3=sealed.digest,
            signature=base64.b64encode(sealed.signature).decode(), chunk_size=chunk, actor=user,
        )  # fmt: skip
        for i in range(tendering.chunk_count(upload)):
            tendering.bid_chunk_put(upload=upload, index=i, data=env[i * chunk : (i + 1) * chunk], actor=user)
        tendering.bid_upload_commit(upload=upload, actor=user)
        envelopes.append((user, key, env))
        t.shift(dt.timedelta(hours=2))
    # the deadline passes: the tick closes the box; each bidder sends its content key; the record
    t.move_to(deadline + dt.timedelta(minutes=1))
    trading.tick_run()
    tendering.openings_due()
    lot.refresh_from_db()
    for user, key, env in envelopes:
        t.shift(dt.timedelta(minutes=3))
        tendering.bid_decrypt(lot=lot, content_key=bidfile.unwrap(io.BytesIO(env), key).hex(), actor=user)
    t.shift(dt.timedelta(minutes=5))
    tendering.opening_finish(lot=lot, actor=operator, force=True)
    lot.refresh_from_db()
    # evaluation the same day: qualification, lowest evaluated price, everyone signs
    t.shift(dt.timedelta(hours=1))
    ev = evaluation.evaluation_start(
        lot=lot, method="lowest_evaluated_price", experts_codes=[e.code for e, _u in panel], actor=operator
    )
    for _e, u in panel:
        t.shift(dt.timedelta(minutes=10))
        evaluation.qualification_submit(
            evaluation=ev, votes={x.uscc: {"passed": True, "reason": ""} for x in ev.tenderers.all()}, actor=u
        )
    ev.refresh_from_db()
    for _e, u in panel:
        t.shift(dt.timedelta(minutes=5))
        evaluation.report_sign(evaluation=ev, report_sm3=ev.report_sm3, actor=u)
    ev.refresh_from_db()
    # candidate publicity the next morning, 3 days (实施条例第五十四条); then the award
    t.move_to((deadline + dt.timedelta(days=1)).replace(hour=1))
    evaluation.publicity_publish(evaluation=ev, actor=operator)
    ev.refresh_from_db()
    t.move_to(ev.publicity_end + dt.timedelta(hours=2))
    award = evaluation.award_decide(evaluation=ev, actor=operator)
    # the contract 12 days later (within 30 days, 招标投标法第四十六条), then performance
    t.shift(dt.timedelta(days=12))
    contract = evaluation.contract_record(
        award=award, contract_no=CONTRACT_NO, amount=str(award.price), signed_on=clock.today().isoformat(),
        actor=operator,
    )  # fmt: skip
    t.shift(dt.timedelta(days=10))
    evaluation.performance_record(
        contract=contract, kind="milestone", occurred_on=clock.today().isoformat(),
        description="施工单位进场，完成管网沿线交通导改", actor=operator,
    )  # fmt: skip
    t.shift(dt.timedelta(days=5))
    evaluation.performance_record(
        contract=contract, kind="payment", occurred_on=clock.today().isoformat(),
        amount=str((award.price * 20 / 100).quantize(award.price)), description="支付合同价20%的预付款",
        actor=operator,
    )  # fmt: skip


def _sealed(lot, entity, key, price: str) -> tuple[bytes, Any]:
    from ggzy.crypto import envelope
    from ggzy.tendering import bidfile

    summary = {"lot": lot.code, "bidder": entity.uscc, "price": price, "period_days": 365, "quality": "合格",
               "project_manager": "赵建国"}  # fmt: skip
    out = io.BytesIO()
    with tempfile.TemporaryDirectory() as d:
        doc = Path(d) / "技术标.txt"
        doc.write_text(
            f"{entity.name} 技术标：施工组织设计、进度计划与质量保证措施。\n" * 20, encoding="utf-8"
        )
        bidfile.pack(summary, [doc], out)
    return envelope.seal_bytes(
        out.getvalue(), recipients=[key.public_key], signer=key, chunk_size=envelope.MIN_CHUNK_SIZE
    )
