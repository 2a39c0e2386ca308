"""Nothing confidential leaks into the changes feed, OCDS, the national rows, the sales dataset or
the monthly files: no expert identity, no reserve price, no bid-rigging evidence.

Two checks, so that a new confidential field is one line to add:

- ``CONFIDENTIAL_KEYS``: field names the other apps use for confidential data (from their models:
  experts ``Expert``, ``Invitation``, ``Draw``; auctions ``Auction.reserve_price``, ``Registration``;
  tendering bid evidence ``client_ip``, ``device``, ``evidence``; deposits ``payer_account`` …).
  No export may contain such a key at any depth.
- ``sentinels``: distinctive confidential values planted where a careless export would pick them
  up (the expert pool, audit summaries of public and private actions). No export may contain them.
"""

from __future__ import annotations

import gzip
import json

import pytest
from django.db import transaction

from ggzy.audit import services as audit
from ggzy.core.permissions import SYSTEM
from ggzy.opendata import feed, selectors, services
from tests.experts import helpers as experts
from tests.opendata import helpers

pytestmark = pytest.mark.django_db

CONFIDENTIAL_KEYS = {
    # experts: identities before the result
    "expert", "experts", "expert_code", "expert_tag", "id_number", "phone", "committee", "members",
    "sealed_seed", "sealed_snapshot", "sealed_criteria", "sealed_result", "declarations",
    # auctions and sales: reserve price (保留价、底价), bidder numbers and deposits
    "reserve_price", "deposit_reference", "bidder_number",
    # tendering: bid contents before opening, bid-rigging evidence
    "ciphertext", "ciphertext_sm3", "salt", "session_key", "evidence", "client_ip", "ip", "ip_address",
    "device", "device_fingerprint", "mac", "machine_code", "document_meta",
    # deposits: the payer's account
    "payer_account", "payer_name", "payer_bank",
}  # fmt: skip

SECRET_IP = "203.0.113.77"
SECRET_DEVICE = "devfp-5a5a5a5a5a5a"
SECRET_ACCOUNT = "6222020000000000777"
SECRET_RESERVE = "76543210.99"


def keys_in(value, found=None):
    found = set() if found is None else found
    if isinstance(value, dict):
        for k, v in value.items():
            found.add(str(k).lower())
            keys_in(v, found)
    elif isinstance(value, list):
        for v in value:
            keys_in(v, found)
    return found


@pytest.fixture
def world(settings, tmp_path):
    settings.GGZY_OPENDATA_DIR = tmp_path
    experts.specialties()
    pool = [experts.expert() for _ in range(3)]
    road = helpers.purchase("太原市保密测试道路工程")
    land = helpers.sale("太原市保密测试地块出让")
    lot = road.lots.get()
    with transaction.atomic():
        # a private action carrying identities (as the draw records them) ...
        audit.record(
            actor=SYSTEM,
            action="expert.draw_run",
            object_type="experts.draw",
            object_id="D-1",
            summary={"experts": [{"name": e.name, "id_number": e.id_number, "phone": e.phone} for e in pool]},
            project_ref=road.code,
        )
        # ... and public actions whose summaries carry confidential extras: the feed whitelists keys
        audit.record(
            actor=SYSTEM,
            action="lot.transition",
            object_type="trading.lot",
            object_id=lot.code,
            summary={"from": "bidding", "to": "opening", "client_ip": SECRET_IP, "device": SECRET_DEVICE,
                     "payer_account": SECRET_ACCOUNT, "reserve_price": SECRET_RESERVE,
                     "experts": [pool[0].name]},
            project_ref=road.code,
        )  # fmt: skip
        audit.record(
            actor=SYSTEM,
            action="notice.publish",
            object_type="trading.notice",
            object_id="N-SECRET",
            summary={"kind": "listing", "title": "测试", "reserve_price": SECRET_RESERVE},
            project_ref=land.code,
        )
    sentinels = [SECRET_IP, SECRET_DEVICE, SECRET_ACCOUNT, SECRET_RESERVE]
    for e in pool:
        sentinels += [e.name, e.id_number, e.phone, e.code]
    return {"road": road, "land": land, "sentinels": sentinels}


def exports(world) -> dict[str, object]:
    road, land = world["road"].code, world["land"].code
    page, items = selectors.changes(limit=feed.MAX_LIMIT), []
    items += page.items
    out: dict[str, object] = {
        "feed": items,
        "ocds_record": selectors.project_record_package(road),
        "ocds_releases": selectors.project_release_package(road),
        "national_road": selectors.national_rows(road),
        "national_land": selectors.national_rows(land),
        "sales": selectors.sale_record(land),
    }
    for month in ("2026-09", "2026-10", "2026-11"):
        for f in services.bulk_dump(month=month, actor=SYSTEM):
            path = selectors.settings.GGZY_OPENDATA_DIR / f.filename
            out[f.filename] = [json.loads(x) for x in gzip.decompress(path.read_bytes()).splitlines()]
    return out


def test_no_confidential_key_or_value_in_any_export(world):
    everything = exports(world)
    assert len(everything["feed"]) >= 10  # the feed did include the doctored public events
    for name, data in everything.items():
        leaked = keys_in(data) & CONFIDENTIAL_KEYS
        assert not leaked, f"{name}: confidential fields {sorted(leaked)}"
        text = json.dumps(data, ensure_ascii=False)
        for secret in world["sentinels"]:
            assert secret not in text, f"{name}: contains the confidential value {secret!r}"


def test_the_checks_can_fail(world):
    """The scan finds a planted field and value (so the test above is not vacuous)."""
    doctored = {"a": [{"b": {"Client_IP": SECRET_IP}}]}
    assert keys_in(doctored) & CONFIDENTIAL_KEYS == {"client_ip"}
    assert SECRET_IP in json.dumps(doctored)
    # the private event with identities is in the trail, just not in the feed
    from ggzy.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="expert.draw_run").exists()
