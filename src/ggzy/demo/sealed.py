"""Demo sealed bidding (issue 4): a lot open for bids that docs/client.md's worked example bids on.

- **the bidding lot**: an engineering open tender (太原市迎泽大街综合管廊工程施工) whose notice is
  dated so that its bid deadline, computed by the statutory timeline (at least 20 days from the
  documents, 招标投标法第二十四条), falls ``DAYS_LEFT`` days after ``ggzy demo load`` runs; a bid
  deposit (2% cap of the rule set, 招标投标法实施条例第二十六条) that the demo bidder has paid
  through the simulated bank;
- **the demo bidder**: the entity of the demo accounts ``entity_admin`` / ``entity_member`` with a
  registered SM2 key and an API token for ``entity_admin``. Their **private key and token are
  written to ``var/demo/``** (``bidder.key``, ``bidder.pub.pem``, ``bidder.token``, ``bid.json``)
  so the worked example can be followed at once — a demo convenience only: a real bidder's private
  key never reaches the platform's machine (``ggzy-bid keygen`` on the bidder's own computer).

``ggzy demo bidder`` prints the shell lines (server, token, lot, USCC, key) the example starts with.
Idempotent: the lot is found by its project's name; the key file's public key is registered when
the database lacks it and the token issued again when the database does not know it (a fresh
database over a kept var/demo/, or a fresh var/ over a kept PostgreSQL database).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from django.conf import settings

from ggzy.core import clock
from ggzy.core.permissions import SYSTEM

PROJECT_NAME = "太原市迎泽大街综合管廊工程施工（电子投标演示）"
REGION = "140106"
ESTIMATE = "31500000.00"
DAYS_LEFT = 3  # the bid deadline is about this many days after the demo is loaded
DEMO_ADMIN = "entity_admin"


def demo_dir() -> Path:
    return Path(settings.VAR_DIR) / "demo"


def files() -> dict[str, Path]:
    d = demo_dir()
    return {
        "key": d / "bidder.key",
        "public": d / "bidder.pub.pem",
        "token": d / "bidder.token",
        "summary": d / "bid.json",
    }


def bidding_lot():
    from ggzy.trading.models import Lot

    return Lot.objects.filter(project__name=PROJECT_NAME).order_by("number").first()


def demo_admin():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=DEMO_ADMIN).select_related("membership__entity").first()


def load(added: Counter) -> None:
    admin = demo_admin()
    if admin is None or not hasattr(admin, "membership"):
        return
    lot = bidding_lot() or _create_lot(added, admin.membership.entity)
    if lot is None:
        return
    _deposit(lot, admin.membership.entity.uscc, added)
    _key_and_token(admin, lot, added)


def _tenderer_uscc() -> str:
    from ggzy.entities import selectors as entity_selectors

    for e in entity_selectors.entity_search(role="tenderer"):
        if e.region_code.startswith("1401"):
            return e.uscc
    return entity_selectors.entity_search(role="tenderer")[0].uscc


def _create_lot(added: Counter, bidder: Any):
    from ggzy.accounts.models import ServiceCenter
    from ggzy.demo.loader import open_lot
    from ggzy.trading import services as trading

    project = trading.project_register(
        data={
            "name": PROJECT_NAME,
            "ruleset_code": "engineering.open_tendering",
            "region_code": REGION,
            "tenderer_uscc": _tenderer_uscc(),
            "service_center": ServiceCenter.objects.get(region_id="140100").pk,
            "estimate": ESTIMATE,
            "item_kind": "works",
            "public_funded": True,
        },
        actor=SYSTEM,
    )
    lot = project.lots.get()
    open_lot(lot, days_ago=_days_ago(lot))
    trading.tick_run()  # into its bidding stage
    lot.refresh_from_db()
    added["bidding_lots"] += 1
    return lot


def _days_ago(lot) -> int:
    """How many days back the notice is dated so the bid deadline is ``DAYS_LEFT`` days ahead (the
    timeline is computed, not assumed: holidays and working-day rules move it)."""
    from ggzy.demo.loader import anchors_for

    now = clock.now()
    for back in range(25, -1, -1):
        tl = anchors_for(lot, days_ago=back)[1]
        deadline = next(
            (tl.at(e) for e in ("bid_deadline", "response_deadline") if e in tl and tl.at(e)), None
        )
        if deadline is not None and deadline - now >= dt.timedelta(days=DAYS_LEFT - 1):
            return back
    return 0  # pragma: no cover - a 20-day period always fits


def _deposit(lot, uscc: str, added: Counter) -> None:
    from ggzy.deposits import services as deposits
    from ggzy.deposits import simbank
    from ggzy.deposits.demo import _amount
    from ggzy.deposits.models import Requirement

    if not simbank.enabled() or Requirement.objects.filter(lot=lot).exists():
        return
    amount = _amount(lot)
    deposits.deposit_requirement_set(lot=lot, amount=amount, actor=SYSTEM)
    deposits.simulate_payment(lot=lot, uscc=uscc, amount=amount, actor=SYSTEM)
    added["deposit_requirements"] += 1


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, mode)


def _key_and_token(admin, lot, added: Counter) -> None:
    """The demo bidder's key and token, checked against the database (not only the files): a fresh
    database over a kept var/demo/ (``make clean`` drops only the SQLite file) registers the key
    file's public key again and issues a new token."""
    from ggzy.accounts.models import ApiToken
    from ggzy.accounts.services.tokens import digest, token_issue
    from ggzy.crypto import sm2
    from ggzy.tendering import selectors as tendering_selectors
    from ggzy.tendering import services as tendering

    f = files()
    entity = admin.membership.entity
    if f["key"].exists():
        key = sm2.load_private_key(f["key"].read_bytes())
    else:
        key = sm2.PrivateKey.generate()
        _write(f["key"], key.to_pem(), 0o600)
        _write(f["public"], key.public_key.to_pem())
    fingerprint = key.public_key.fingerprint()
    if not tendering_selectors.active_keys(entity).filter(fingerprint=fingerprint).exists():
        tendering.bidder_key_register(
            entity=entity, public_key_pem=key.public_key.to_pem(), label="演示投标密钥", actor=admin
        )
        added["bidder_keys"] += 1
    token = f["token"].read_text().strip() if f["token"].exists() else ""
    if not token or not ApiToken.objects.filter(token_hash=digest(token), user=admin).exists():
        _row, text = token_issue(user=admin, name="演示：ggzy-bid 命令行", actor=admin)
        _write(f["token"], text + "\n", 0o600)
    summary = {"lot": lot.code, "bidder": entity.uscc, "price": "30880000.00", "period_days": 540,
               "quality": "合格", "project_manager": "王五"}  # fmt: skip
    _write(f["summary"], json.dumps(summary, ensure_ascii=False) + "\n")


def shell_lines(server: str = "http://127.0.0.1:8000") -> list[str]:
    """``ggzy demo bidder``: the environment the worked example of docs/client.md starts with."""
    lot, admin, f = bidding_lot(), demo_admin(), files()
    if lot is None or admin is None or not f["token"].exists():
        return []
    token = f["token"].read_text().strip()
    return [
        f"export GGZY_SERVER={server}",
        f"export GGZY_TOKEN={token}",
        f"export LOT={lot.code}",
        f"export USCC={admin.membership.entity.uscc}",
        f"export KEY={f['key']}",
        f"export SUMMARY={f['summary']}",
    ]
