"""The changes feed carries the results of the other apps: the bid deadline passing, the end of an
opening (with its record notice) and the end of an auction, with public fields only."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from ggzy.auctions import services as auctions
from ggzy.opendata import feed, selectors
from ggzy.tendering import services as tendering
from ggzy.tendering.models import Opening
from ggzy.trading import services as trading
from tests.auctions import helpers as auction_helpers
from tests.tendering import bidding as b

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def bid_dir(settings, tmp_path):
    settings.GGZY_BID_DIR = str(tmp_path / "bids")


def _items(change: str) -> list[dict]:
    return [i for i in selectors.changes(limit=feed.MAX_LIMIT).items if i["change"] == change]


def _tick(at):
    with time_machine.travel(at, tick=False):
        trading.tick_run()
        return tendering.openings_due()


def test_the_deadline_and_the_end_of_an_opening_are_changes_of_the_lot():
    lt = b.lot(deadline_in=600)
    bids = []
    for price in ("4800000.00", "4750000.00", "4900000.00"):
        bidder = b.Bidder()
        env, meta = b.seal(b.plaintext(lt, bidder, price=price), bidder)
        b.submit(lt, bidder, env, meta)
        bids.append((bidder, env))
    assert _items("bids.closed") == [] and _items("opening.finished") == []
    deadline = tendering.bid_deadline(lt)
    _tick(deadline + dt.timedelta(seconds=1))
    closed = _items("bids.closed")
    assert len(closed) == 1
    assert closed[0]["object_type"] == "lot" and closed[0]["object_id"] == lt.code
    assert closed[0]["payload"]["bids"] == 3 and closed[0]["path"] == f"/projects/{lt.project.code}/"
    assert _items("opening.finished") == []  # bidders are still decrypting
    with time_machine.travel(deadline + dt.timedelta(seconds=30), tick=False):
        for bidder, env in bids:
            tendering.bid_decrypt(lot=lt, content_key=b.content_key(env, bidder), actor=bidder.user)
    opening = Opening.objects.get(lot=lt)
    _tick(opening.window_ends_at + dt.timedelta(seconds=1))
    opening.refresh_from_db()
    finished = _items("opening.finished")
    assert len(finished) == 1 and finished[0]["object_id"] == lt.code
    assert finished[0]["payload"] == {"notice": opening.notice_number, "not_decrypted": 0}
    published = [i["object_id"] for i in _items("notice.published")]
    assert opening.notice_number in published  # the opening record itself, as a notice
    # the feed item comes after the bids' receipts but carries nothing of a bid
    text = json.dumps(finished + closed, ensure_ascii=False)
    assert "4800000.00" not in text and bids[0][0].uscc not in text


def test_the_end_of_an_auction_is_a_change_without_reserve_or_bidding_number():
    a, op = auction_helpers.auction(reserve_price="1015000.00")
    r1, u1 = auction_helpers.bidder(a, op)
    r2, u2 = auction_helpers.bidder(a, op)
    auctions.bid_place(auction=a, bidder=r1, amount="1000000", actor=u1)
    auctions.bid_place(auction=a, bidder=r2, amount="1020000", actor=u2)
    assert _items("auction.closed") == []
    a.refresh_from_db()
    with time_machine.travel(a.deadline_at + dt.timedelta(seconds=1), tick=False):
        assert auctions.auction_close_due() == 1
    closed = _items("auction.closed")
    assert len(closed) == 1
    item = closed[0]
    assert item["object_type"] == "auction" and item["project_code"] == a.lot.project.code
    assert item["payload"]["result"] == "sold" and item["payload"]["price"] == "1020000.00"
    assert item["payload"]["premium_rate"] == "2.00" and item["payload"]["bids"] == 2
    text = json.dumps(item, ensure_ascii=False)
    assert "1015000" not in text and "reserve" not in text  # the audit event has both
    # no value of the payload is a bidding number (numbers are 3 digits, so compare values, not text:
    # "202" is also in the year of every timestamp)
    numbers = {r1.number, r2.number}
    assert not numbers & {str(v) for v in item["payload"].values()}
    assert "winner" not in item["payload"] and "number" not in json.dumps(item["payload"])
