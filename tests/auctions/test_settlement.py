"""Results of an auction (docs/auctions.md "Results"): the signed confirmation, the result notice,
deposits through the deposits app (refunds, applied to the price, forfeited), the winner's signing
deadline checked by the tick, and the lot's status — real database, real SM2."""

from __future__ import annotations

import base64
import datetime as dt
import json
import subprocess
from decimal import Decimal

import pytest
import time_machine

from ggzy.auctions import results, services, settlement
from ggzy.auctions.models import Auction, Confirmation, ConfirmationStatus, Registration, Result
from ggzy.audit.models import AuditEvent
from ggzy.core.permissions import SYSTEM
from ggzy.crypto import platform
from ggzy.deposits import selectors as deposits
from ggzy.deposits import services as deposit_services
from ggzy.trading import selectors as trading
from ggzy.trading.models import LotTransition, Notice
from tests.auctions import helpers

code_of = helpers.code_of
setup, paid_bidder, close = helpers.sale, helpers.paid_bidder, helpers.close
pytestmark = pytest.mark.django_db
D = Decimal


def test_sale_confirmation_notice_refunds_and_lot_status():
    a, op = setup()
    assert deposits.deposit_status(a.lot, "x" * 18).required  # the auction's deposit is the lot's requirement
    r1, u1 = paid_bidder(a, op)
    r2, u2 = paid_bidder(a, op)
    r3, _ = paid_bidder(a, op)
    assert r1.number and r1.deposit_reference.startswith("子账户")
    services.bid_place(auction=a, bidder=r1, amount="1000000", actor=u1)
    services.bid_place(auction=a, bidder=r2, amount="1250000", actor=u2)
    a = close(a)
    assert a.result == Result.SOLD and a.final_price == D("1250000") and a.premium_rate == D("25.00")
    # the confirmation: a PDF signed by the platform's SM2 key, with its deadline
    c = Confirmation.objects.get(auction=a)
    assert c.registration_id == r2.pk and c.price == D("1250000") and c.status == ConfirmationStatus.ISSUED
    pdf = bytes(c.pdf)
    assert pdf.startswith(b"%PDF") and platform.public_key().verify(base64.b64decode(c.signature), pdf)
    check = results.confirmation_verify(c.code)
    assert check["ok"] and check["winner"] == r2.entity.name
    tampered = results.confirmation_verify(c.code, pdf + b"\n% changed")
    assert not tampered["ok"] and not tampered["digest_ok"]
    assert c.sign_due_at > a.closed_at and not c.sign_basis_confirmed
    # the result notice states the premium rate and names the confirmation
    n = Notice.objects.get(number=a.result_notice)
    assert n.kind == "transaction_result"
    assert n.data["溢价率（%）"] == "25.00" and n.data["成交确认书编号"] == c.code
    assert "/auctions/confirmations/" in n.data["成交确认书验证"]
    # the others' deposits: refunds scheduled in the deposits app with their deadline; not the winner's
    for r in (r1, r3):
        st = deposits.deposit_status(a.lot, r.entity.uscc)
        assert st.state == "refund_due" and st.refund_deadline is not None
    assert deposits.deposit_status(a.lot, r2.entity.uscc).state == "paid"
    # the lot moved to the result stage through lot_transition (the transition table)
    assert trading.lot_get(a.lot.code).status == "result"
    assert LotTransition.objects.filter(lot_id=a.lot_id, to_status="result").exists()
    assert AuditEvent.objects.filter(action="auction.settle", object_id=str(a.pk)).count() == 1
    # a second tick changes nothing
    with time_machine.travel(a.deadline_at + dt.timedelta(seconds=5), tick=False):
        assert services.auction_close_due() == 0
    assert Confirmation.objects.filter(auction=a).count() == 1


def test_the_pdf_verifies_with_openssl_and_the_public_key_only(tmp_path):
    a, op = setup()
    r1, u1 = paid_bidder(a, op)
    services.bid_place(auction=a, bidder=r1, amount="1000000", actor=u1)
    c = Confirmation.objects.get(auction=close(a))
    (tmp_path / "c.pdf").write_bytes(bytes(c.pdf))
    (tmp_path / "sig.der").write_bytes(base64.b64decode(c.signature))
    (tmp_path / "pub.pem").write_text(platform.public_pem())
    out = subprocess.run(
        ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-digest", "sm3",
         "-pkeyopt", "distid:1234567812345678", "-in", "c.pdf", "-sigfile", "sig.der"],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 0 and "Success" in out.stdout


def test_winner_signs_in_time_and_its_deposit_is_applied_to_the_price():
    a, op = setup()
    r1, u1 = paid_bidder(a, op)
    _r2, u2 = paid_bidder(a, op)
    services.bid_place(auction=a, bidder=r1, amount="1100000", actor=u1)
    c = Confirmation.objects.get(auction=close(a))
    assert code_of(lambda: settlement.confirmation_sign(confirmation=c, actor=u2)) == "auction.not_winner"
    c = settlement.confirmation_sign(confirmation=c, actor=u1)
    assert c.status == ConfirmationStatus.SIGNED and c.signed_at is not None
    assert deposits.deposit_status(a.lot, r1.entity.uscc).state == "applied"
    assert AuditEvent.objects.filter(action="deposit.applied", entity_ref=r1.entity.uscc).count() == 1
    assert (
        code_of(lambda: settlement.confirmation_sign(confirmation=c, actor=u1))
        == "auction.confirmation_closed"
    )
    # a deposit applied to the price is never refunded
    assert code_of(lambda: deposit_services.deposit_refund_due(
        lot=a.lot, uscc=r1.entity.uscc, reason="auction_ended", due_from=a.closed_at, actor=op)) == "deposit.disposed"  # fmt: skip
    # nothing defaults later
    with time_machine.travel(c.sign_due_at + dt.timedelta(days=1), tick=False):
        assert settlement.signing_overdue_check() == 0


def test_land_winner_who_does_not_sign_loses_the_deposit_and_the_lot_is_listed_again():
    a, op = setup()
    r1, u1 = paid_bidder(a, op)
    r2, u2 = paid_bidder(a, op)
    services.bid_place(auction=a, bidder=r1, amount="1000000", actor=u1)
    services.bid_place(auction=a, bidder=r2, amount="1010000", actor=u2)
    c = Confirmation.objects.get(auction=close(a))
    assert c.on_default == "relist"
    assert deposits.deposit_status(a.lot, r1.entity.uscc).state == "refund_due"  # land: no one held
    with time_machine.travel(c.sign_due_at - dt.timedelta(seconds=1), tick=False):
        assert settlement.signing_overdue_check() == 0  # not yet
    with time_machine.travel(c.sign_due_at, tick=False):
        assert (
            code_of(lambda: settlement.confirmation_sign(confirmation=c, actor=u2)) == "auction.sign_overdue"
        )
        assert settlement.signing_overdue_check() == 1
        assert settlement.signing_overdue_check() == 0  # once
        c.refresh_from_db()
        assert c.status == ConfirmationStatus.DEFAULTED and "重新挂牌" in c.outcome_note
        assert deposits.deposit_status(a.lot, r2.entity.uscc).state == "forfeited"
        assert AuditEvent.objects.filter(action="deposit.forfeited", entity_ref=r2.entity.uscc).count() == 1
        again = settlement.auction_relist_after_default(
            auction=a, data={"starts_at": (c.sign_due_at + dt.timedelta(days=30)).isoformat()}, actor=op
        )
    assert again.attempt == 2 and again.lot_id == a.lot_id
    assert (
        code_of(lambda: settlement.auction_relist_after_default(auction=a, data={}, actor=op))
        == "auction.relisted"
    )


def test_property_defaulter_is_followed_by_the_next_highest_bidder():
    a, op = setup("property.listed_transfer", mode="timed")
    r1, u1 = paid_bidder(a, op)
    r2, u2 = paid_bidder(a, op)
    r3, u3 = paid_bidder(a, op)
    services.bid_place(auction=a, bidder=r1, amount="1000000", actor=u1)
    services.bid_place(auction=a, bidder=r3, amount="1020000", actor=u3)
    services.bid_place(auction=a, bidder=r2, amount="1030000", actor=u2)
    c = Confirmation.objects.get(auction=close(a))
    assert c.registration_id == r2.pk and c.on_default == "next_bidder"
    # the next-highest bidder's deposit is held; the third's is refunded
    assert deposits.deposit_status(a.lot, r3.entity.uscc).state == "paid"
    assert deposits.deposit_status(a.lot, r1.entity.uscc).state == "refund_due"
    with time_machine.travel(c.sign_due_at + dt.timedelta(minutes=1), tick=False):
        assert settlement.signing_overdue_check() == 1
        follow = Confirmation.objects.get(auction=a, registration=r3)
        assert follow.price == D("1020000") and follow.premium_rate == D("2.00")
        assert follow.code.endswith("-2") and follow.status == ConfirmationStatus.ISSUED
        assert deposits.deposit_status(a.lot, r2.entity.uscc).state == "forfeited"
        follow = settlement.confirmation_sign(confirmation=follow, actor=u3)
    assert deposits.deposit_status(a.lot, r3.entity.uscc).state == "applied"


def test_signing_releases_the_deposit_held_for_the_next_bidder():
    a, op = setup("property.listed_transfer", mode="timed")
    r1, u1 = paid_bidder(a, op)
    r2, u2 = paid_bidder(a, op)
    services.bid_place(auction=a, bidder=r1, amount="1000000", actor=u1)
    services.bid_place(auction=a, bidder=r2, amount="1010000", actor=u2)
    c = Confirmation.objects.get(auction=close(a))
    assert deposits.deposit_status(a.lot, r1.entity.uscc).state == "paid"
    settlement.confirmation_sign(confirmation=c, actor=op)  # signed at the counter, recorded by staff
    assert deposits.deposit_status(a.lot, r1.entity.uscc).state == "refund_due"
    assert deposits.deposit_status(a.lot, r2.entity.uscc).state == "applied"


def test_no_bids_is_a_failed_lot_with_a_notice_and_every_deposit_refunded():
    a, op = setup()
    r1, _ = paid_bidder(a, op)
    r2, _ = helpers.bidder(a, op)  # confirmed by a reference: refunded outside the platform
    a = close(a)
    assert a.result == Result.NO_BIDS and not Confirmation.objects.filter(auction=a).exists()
    n = Notice.objects.get(number=a.result_notice)
    assert "流拍" in n.data["交易结果"] and "流拍" in n.data["流拍原因"]
    assert trading.lot_get(a.lot.code).status == "failed"
    assert deposits.deposit_status(a.lot, r1.entity.uscc).state == "refund_due"
    ev = AuditEvent.objects.get(action="auction.settle", object_id=str(a.pk))
    assert json.loads(ev.summary)["refunds"] == {r1.number: "refund_due", r2.number: "offline"}


def test_reserve_not_met_fails_the_lot():
    a, op = setup(reserve_price="2000000.00")
    r1, u1 = paid_bidder(a, op)
    services.bid_place(auction=a, bidder=r1, amount="1500000", actor=u1)
    a = close(a)
    assert a.result == Result.RESERVE_NOT_MET and not Confirmation.objects.filter(auction=a).exists()
    assert "保留价" in Notice.objects.get(number=a.result_notice).data["流拍原因"]
    assert trading.lot_get(a.lot.code).status == "failed"
    assert deposits.deposit_status(a.lot, r1.entity.uscc).state == "refund_due"


def test_deposit_check_refuses_an_unpaid_deposit_and_changes_nothing():
    a, op = setup()
    r, _ = paid_bidder(a, op, pay=False)
    before = AuditEvent.objects.count()
    assert code_of(lambda: settlement.deposit_check(registration=r, actor=op)) == "auction.deposit_unpaid"
    assert AuditEvent.objects.count() == before
    assert not Registration.objects.get(pk=r.pk).deposit_confirmed_at


def test_deposit_services_apply_and_forfeit_are_refused_without_cash():
    a, op = setup()
    r, _ = helpers.bidder(a, op)
    assert code_of(
        lambda: deposit_services.deposit_forfeit(lot=a.lot, uscc=r.entity.uscc, reason="x", actor=op)
    ) == ("deposit.nothing_to_dispose")
    assert code_of(lambda: deposit_services.deposit_apply_to_price(lot=a.lot, uscc=r.entity.uscc, price="1",
                                                                   actor=op)) == "deposit.nothing_to_dispose"  # fmt: skip


_ = (Auction, SYSTEM)
