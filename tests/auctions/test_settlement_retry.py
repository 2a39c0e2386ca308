"""Retrying the settlement of a closed auction (docs/auctions.md "Retrying a refused settlement"):
a settlement refused at the close (here: the platform's signing key is unusable, so no
confirmation can be signed) is logged only; the operator retries it from the console once the
cause is fixed. Idempotent, audited, refused again with a clear message — real database, real SM2."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from ggzy.auctions import services, settlement
from ggzy.auctions.models import Confirmation, Result
from ggzy.audit.models import AuditEvent
from ggzy.core import clock
from ggzy.core.errors import DomainError
from ggzy.deposits import selectors as deposits
from ggzy.trading import selectors as trading
from tests.auctions import helpers
from tests.auctions.helpers import close, paid_bidder
from tests.auctions.helpers import sale as setup

pytestmark = pytest.mark.django_db


def refusal(fn) -> DomainError:
    with pytest.raises(DomainError) as e:
        fn()
    return e.value


@pytest.fixture
def broken_key(settings, tmp_path):
    """The platform's signing key file replaced by something that is not a key (misconfigured)."""
    good = settings.GGZY_SIGNING_KEY_FILE
    bad = tmp_path / "not-a-key.pem"
    bad.write_text("-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n")
    settings.GGZY_SIGNING_KEY_FILE = str(bad)
    yield lambda: setattr(settings, "GGZY_SIGNING_KEY_FILE", good)


def sold_unsettled(broken_key):
    a, op = setup()
    r1, u1 = paid_bidder(a, op)
    r2, u2 = paid_bidder(a, op)
    services.bid_place(auction=a, bidder=r1, amount="1000000", actor=u1)
    services.bid_place(auction=a, bidder=r2, amount="1100000", actor=u2)
    a = close(a)  # the settlement is refused (logged); the close itself is recorded
    return a, op, (r1, u1), (r2, u2)


def test_a_refused_settlement_is_retried_from_the_console_once(client, broken_key):
    a, op, (r1, _), (r2, _) = sold_unsettled(broken_key)
    assert a.result == Result.SOLD and a.closed_at is not None
    assert not Confirmation.objects.filter(auction=a).exists()
    assert settlement.settled_at(a) is None
    assert trading.lot_get(a.lot.code).status != "result"
    assert deposits.deposit_status(a.lot, r1.entity.uscc).state == "paid"  # no refund scheduled yet

    client.force_login(op)
    page = client.get(f"/auctions/console/{a.pk}/").content.decode()
    assert "竞价结果尚未办结" in page and 'value="settle"' in page

    # refused again while the key is still unusable: a clear message, nothing written
    before = AuditEvent.objects.count()
    r = client.post(f"/auctions/console/{a.pk}/", {"action": "settle"})
    assert r.status_code == 422 and "平台签名密钥不可用" in r.content.decode()
    e = refusal(lambda: settlement.settlement_retry(auction=a, actor=op))
    assert e.code == "auction.settle_refused" and e.details["cause"] == "platform.signing_key"
    assert AuditEvent.objects.count() == before and not Confirmation.objects.filter(auction=a).exists()

    # the key is fixed: the operator retries
    broken_key()
    r = client.post(f"/auctions/console/{a.pk}/", {"action": "settle"}, follow=True)
    assert r.status_code == 200 and "竞价结果已办结" in r.content.decode()
    c = Confirmation.objects.get(auction=a)
    assert c.registration_id == r2.pk and c.sign_due_at > clock.now()  # its deadline runs from now
    assert trading.lot_get(a.lot.code).status == "result"
    assert deposits.deposit_status(a.lot, r1.entity.uscc).state == "refund_due"
    ev = AuditEvent.objects.get(action="auction.settle", object_id=str(a.pk))
    assert json.loads(ev.summary)["retry"] is True and op.username in ev.actor_label
    assert settlement.settled_at(a) == ev.at
    page = client.get(f"/auctions/console/{a.pk}/").content.decode()
    assert 'id="settled"' in page and 'value="settle"' not in page

    # a second retry changes nothing and says so
    before = AuditEvent.objects.count()
    e = refusal(lambda: settlement.settlement_retry(auction=a, actor=op))
    assert e.code == "auction.already_settled" and "无需重试" in e.message and "未作任何变更" in e.message
    r = client.post(f"/auctions/console/{a.pk}/", {"action": "settle"})
    assert r.status_code == 422 and "无需重试" in r.content.decode()
    assert AuditEvent.objects.count() == before and Confirmation.objects.filter(auction=a).count() == 1


def test_a_failed_auction_settled_at_the_close_is_not_settled_again():
    a, op = setup()
    paid_bidder(a, op)
    a = close(a)
    assert a.result == Result.NO_BIDS and settlement.settled_at(a) is not None
    before = AuditEvent.objects.count()
    assert refusal(lambda: settlement.settlement_retry(auction=a, actor=op)).code == "auction.already_settled"
    assert AuditEvent.objects.count() == before


def test_retry_refused_before_the_close_and_for_other_accounts(broken_key):
    a, op = helpers.auction(starts_in=3600)
    assert refusal(lambda: settlement.settlement_retry(auction=a, actor=op)).code == "auction.not_closed"
    b, _, _, (_, winner) = sold_unsettled(broken_key)
    broken_key()
    e = refusal(lambda: settlement.settlement_retry(auction=b, actor=winner))  # the winner is no operator
    assert e.status == 403 and settlement.settled_at(b) is None


def result_notices(a) -> list:
    return trading.lot_notices(a.lot, ["transaction_result"])


def test_a_sale_settled_by_the_retry_gets_its_result_notice_with_the_confirmations_deadline(broken_key):
    a, op, _, _ = sold_unsettled(broken_key)
    # not settled at the close: no notice stating a deadline that no confirmation has
    assert a.result_notice == "" and result_notices(a) == []
    assert settlement.needs_retry(a)
    broken_key()
    later = a.closed_at + dt.timedelta(days=6)  # the retry comes days later: another deadline
    with time_machine.travel(later, tick=False):
        b = settlement.settlement_retry(auction=a, actor=op)
    c = Confirmation.objects.get(auction=a)
    close_based, _, _ = settlement.sign_deadline(a, a.closed_at)
    assert c.sign_due_at != close_based  # from the retry
    (notice,) = result_notices(a)
    assert b.result_notice == notice.number
    a.refresh_from_db()
    assert a.result_notice == notice.number and not settlement.needs_retry(a)
    data = trading.notice_get(notice.number).data
    assert data["成交确认书编号"] == c.code
    assert data["成交确认书签订期限"].startswith(settlement._due_text(c.sign_due_at))
    assert data["成交价（元）"] == str(a.final_price)
    # never a second one
    e = refusal(lambda: settlement.settlement_retry(auction=a, actor=op))
    assert e.code == "auction.already_settled" and len(result_notices(a)) == 1


def test_a_notice_refused_at_the_close_is_published_by_the_retry_once(client):
    from ggzy.auctions.models import Auction
    from ggzy.trading import services as trading_services

    a, op = setup(title="某地块（仅限本市注册企业竞买）")  # the fair-competition gate refuses it
    r1, u1 = paid_bidder(a, op)
    services.bid_place(auction=a, bidder=r1, amount="1000000", actor=u1)
    a = close(a)
    c = Confirmation.objects.get(auction=a)  # settled at the close
    assert settlement.settled_at(a) is not None and a.result_notice == "" and result_notices(a) == []
    client.force_login(op)
    page = client.get(f"/auctions/console/{a.pk}/").content.decode()
    assert 'id="notice-missing"' in page and 'value="settle"' in page
    # still refused: a clear message, nothing written
    before = AuditEvent.objects.count()
    e = refusal(lambda: settlement.settlement_retry(auction=a, actor=op))
    assert e.code == "auction.settle_refused" and e.details["cause"] == "notice.fairness"
    assert AuditEvent.objects.count() == before and result_notices(a) == []
    # the title is corrected: the retry publishes the notice (the settlement is not repeated)
    Auction.objects.filter(pk=a.pk).update(title="某地块")
    a.refresh_from_db()
    r = client.post(f"/auctions/console/{a.pk}/", {"action": "settle"}, follow=True)
    assert r.status_code == 200 and "竞价结果已办结" in r.content.decode()
    (notice,) = result_notices(a)
    assert (
        trading.notice_get(notice.number)
        .data["成交确认书签订期限"]
        .startswith(settlement._due_text(c.sign_due_at))
    )
    assert AuditEvent.objects.filter(action="auction.settle", object_id=str(a.pk)).count() == 1
    ev = AuditEvent.objects.get(action="auction.result_notice", object_id=str(a.pk))
    assert json.loads(ev.summary) == {"notice": notice.number, "retry": True}
    assert refusal(lambda: settlement.settlement_retry(auction=a, actor=op)).code == "auction.already_settled"
    assert len(result_notices(a)) == 1

    # a notice the operator published by hand counts too: the retry publishes no second one
    b, op = setup(title="另一地块（仅限本市注册企业竞买）")
    s1, v1 = paid_bidder(b, op)
    services.bid_place(auction=b, bidder=s1, amount="1000000", actor=v1)
    b = close(b)
    assert result_notices(b) == []
    with time_machine.travel(b.closed_at + dt.timedelta(minutes=5), tick=False):  # after the close
        trading_services.notice_publish(
            project=b.lot.project, lot=b.lot, kind="transaction_result", data={"标的名称": b.title},
            overrides={"fairness.local_registration": "出让方案经批准，已说明"}, actor=op,
        )  # fmt: skip
    assert not settlement.needs_retry(b)
    assert refusal(lambda: settlement.settlement_retry(auction=b, actor=op)).code == "auction.already_settled"
    assert len(result_notices(b)) == 1


def test_the_retry_over_the_api(client, broken_key):
    a, op, _, (r2, u2) = sold_unsettled(broken_key)
    url = f"/api/auctions/{a.pk}/settlement/retry"
    client.force_login(u2)  # the winner is no operator
    r = client.post(url)
    assert r.status_code == 403 and not Confirmation.objects.filter(auction=a).exists()
    client.force_login(op)
    r = client.post(url)
    assert r.status_code == 409 and r.json()["code"] == "auction.settle_refused"
    assert not Confirmation.objects.filter(auction=a).exists()
    broken_key()
    r = client.post(url)
    assert r.status_code == 200
    body = r.json()
    assert Confirmation.objects.get(auction=a).registration_id == r2.pk
    assert [c["code"] for c in body["confirmations"]] == [Confirmation.objects.get(auction=a).code]
    assert body["result_notice"]  # the notice deferred at the close is published by the retry
    before = AuditEvent.objects.count()
    r = client.post(url)
    assert r.status_code == 409 and r.json()["code"] == "auction.already_settled"
    assert AuditEvent.objects.count() == before
