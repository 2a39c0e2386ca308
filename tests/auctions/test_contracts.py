"""The contract after a signed confirmation (docs/auctions.md "Contract"): recorded by the service
center at the confirmation's price, published as a contract notice, the lot moved to its contract
stage; supervisors warned once when it is late; refusals change nothing."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ggzy.auctions import contracts, results, services, settlement
from ggzy.auctions.models import Confirmation, ConfirmationStatus, Contract
from ggzy.audit.models import AuditEvent
from ggzy.core import calendar, clock
from ggzy.core.selectors import holiday_table
from ggzy.opendata import selectors as opendata
from ggzy.supervision.models import Warning
from ggzy.trading import selectors as trading
from ggzy.trading.models import Notice
from tests.auctions import helpers

code_of = helpers.code_of
pytestmark = pytest.mark.django_db
D = Decimal


def _signed(ruleset: str = "land.auction", **over):
    """A sale closed at 1,050,000 whose winner signed the confirmation."""
    a, op = helpers.sale(ruleset, **over)
    r1, u1 = helpers.paid_bidder(a, op)
    r2, u2 = helpers.paid_bidder(a, op)
    services.bid_place(auction=a, bidder=r1, amount="1000000", actor=u1)
    services.bid_place(auction=a, bidder=r2, amount="1050000", actor=u2)
    c = Confirmation.objects.get(auction=helpers.close(a))
    return c, op, u2


def _writes() -> tuple[int, int, int]:
    return (
        Contract.objects.count(),
        Notice.objects.filter(kind="contract").count(),
        AuditEvent.objects.count(),
    )


def test_a_contract_is_recorded_at_the_price_published_and_moves_the_lot():
    c, op, winner = _signed()
    today = clock.today().isoformat()
    # before the winner signs the confirmation there is no contract to record
    assert results.contract_state(c) is None
    assert (
        code_of(lambda: contracts.contract_record(
            confirmation=c, contract_no="HT-1", amount="1050000", signed_on=today, actor=op))
        == "auction.contract_not_signed"
    )  # fmt: skip
    c = settlement.confirmation_sign(confirmation=c, actor=winner)
    due = results.contract_state(c)
    assert due["recorded"] is False and due["name"] == "国有建设用地使用权出让合同" and not due["overdue"]
    assert due["amount"] == "1050000.00" and not due["basis_confirmed"] and "10个工作日" in due["basis"]
    signed_day = c.signed_at.astimezone(clock.CHINA).date()
    assert due["due_on"] == calendar.add(signed_day, 10, holiday_table(), kind=calendar.WORKING).end
    before = _writes()
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    yesterday = (signed_day - dt.timedelta(days=1)).isoformat()
    bad = [
        (dict(contract_no="HT-1", amount="1050000", signed_on=today), winner, "permission.denied"),
        (dict(contract_no="HT-1", amount="1040000", signed_on=today), op, "auction.contract_amount"),
        (dict(contract_no="HT-1", amount="", signed_on=today), op, "auction.contract_amount_required"),
        (dict(contract_no="HT-1", amount="1,050,000.001", signed_on=today), op, "money.precision"),
        (dict(contract_no="  ", amount="1050000", signed_on=today), op, "auction.contract_no_invalid"),
        (dict(contract_no="H" * 61, amount="1050000", signed_on=today), op, "auction.contract_no_invalid"),
        (dict(contract_no="HT-1", amount="1050000", signed_on="2026-13-01"), op, "calendar.date_invalid"),
        (dict(contract_no="HT-1", amount="1050000", signed_on=tomorrow), op, "auction.contract_date_range"),
        (dict(contract_no="HT-1", amount="1050000", signed_on=yesterday), op, "auction.contract_date_range"),
    ]  # fmt: skip
    for kwargs, actor, code in bad:
        assert (
            code_of(lambda k=kwargs, u=actor: contracts.contract_record(confirmation=c, actor=u, **k)) == code
        )
    assert _writes() == before  # refusals change nothing

    k = contracts.contract_record(confirmation=c, contract_no=" 晋土出让〔2026〕17号 ", amount="1,050,000.00",
                                  signed_on=today, actor=op)  # fmt: skip
    assert k.contract_no == "晋土出让〔2026〕17号" and k.amount == D("1050000.00") and not k.late
    assert k.due_on == due["due_on"] and k.signed_on == clock.today()
    n = Notice.objects.get(number=k.notice_number)
    assert n.kind == "contract" and n.lot_id == c.auction.lot_id
    assert n.data["contract_no"] == k.contract_no and n.data["contract_amount"] == "1050000.00"
    assert n.data["成交确认书编号"] == c.code and n.data["winner"] == c.registration.entity.name
    assert "备注" not in n.data
    assert trading.lot_get(c.auction.lot.code).status == "contract"
    event = AuditEvent.objects.get(action="auction.contract_record")
    summary = json.loads(event.summary)
    assert event.object_id == str(k.pk) and summary["contract_no"] == k.contract_no
    assert summary["amount"] == "1050000.00"
    assert summary["lot_status"] == "contract" and event.project_ref == c.auction.lot.project.code
    # once only
    assert (
        code_of(lambda: contracts.contract_record(
            confirmation=c, contract_no="HT-2", amount="1050000", signed_on=today, actor=op))
        == "auction.contract_exists"
    )  # fmt: skip
    shown = results.result_of(c.auction)["confirmations"][0]["contract"]
    assert shown["recorded"] and shown["contract_no"] == k.contract_no and shown["notice"] == n.number
    # the public sales dataset carries it
    sale = opendata.sale_record(c.auction.lot.project.code)["contract"]
    assert sale["contract_no"] == k.contract_no and sale["amount"]["amount"] == 1050000.0
    assert sale["name"] == "国有建设用地使用权出让合同" and sale["notice"] == n.number


def test_a_contract_not_recorded_in_time_warns_supervisors_once_and_is_recorded_late():
    c, op, winner = _signed()
    c = settlement.confirmation_sign(confirmation=c, actor=winner)
    end, _basis, _confirmed = contracts.deadline(c)
    with time_machine.travel(end - dt.timedelta(seconds=1), tick=False):
        assert contracts.contracts_overdue() == 0
        assert not results.contract_state(c)["overdue"]
    with time_machine.travel(end, tick=False):
        assert contracts.contracts_overdue() == 1
        assert contracts.contracts_overdue() == 0  # once
        w = Warning.objects.get(lot_ref=c.auction.lot.code)
        assert c.code in w.message_zh and "出让合同" in w.message_zh and w.details["confirmation"] == c.code
        assert AuditEvent.objects.filter(action="auction.contract_overdue", object_id=c.code).count() == 1
        c.refresh_from_db()
        state = results.contract_state(c)
        assert state["overdue"] and state["warned_at"] == end
        k = contracts.contract_record(confirmation=c, contract_no="HT-9", amount="1050000",
                                      signed_on=clock.today().isoformat(), actor=op)  # fmt: skip
        assert k.late and Notice.objects.get(number=k.notice_number).data["备注"] == "逾期签订"
    with time_machine.travel(end + dt.timedelta(days=30), tick=False):
        assert contracts.contracts_overdue() == 0


def test_a_recorded_contract_raises_no_warning():
    c, op, winner = _signed()
    c = settlement.confirmation_sign(confirmation=c, actor=winner)
    contracts.contract_record(confirmation=c, contract_no="HT-3", amount="1050000",
                              signed_on=clock.today().isoformat(), actor=op)  # fmt: skip
    end, _basis, _confirmed = contracts.deadline(c)
    with time_machine.travel(end + dt.timedelta(days=1), tick=False):
        assert contracts.contracts_overdue() == 0
    assert not Warning.objects.filter(lot_ref=c.auction.lot.code).exists()


def test_state_property_has_a_property_transaction_contract():
    c, op, winner = _signed("property.listed_transfer", mode="timed")
    c = settlement.confirmation_sign(confirmation=c, actor=winner)
    k = contracts.contract_record(confirmation=c, contract_no="CQ-1", amount="1050000",
                                  signed_on=clock.today().isoformat(), actor=op)  # fmt: skip
    assert k.name == "产权交易合同" and "产权交易合同" in Notice.objects.get(number=k.notice_number).title
    assert trading.lot_get(c.auction.lot.code).status == "contract"


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offset=st.integers(min_value=0, max_value=360 * 24 * 60))
def test_the_contract_deadline_is_ten_working_days_after_the_signing(offset):
    """Whenever the confirmation is signed, the contract's last day is a working day with exactly
    10 working days after the signing day up to it (民法典第二百零一条: the first day not counted)."""
    c = _CONFIRMATION.get("c")
    if c is None:
        c = _CONFIRMATION["c"] = _signed()[0]
    c.signed_at = dt.datetime(2026, 1, 1, tzinfo=clock.CHINA) + dt.timedelta(minutes=offset)
    end, _basis, _confirmed = contracts.deadline(c)
    last = contracts.last_day(end)
    table = holiday_table()
    day, working = c.signed_at.astimezone(clock.CHINA).date(), 0
    while day < last:
        day += dt.timedelta(days=1)
        working += table.is_working_day(day)
    assert working == 10 and table.is_working_day(last)
    assert end == dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=clock.CHINA)


_CONFIRMATION: dict[str, Confirmation] = {}


@pytest.fixture(autouse=True)
def _fresh_confirmation():
    _CONFIRMATION.clear()
    yield
    _CONFIRMATION.clear()


def test_the_api_and_the_console_record_a_contract(client):
    c, op, winner = _signed()
    c = settlement.confirmation_sign(confirmation=c, actor=winner)
    url = f"/api/auctions/confirmations/{c.code}/contract"
    body = {"contract_no": "API-1", "amount": "1050000.00", "signed_on": clock.today().isoformat()}
    client.force_login(winner)
    r = client.post(url, data=body, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "permission.denied"
    client.force_login(op)
    r = client.post(url, data={**body, "amount": "1"}, content_type="application/json")
    assert (
        r.status_code == 422
        and r.json()["code"] == "auction.contract_amount"
        and "成交价" in r.json()["message"]
    )
    assert not Contract.objects.exists()
    r = client.post(url, data=body, content_type="application/json")
    assert r.status_code == 201, r.content
    out = r.json()["contract"]
    assert out["recorded"] and out["contract_no"] == "API-1" and out["notice"]
    assert client.get(f"/api/auctions/{c.auction_id}/result").json()["confirmations"][0]["contract"][
        "recorded"
    ]

    # the console: a second sale, recorded from the form
    c2, op2, winner2 = _signed()
    settlement.confirmation_sign(confirmation=c2, actor=winner2)
    client.force_login(op2)
    page = f"/auctions/console/{c2.auction_id}/"
    html = client.get(page).content.decode()
    assert "国有建设用地使用权出让合同" in html and "登记合同并发布合同公告" in html
    r = client.post(page, {"action": "contract", "code": c2.code, "contract_no": "页面-1", "amount": "1",
                           "signed_on": clock.today().isoformat()})  # fmt: skip
    assert r.status_code == 422 and "应与成交价" in r.content.decode()
    r = client.post(page, {"action": "contract", "code": c2.code, "contract_no": "页面-1", "amount": "1050000",
                           "signed_on": clock.today().isoformat()})  # fmt: skip
    assert r.status_code == 302
    html = client.get(page).content.decode()
    assert "页面-1" in html and Contract.objects.get(contract_no="页面-1").notice_number in html
    assert Confirmation.objects.get(pk=c2.pk).status == ConfirmationStatus.SIGNED
