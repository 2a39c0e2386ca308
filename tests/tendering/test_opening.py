"""The opening: closing at the deadline, the minimum number of bidders, decryption by the bidders
with the content key, tampered files, bids not decrypted, the records other apps read."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from ggzy.core import clock
from ggzy.core.errors import DomainError
from ggzy.tendering import selectors, services, storage
from ggzy.tendering.models import Bid, Opening
from ggzy.trading import services as trading
from ggzy.trading.models import Lot
from tests.tendering import bidding as b

pytestmark = pytest.mark.django_db


def _tick(at):
    with time_machine.travel(at, tick=False):
        trading.tick_run()
        return services.openings_due()


def _three_bids(lt):
    out = []
    for price in ("4800000.00", "4750000.00", "4900000.00"):
        bidder = b.Bidder()
        env, meta = b.seal(b.plaintext(lt, bidder, price=price), bidder)
        out.append((bidder, env, b.submit(lt, bidder, env, meta)))
    return out


def test_fewer_bids_than_the_minimum_no_opening_lot_fails_citing_article_44():
    lt = b.lot(deadline_in=600)
    b.submit(lt, b.Bidder())
    b.submit(lt, b.Bidder())
    deadline = services.bid_deadline(lt)
    assert _tick(deadline - dt.timedelta(seconds=1)) == (0, 0)
    assert _tick(deadline + dt.timedelta(seconds=1)) == (1, 0)
    lt.refresh_from_db()
    opening = Opening.objects.get(lot=lt)
    assert lt.status == "failed" and opening.status == Opening.FAILED
    assert "第四十四条" in opening.reason and "少于3个" in opening.reason
    assert lt.transitions.filter(to_status="failed").get().reason == opening.reason
    # published: the termination notice says the tenderer tenders again
    from ggzy.trading.models import Notice

    notice = Notice.objects.get(lot=lt, kind="termination")
    assert notice.data["重新招标（采购）"] is True and "第四十四条" in notice.data["reason"]
    assert not Notice.objects.filter(lot=lt, kind="opening_record").exists()
    assert _tick(deadline + dt.timedelta(seconds=5)) == (0, 0)  # idempotent
    assert Notice.objects.filter(lot=lt, kind="termination").count() == 1


def test_nobody_can_read_a_bid_before_the_deadline(bid_dir):
    lt = b.lot()
    bids = _three_bids(lt)
    marker = b.MARKER.encode("utf-8")
    # the database: every model's rows (dumpdata) and every text column (raw SQL)
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    assert b.MARKER not in out.getvalue() and len(out.getvalue()) > 10_000
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, str | bytes | memoryview):
                        raw = bytes(value) if not isinstance(value, str) else value.encode()
                        assert marker not in raw, table
    # the stored files
    files = [p for p in storage.root().rglob("*") if p.is_file()]
    assert len(files) >= 3
    for p in files:
        assert marker not in p.read_bytes(), p
    # and no decryption before the deadline, even with the right key
    bidder, env, _bid = bids[0]
    with pytest.raises(DomainError) as err:
        services.bid_decrypt(lot=lt, content_key=b.content_key(env, bidder), actor=bidder.user)
    assert err.value.code == "bid.not_opening"
    assert selectors.opened_bids(lt) == [] and selectors.bids_for_evaluation(lt) == []


def test_opening_decrypts_detects_tampering_and_counts_silence_as_withdrawal():
    lt = b.lot(deadline_in=600)
    (a, env_a, _bid_a), (t, env_t, bid_t), (s, _env_s, _bid_s) = _three_bids(lt)
    deadline = services.bid_deadline(lt)
    # the stored file of bidder t is changed on disk (one byte of the last chunk)
    path = storage.path_of(bid_t.path)
    data = bytearray(path.read_bytes())
    data[-20] ^= 0x01
    path.write_bytes(bytes(data))
    assert _tick(deadline + dt.timedelta(seconds=1)) == (1, 0)
    opening = Opening.objects.get(lot=lt)
    assert opening.status == Opening.DECRYPTING
    lt.refresh_from_db()
    assert lt.status == "opening"
    state = selectors.hall_state(lt)
    assert [x["status"] for x in state["bids"]] == ["active"] * 3
    with time_machine.travel(deadline + dt.timedelta(minutes=1), tick=False):
        # a wrong key is refused and nothing is recorded
        with pytest.raises(DomainError) as err:
            services.bid_decrypt(lot=lt, content_key="00" * 16, actor=a.user)
        assert err.value.code == "envelope.key_mismatch"
        opened = services.bid_decrypt(lot=lt, content_key=b.content_key(env_a, a), actor=a.user)
        assert opened.status == Bid.OPENED and opened.summary["price"] == "4800000.00"
        with pytest.raises(DomainError) as err:
            services.bid_decrypt(lot=lt, content_key=b.content_key(env_t, t), actor=t.user)
        assert err.value.code == "bid.tampered"
    bid_t.refresh_from_db()
    assert bid_t.status == Bid.TAMPERED and "SM3" in bid_t.problem
    end = opening.window_ends_at
    with time_machine.travel(end + dt.timedelta(seconds=1), tick=False):
        with pytest.raises(DomainError) as err:
            services.bid_decrypt(lot=lt, content_key=b.content_key(env_a, a), actor=s.user)
        assert err.value.code == "bid.window_closed"
    assert _tick(end + dt.timedelta(seconds=2)) == (0, 1)
    rows = {r["uscc"]: r for r in selectors.opened_bids(lt)}
    assert rows[a.uscc]["status"] == "opened" and rows[a.uscc]["price"] == "4800000.00"
    assert rows[t.uscc]["status"] == "tampered" and rows[t.uscc]["price"] == ""
    assert rows[s.uscc]["status"] == "not_decrypted" and rows[s.uscc]["status_label"] == "未解密（视为撤回）"
    ev = selectors.bids_for_evaluation(lt)
    assert [x["uscc"] for x in ev] == [a.uscc] and "bid.json" in ev[0]["members"]
    assert Opening.objects.get(lot=lt).status == Opening.OPENED


def test_tampered_ciphertext_with_a_fixed_digest_is_caught_by_the_tag(monkeypatch):
    """A substituted file whose SM3 is also forged in the database: the GCM tag still fails."""
    lt = b.lot(deadline_in=600)
    bids = _three_bids(lt)
    bidder, env, bid = bids[0]
    path = storage.path_of(bid.path)
    data = bytearray(path.read_bytes())
    data[-20] ^= 0x01
    path.write_bytes(bytes(data))
    Bid.objects.filter(pk=bid.pk).update(ciphertext_sm3=storage.file_sm3(path))
    _tick(services.bid_deadline(lt) + dt.timedelta(seconds=1))
    with (
        time_machine.travel(services.bid_deadline(lt) + dt.timedelta(seconds=30), tick=False),
        pytest.raises(DomainError) as err,
    ):
        services.bid_decrypt(lot=lt, content_key=b.content_key(env, bidder), actor=bidder.user)
    assert err.value.code == "bid.tampered" and "校验失败" in err.value.message
    bid.refresh_from_db()
    assert bid.status == Bid.TAMPERED


def test_upload_refused_once_the_box_is_closed():
    lt = b.lot(deadline_in=600)
    _three_bids(lt)
    _tick(services.bid_deadline(lt) + dt.timedelta(seconds=1))
    late = b.Bidder()
    with pytest.raises(DomainError) as err:
        b.submit(lt, late)
    assert err.value.code == "bid.deadline_passed"
    assert Lot.objects.get(pk=lt.pk).status == "opening"
    assert clock.now() < services.bid_deadline(lt) + dt.timedelta(hours=1)


def test_opening_record_is_published_as_a_notice():
    from ggzy.trading.models import Notice

    lt = b.lot(deadline_in=600)
    bids = _three_bids(lt)
    deadline = services.bid_deadline(lt)
    _tick(deadline + dt.timedelta(seconds=1))
    with time_machine.travel(deadline + dt.timedelta(seconds=30), tick=False):
        for bidder, env, _bid in bids[:2]:
            services.bid_decrypt(lot=lt, content_key=b.content_key(env, bidder), actor=bidder.user)
    opening = Opening.objects.get(lot=lt)
    _tick(opening.window_ends_at + dt.timedelta(seconds=1))
    opening.refresh_from_db()
    notice = Notice.objects.get(number=opening.notice_number)
    assert notice.kind == "opening_record" and notice.lot_id == lt.pk
    assert "4800000.00" in notice.body_html and "未解密（视为撤回）" in notice.body_html
    assert bids[0][0].entity.name in notice.body_html and "开标记录" in notice.title
    assert notice.data["bid_count"] == "2"
