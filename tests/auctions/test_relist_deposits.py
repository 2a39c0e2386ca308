"""Deposits per attempt (docs/deposits.md "Attempts", docs/auctions.md "Relisting"): a bidder of a
failed first attempt registers for the relisting, gets a new sub-account, pays into it through the
signed bank callback (HTTP), bids and wins; its first-attempt deposit keeps its own refund and
deadline tracking; a bank repeating the old account's callback credits nothing new, and a new
payment into the old account is refused. Real database (SQLite; PostgreSQL with GGZY_DATABASE_URL),
real SM2 signatures through the simulated bank."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine

from ggzy.auctions import services, settlement
from ggzy.auctions.models import Confirmation, Result
from ggzy.audit.models import AuditEvent
from ggzy.core import clock
from ggzy.core.errors import DomainError
from ggzy.core.permissions import SYSTEM
from ggzy.deposits import policy, simbank
from ggzy.deposits import selectors as deposits
from ggzy.deposits import services as deposit_services
from ggzy.deposits.models import Payment, Refund, SubAccount
from ggzy.supervision.models import Warning as SupervisionWarning
from tests.auctions.helpers import close, paid_bidder
from tests.auctions.helpers import sale as setup
from tests.deposits import helpers as dh

pytestmark = pytest.mark.django_db
D = Decimal
CB = "/api/deposits/bank/callback"
PAYER = "6222020200112233445"


def post(client, body: bytes):
    return client.post(
        CB, data=body, content_type="application/json",
        HTTP_X_GGZY_BANK=simbank.CODE, HTTP_X_GGZY_SIGNATURE=simbank.sign(body),
    )  # fmt: skip


def test_a_bidder_of_the_failed_attempt_pays_its_relisting_deposit_into_a_new_sub_account(client):
    a, op = setup()
    r0, user = paid_bidder(a, op)  # pays attempt 1 through the simulated bank (txn below)
    uscc = r0.entity.uscc
    first = deposits.deposit_status(a.lot, uscc)
    assert first.attempt == 1 and first.state == "paid"
    old_number = first.sub_account
    assert old_number == deposit_services.account_number_for(a.lot.code, uscc)  # attempt 1 unchanged
    old_payment = Payment.objects.get(sub_account__number=old_number)

    a = close(a)  # nobody bid: 流拍; attempt 1's refund is scheduled with its deadline
    assert a.result == Result.NO_BIDS
    refund1 = Refund.objects.get(lot=a.lot, uscc=uscc)
    assert refund1.attempt == 1

    starts = clock.now() + dt.timedelta(hours=1)
    b = settlement.auction_list_again(
        auction=a,
        data={"starting_price": "800000.00", "deposit": "150000.00", "starts_at": starts.isoformat()},
        actor=op,
    )
    req = deposits.requirement_of(b.lot)
    assert b.attempt == 2 and req.attempt == 2 and req.amount == D("150000.00")
    ev = AuditEvent.objects.filter(action="deposit.attempt_start").get()
    assert json.loads(ev.summary)["attempt"] == 2

    # the bidder registers again: nothing paid for attempt 2 yet, its old deposit does not count
    back = services.registration_apply(auction=b, actor=user)
    back = services.registration_review(registration=back, approve=True, actor=op)
    with pytest.raises(DomainError) as e:
        settlement.deposit_check(registration=back, actor=op)
    assert e.value.code == "auction.deposit_unpaid"
    now2 = deposits.deposit_status(b.lot, uscc)
    assert now2.attempt == 2 and now2.state == "unpaid" and now2.sub_account == ""

    # the bank repeats attempt 1's callback (same transaction, re-signed): the first answer, for
    # the old account; attempt 2 is not credited
    repeat = simbank.build(sub_account=old_number, amount=old_payment.amount, txn_id=old_payment.txn_id,
                           paid_at=old_payment.paid_at, payer_account=old_payment.payer_account,
                           payer_name=old_payment.payer_name)  # fmt: skip
    r = post(client, repeat)
    assert r.status_code == 200 and r.json() == old_payment.answer and r.json()["sub_account"] == old_number
    assert Payment.objects.filter(sub_account__number=old_number).count() == 1
    assert deposits.deposit_status(b.lot, uscc).paid_amount == 0
    # a new payment into the old account is refused (money to be returned), audited
    stray = simbank.build(sub_account=old_number, amount="150000.00", txn_id="STRAY-OLD-1",
                          payer_account=PAYER, payer_name=r0.entity.name)  # fmt: skip
    r = post(client, stray)
    assert r.status_code == 409 and r.json()["code"] == "deposit.sub_account_closed"
    assert not Payment.objects.filter(txn_id="STRAY-OLD-1").exists()
    refused = AuditEvent.objects.filter(action="deposit.callback_refused").order_by("-seq").first()
    assert json.loads(refused.summary)["code"] == "deposit.sub_account_closed"
    assert deposits.deposit_status(b.lot, uscc).paid_amount == 0

    # its new sub-account for attempt 2: a new number, valid check digit, the same every time
    sub = deposit_services.sub_account_open(lot=b.lot, uscc=uscc, actor=user)
    assert sub.attempt == 2 and sub.number != old_number and policy.luhn_ok(sub.number)
    assert deposit_services.sub_account_open(lot=b.lot, uscc=uscc, actor=user).pk == sub.pk
    assert SubAccount.objects.filter(lot=b.lot, uscc=uscc).count() == 2
    # it pays through the bank callback (HTTP, signed), from the same account as before: no
    # shared-payer warning (it is the same bidder, another attempt)
    body = simbank.build(sub_account=sub.number, amount="150000.00", txn_id="RELIST-2-1",
                         payer_account=old_payment.payer_account, payer_name=r0.entity.name)  # fmt: skip
    r = post(client, body)
    assert (
        r.status_code == 200 and r.json()["status"] == "sufficient" and r.json()["sub_account"] == sub.number
    )
    assert not SupervisionWarning.objects.filter(details__check="deposits.shared_payer").exists()
    back = settlement.deposit_check(registration=back, actor=op)
    assert back.number and back.deposit_reference == f"子账户{sub.number}"
    other, other_user = paid_bidder(b, op)  # a new bidder
    assert deposits.deposit_status(b.lot, other.entity.uscc).sub_account != ""

    # the API and the bidder's page show both attempts
    client.force_login(user)
    got = client.get(f"/api/deposits/lots/{b.lot.code}/bidders/{uscc}").json()
    assert got["status"]["attempt"] == 2 and got["status"]["sub_account"] == sub.number
    assert [(x["attempt"], x["sub_account"], x["state"]) for x in got["earlier"]] == [
        (1, old_number, "refund_due")
    ]
    page = client.get(f"/deposits/mine/{b.lot.code}/").content.decode()
    assert sub.number in page and old_number in page and "第1次挂牌的保证金" in page
    client.logout()

    # bidding: the returning bidder wins
    with time_machine.travel(starts + dt.timedelta(seconds=1), tick=False):
        b = services.auction_refresh(auction=b)
        services.bid_place(auction=b, bidder=other, amount="800000", actor=other_user)
        services.bid_place(auction=b, bidder=back, amount="810000", actor=user)
        b.refresh_from_db()
    b = close(b)
    assert b.result == Result.SOLD and b.leader_id == back.pk
    settle = json.loads(AuditEvent.objects.get(action="auction.settle", object_id=str(b.pk)).summary)
    assert settle["refunds"] == {other.number: "refund_due"}
    c = Confirmation.objects.get(auction=b)
    with time_machine.travel(c.sign_due_at - dt.timedelta(hours=1), tick=False):
        settlement.confirmation_sign(confirmation=c, actor=user)
    won = deposits.deposit_status(b.lot, uscc, attempt=2)
    assert won.state == "applied" and won.paid_amount == D("150000.00")

    # attempt 1's deposit: still its own refund, deadline and state
    old = deposits.deposit_status(b.lot, uscc, attempt=1)
    assert old.state == "refund_due" and old.paid_amount == first.paid_amount
    assert old.refund_deadline == refund1.deadline
    r1 = Refund.objects.get(pk=refund1.pk)
    assert (r1.amount, r1.deadline, r1.refunded_at) == (refund1.amount, refund1.deadline, None)
    # overdue tracking: past its deadline, one warning for attempt 1's refund
    after = dt.datetime.combine(refund1.deadline + dt.timedelta(days=1), dt.time(9), tzinfo=clock.CHINA)
    with time_machine.travel(after, tick=False):
        deposit_services.refunds_overdue_check()
        w = SupervisionWarning.objects.get(details__check="deposits.refund_overdue", entity_uscc=uscc)
        assert w.details["refund"] == refund1.pk
        done = deposit_services.deposit_refund(lot=b.lot, uscc=uscc, attempt=1, actor=op)
    assert done.pk == refund1.pk and done.refunded_at is not None
    assert deposits.deposit_status(b.lot, uscc, attempt=1).state == "refunded"
    assert deposits.deposit_status(b.lot, uscc).state == "applied"  # the current attempt unchanged
    # the winner's attempt-2 deposit cannot be refunded (applied), the old one not twice
    with pytest.raises(DomainError) as e:
        deposit_services.deposit_refund_due(lot=b.lot, uscc=uscc, reason="auction_ended",
                                            due_from=clock.now(), actor=op)  # fmt: skip
    assert e.value.code == "deposit.disposed"


def test_tendering_deposits_stay_one_per_lot_and_bidder():
    lot, op = dh.lot_with_requirement("50000.00")
    ent, _ = dh.bidder()
    dh.pay(lot, ent.uscc, "50000.00")
    sub = SubAccount.objects.get(lot=lot, uscc=ent.uscc)
    assert sub.attempt == 1 and sub.number == deposit_services.account_number_for(lot.code, ent.uscc)
    with pytest.raises(DomainError) as e:
        deposit_services.deposit_attempt_start(lot=lot, attempt=2, amount="50000.00", actor=op)
    assert e.value.code == "deposit.attempt_not_auction"
    assert deposits.requirement_of(lot).attempt == 1
    assert deposits.deposit_status(lot, ent.uscc).state == "paid"


def test_an_attempt_starts_once_and_only_forward():
    a, op = setup()
    with pytest.raises(DomainError) as e:
        deposit_services.deposit_attempt_start(lot=a.lot, attempt=1, amount="200000.00", actor=op)
    assert e.value.code == "deposit.attempt_started"
    deposit_services.deposit_attempt_start(lot=a.lot, attempt=2, amount="200000.00", actor=SYSTEM)
    with pytest.raises(DomainError) as e:
        deposit_services.deposit_attempt_start(lot=a.lot, attempt=2, amount="200000.00", actor=op)
    assert e.value.code == "deposit.attempt_started"
