"""Deposits: requirement and cap, sub-accounts, signed bank callbacks, guarantees, refunds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from ggzy.audit.models import AuditEvent
from ggzy.core import clock
from ggzy.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from ggzy.core.permissions import SYSTEM
from ggzy.crypto import sm2
from ggzy.deposits import policy, selectors, services, simbank
from ggzy.deposits.models import Payment, Refund, SubAccount
from ggzy.supervision.models import Warning
from tests.deposits import helpers as h

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Payment.objects.count(),
        SubAccount.objects.count(),
        Refund.objects.count(),
        Warning.objects.count(),
    )


# --- requirement ---------------------------------------------------------------------------------
def test_requirement_within_cap_is_set_and_audited():
    lot, op = h.lot()  # estimate 5,000,000: 2% = 100,000 (实施条例第二十六条)
    req = services.deposit_requirement_set(lot=lot, amount="100000.00", actor=op)
    assert req.amount == Decimal("100000.00") and req.cap == Decimal("100000.00")
    assert AuditEvent.objects.filter(action="deposit.requirement_set").count() == 1
    assert selectors.deposit_status(lot, "X" * 18).state == "unpaid"


def test_requirement_above_cap_is_refused_with_the_article():
    lot, op = h.lot()
    with pytest.raises(InvalidInput) as e:
        services.deposit_requirement_set(lot=lot, amount="100000.01", actor=op)
    assert e.value.code == "deposit.above_cap"
    assert "第二十六条" in e.value.message and "100000.00" in e.value.message
    assert not selectors.requirement_of(lot)


def test_procurement_cap_cites_its_own_article():
    lot, op = h.lot("procurement.open_tendering", estimate="1000000.00")
    with pytest.raises(InvalidInput) as e:
        services.deposit_requirement_set(lot=lot, amount="20000.01", actor=op)
    assert "政府采购法实施条例" in e.value.message and "第三十三条" in e.value.message
    services.deposit_requirement_set(lot=lot, amount="20000.00", actor=op)


def test_requirement_needs_the_operator_and_a_positive_amount():
    lot, op = h.lot()
    _ent, member = h.bidder()
    with pytest.raises(PermissionDenied):
        services.deposit_requirement_set(lot=lot, amount="1000.00", actor=member)
    with pytest.raises(InvalidInput) as e:
        services.deposit_requirement_set(lot=lot, amount="0", actor=op)
    assert e.value.code == "deposit.amount_positive"
    with pytest.raises(InvalidInput):
        services.deposit_requirement_set(lot=lot, amount="12.345", actor=op)


# --- sub-accounts --------------------------------------------------------------------------------
def test_sub_account_is_deterministic_unguessable_and_own_only():
    lot, _op = h.lot_with_requirement()
    a, ua = h.bidder()
    b, ub = h.bidder()
    sa = services.sub_account_open(lot=lot, uscc=a.uscc, actor=ua)
    assert sa.number == services.account_number_for(lot.code, a.uscc)
    assert policy.luhn_ok(sa.number) and sa.number.startswith("8814") and len(sa.number) == 19
    assert services.sub_account_open(lot=lot, uscc=a.uscc, actor=ua).pk == sa.pk  # same one again
    sb = services.sub_account_open(lot=lot, uscc=b.uscc, actor=ub)
    assert sb.number != sa.number
    with pytest.raises(PermissionDenied) as e:
        services.sub_account_open(lot=lot, uscc=b.uscc, actor=ua)
    assert e.value.code == "deposit.not_yours"
    with pytest.raises(PermissionDenied):
        selectors.bidder_view(lot, b.uscc, ua)


def test_no_sub_account_without_a_requirement():
    lot, _op = h.lot()
    a, ua = h.bidder()
    with pytest.raises(Conflict) as e:
        services.sub_account_open(lot=lot, uscc=a.uscc, actor=ua)
    assert e.value.code == "deposit.not_required"
    assert selectors.deposit_satisfied(lot, a.uscc)  # nothing required


# --- bank callbacks ------------------------------------------------------------------------------
def test_payment_in_full_satisfies_and_repeat_returns_the_same_answer():
    lot, _op = h.lot_with_requirement("50000.00")
    a, _ua = h.bidder()
    paid = clock.now()
    body, sig = h.signed(
        lot, a.uscc, "50000.00", txn_id="TXN0001", payer_account="6222111122223333", paid_at=paid
    )
    first = services.bank_callback(body=body, bank_code=simbank.CODE, signature=sig)
    assert first["status"] == "sufficient"
    before = (_counts(), AuditEvent.objects.count())
    again = services.bank_callback(body=body, bank_code=simbank.CODE, signature=sig)
    assert again == first and (_counts(), AuditEvent.objects.count()) == before
    # a bank retry of the same transaction, freshly signed: still one payment, same answer
    body2, sig2 = h.signed(
        lot, a.uscc, "50000.00", txn_id="TXN0001", payer_account="6222111122223333", paid_at=paid
    )
    assert body2 != body
    assert (
        services.bank_callback(body=body2, bank_code=simbank.CODE, signature=sig2)["total_paid"] == "50000.00"
    )
    st = selectors.deposit_status(lot, a.uscc)
    assert st.satisfied and st.method == "cash" and st.paid_amount == Decimal("50000.00")
    assert Payment.objects.get().payer_account == "6222111122223333"


def test_same_txn_with_other_content_is_a_conflict():
    lot, _op = h.lot_with_requirement("50000.00")
    a, _ua = h.bidder()
    h.pay(lot, a.uscc, "50000.00", txn_id="TXN0002")
    body, sig = h.signed(lot, a.uscc, "1.00", txn_id="TXN0002")
    with pytest.raises(Conflict) as e:
        services.bank_callback(body=body, bank_code=simbank.CODE, signature=sig)
    assert e.value.code == "deposit.txn_conflict"
    assert Payment.objects.count() == 1


def test_insufficient_payment_is_recorded_but_not_satisfied():
    lot, _op = h.lot_with_requirement("50000.00")
    a, _ua = h.bidder()
    ans = h.pay(lot, a.uscc, "30000.00")
    assert ans["status"] == "insufficient" and "不足" in ans["message"]
    st = selectors.deposit_status(lot, a.uscc)
    assert not st.satisfied and st.state == "insufficient" and st.paid_amount == Decimal("30000.00")
    assert h.pay(lot, a.uscc, "20000.00")["status"] == "sufficient"
    assert selectors.deposit_satisfied(lot, a.uscc)


def _refused(body, sig, code, bank=simbank.CODE):
    before = _counts()
    with pytest.raises(DomainError) as e:
        services.bank_callback(body=body, bank_code=bank, signature=sig)
    assert e.value.code == code, e.value.message
    assert _counts() == before
    return e.value


def test_bad_callbacks_are_refused_and_change_nothing():
    lot, _op = h.lot_with_requirement("50000.00")
    a, _ua = h.bidder()
    body, sig = h.signed(lot, a.uscc, "50000.00")
    audits = AuditEvent.objects.count()
    # tampered body, other key, garbage signature, unknown bank: no database write at all
    _refused(body.replace(b"50000.00", b"50001.00"), sig, "deposit.bad_signature")
    other = sm2.PrivateKey.generate()
    _refused(body, simbank.sign(body, other), "deposit.bad_signature")
    _refused(body, "not base64!", "deposit.bad_signature")
    _refused(body, sig, "deposit.bank_unknown", bank="NOBANK")
    assert AuditEvent.objects.count() == audits
    # unknown sub-account (validly signed): refused, the refusal audited
    sub = SubAccount.objects.get()
    ghost = simbank.build(
        sub_account=sub.number[:-1] + str((int(sub.number[-1]) + 1) % 10), amount="50000.00"
    )
    e = _refused(ghost, simbank.sign(ghost), "deposit.unknown_sub_account")
    assert "不存在" in e.message
    assert AuditEvent.objects.filter(action="deposit.callback_refused").count() == 1
    # not canonical JSON (re-serialised with spaces)
    import json

    loose = json.dumps(json.loads(body), ensure_ascii=False).encode()
    _refused(loose, simbank.sign(loose), "deposit.callback_not_canonical")


def test_stale_and_replayed_callbacks():
    lot, _op = h.lot_with_requirement("50000.00")
    a, _ua = h.bidder()
    old = clock.now() - dt.timedelta(minutes=5, seconds=1)
    body, sig = h.signed(lot, a.uscc, "50000.00", timestamp=old)
    _refused(body, sig, "deposit.stale")
    ok_body, ok_sig = h.signed(
        lot, a.uscc, "50000.00", timestamp=clock.now() - dt.timedelta(minutes=4, seconds=59)
    )
    services.bank_callback(body=ok_body, bank_code=simbank.CODE, signature=ok_sig)
    nonce = json_field(ok_body, "nonce")
    replay, rsig = h.signed(lot, a.uscc, "10.00", nonce=nonce)  # another transaction, same nonce
    _refused(replay, rsig, "deposit.nonce_replayed")
    # the same signed request replayed after the window: stale, even though it was once accepted
    with time_machine.travel(clock.now() + dt.timedelta(minutes=6), tick=False):
        _refused(ok_body, ok_sig, "deposit.stale")
    # replays are only logged: nothing a captured request can make the platform write
    assert not AuditEvent.objects.filter(action="deposit.callback_refused").exists()


def json_field(body: bytes, name: str):
    import json

    return json.loads(body)[name]


def test_shared_payer_account_raises_a_warning_and_supervisors_see_it():
    lot, op = h.lot_with_requirement("50000.00")
    a, _ = h.bidder()
    b, ub = h.bidder()
    h.pay(lot, a.uscc, "50000.00", payer_account="6222000000000001")
    assert Warning.objects.count() == 0
    h.pay(lot, b.uscc, "50000.00", payer_account="6222000000000001")
    w = Warning.objects.get()
    assert w.details["check"] == "deposits.shared_payer" and "第四十条" in w.message_zh
    rows = selectors.payer_accounts(lot)
    assert rows[0]["shared"] and rows[0]["usccs"] == sorted([a.uscc, b.uscc])
    with pytest.raises(PermissionDenied):
        selectors.payer_accounts(lot, op)  # operators are not supervisors
    with pytest.raises(PermissionDenied):
        selectors.payer_accounts(lot, ub)
    # the bidder's own view has no payer data
    view = selectors.bidder_view(lot, b.uscc, ub)
    assert "payer_accounts" not in view


# --- guarantees ----------------------------------------------------------------------------------
def test_guarantee_counts_once_verified():
    lot, op = h.lot_with_requirement("50000.00")
    a, ua = h.bidder()
    today = clock.today()
    g = services.guarantee_record(
        lot=lot, uscc=a.uscc, issuer="测试担保公司", number="BH2026001", amount="50000.00",
        valid_from=today, valid_until=today + dt.timedelta(days=90), actor=ua,
    )  # fmt: skip
    assert not selectors.deposit_satisfied(lot, a.uscc)
    with pytest.raises(PermissionDenied):
        services.guarantee_verify(guarantee=g, approve=True, actor=ua)
    services.guarantee_verify(guarantee=g, approve=True, actor=op)
    st = selectors.deposit_status(lot, a.uscc)
    assert st.satisfied and st.method == "guarantee"
    with pytest.raises(Conflict):
        services.guarantee_verify(guarantee=g, approve=False, note="x", actor=op)
    with pytest.raises(Conflict) as e:
        services.guarantee_record(
            lot=lot, uscc=a.uscc, issuer="测试担保公司", number="BH2026001", amount="50000.00",
            valid_from=today, valid_until=today, actor=ua,
        )  # fmt: skip
    assert e.value.code == "deposit.guarantee_duplicate"
    with pytest.raises(InvalidInput) as e:
        services.guarantee_record(
            lot=lot, uscc=a.uscc, issuer="测试担保公司", number="BH2", amount="100.00",
            valid_from=today, valid_until=today, actor=ua,
        )  # fmt: skip
    assert e.value.code == "deposit.guarantee_insufficient"


def test_auction_deposits_refuse_guarantees_by_default():
    lot, op = h.lot("land.auction", estimate="10000000.00")
    req = services.deposit_requirement_set(lot=lot, amount="2000000.00", actor=op)  # no cap in the rules
    assert not req.guarantee_allowed
    a, ua = h.bidder("transferee")
    with pytest.raises(Conflict) as e:
        services.guarantee_record(
            lot=lot, uscc=a.uscc, issuer="银行", number="1", amount="2000000.00",
            valid_from=clock.today(), valid_until=clock.today(), actor=ua,
        )  # fmt: skip
    assert e.value.code == "deposit.guarantee_not_allowed"


# --- refunds -------------------------------------------------------------------------------------
def test_refund_deadline_engineering_is_5_calendar_days_after_the_contract():
    lot, op = h.lot_with_requirement("50000.00")
    a, _ = h.bidder()
    h.pay(lot, a.uscc, "50000.00")
    # contract signed Wed 2026-09-30: +5 days = 2026-10-05, in the National Day holiday -> 10-08
    r = services.deposit_refund_due(
        lot=lot, uscc=a.uscc, reason="contract_signed", due_from="2026-09-30", actor=op
    )
    assert r.deadline == dt.date(2026, 10, 8) and "第五十七条" in r.basis and r.amount == Decimal("50000.00")
    with pytest.raises(Conflict) as e:
        services.deposit_refund_due(
            lot=lot, uscc=a.uscc, reason="contract_signed", due_from="2026-09-30", actor=op
        )
    assert e.value.code == "deposit.refund_scheduled"
    services.deposit_refund(lot=lot, uscc=a.uscc, actor=op)
    with pytest.raises(Conflict) as e:
        services.deposit_refund(lot=lot, uscc=a.uscc, actor=op)
    assert e.value.code == "deposit.refunded"
    assert selectors.deposit_status(lot, a.uscc).state == "refunded"


def test_refund_deadline_procurement_is_5_working_days():
    lot, op = h.lot("procurement.open_tendering", estimate="1000000.00")
    services.deposit_requirement_set(lot=lot, amount="20000.00", actor=op)
    a, _ = h.bidder()
    h.pay(lot, a.uscc, "20000.00")
    r = services.deposit_refund_due(
        lot=lot, uscc=a.uscc, reason="award_notice", due_from="2026-09-30", actor=op
    )
    # working days after 09-30: 10-08, 10-09, 10-10 (Sat, make-up working day), 10-12, 10-13
    assert r.deadline == dt.date(2026, 10, 13) and r.kind == "working" and "第三十三条" in r.basis


def test_nothing_to_refund_without_cash():
    lot, op = h.lot_with_requirement("50000.00")
    a, _ = h.bidder()
    with pytest.raises(Conflict) as e:
        services.deposit_refund_due(
            lot=lot, uscc=a.uscc, reason="contract_signed", due_from="2026-09-30", actor=op
        )
    assert e.value.code == "deposit.nothing_to_refund"


def test_overdue_refund_warns_supervisors_once():
    lot, op = h.lot_with_requirement("50000.00")
    a, _ = h.bidder()
    b, _ = h.bidder()
    h.pay(lot, a.uscc, "50000.00")
    h.pay(lot, b.uscc, "50000.00")
    start = clock.today() - dt.timedelta(days=30)
    services.deposit_refund_due(lot=lot, uscc=a.uscc, reason="contract_signed", due_from=start, actor=op)
    services.deposit_refund_due(lot=lot, uscc=b.uscc, reason="contract_signed", due_from=start, actor=op)
    services.deposit_refund(lot=lot, uscc=b.uscc, actor=op)  # b was paid back
    assert services.refunds_overdue_check() == 1
    assert services.refunds_overdue_check() == 0
    w = Warning.objects.get(details__check="deposits.refund_overdue")
    assert w.entity_uscc == a.uscc and "未退还" in w.message_zh


def test_refund_not_overdue_on_its_last_day():
    lot, op = h.lot_with_requirement("50000.00")
    a, _ = h.bidder()
    h.pay(lot, a.uscc, "50000.00")
    r = services.deposit_refund_due(
        lot=lot, uscc=a.uscc, reason="contract_signed", due_from="2026-09-30", actor=op
    )
    last = dt.datetime(2026, 10, 8, 23, 59, tzinfo=clock.CHINA)
    assert services.refunds_overdue_check(last) == 0
    assert services.refunds_overdue_check(policy.end_of_day(r.deadline, clock.CHINA)) == 1


def test_simulator_refused_in_production(settings):
    settings.PRODUCTION = True
    lot, _op = h.lot_with_requirement("50000.00")
    a, _ = h.bidder()
    with pytest.raises(DomainError) as e:
        h.pay(lot, a.uscc, "50000.00")
    assert e.value.code == "deposit.simulator_disabled"


def test_unknown_lot_for_selectors():
    with pytest.raises(NotFound):
        selectors.lot_get("M000")
    _ = SYSTEM
