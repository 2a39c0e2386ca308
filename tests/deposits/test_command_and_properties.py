"""The simulate-payment command, and property tests of the pure deposit arithmetic."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from ggzy.core import calendar, holidays
from ggzy.deposits import policy, selectors
from tests.deposits import helpers as h

TABLE = holidays.default_table()


@pytest.mark.django_db
def test_simulate_payment_command_and_idempotent_repeat():
    lot, _ = h.lot_with_requirement("50000.00")
    a, _ = h.bidder()
    out = StringIO()
    args = ["deposits", "simulate-payment", "--lot", lot.code, "--uscc", a.uscc, "--amount", "50000.00",
            "--txn-id", "CMD00001"]  # fmt: skip
    call_command(*args, stdout=out)
    assert "已足额" in out.getvalue()
    call_command(*args, stdout=StringIO())  # the same bank transaction again: nothing new
    assert selectors.deposit_status(lot, a.uscc).paid_amount == Decimal("50000.00")
    with pytest.raises(CommandError, match=r"entity\.not_found"):
        call_command(
            "deposits", "simulate-payment", "--lot", lot.code, "--uscc", "91140100MA0000000X", "--amount", "1"
        )


@pytest.mark.django_db
def test_simulate_payment_command_refused_in_production(settings):
    lot, _ = h.lot_with_requirement("50000.00")
    a, _ = h.bidder()
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match=r"deposit\.simulator_disabled"):
        call_command("deposits", "simulate-payment", "--lot", lot.code, "--uscc", a.uscc, "--amount", "1.00")


days = st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2026, 12, 20))


@settings(max_examples=200, deadline=None)
@given(start=days, n=st.integers(min_value=1, max_value=15))
def test_working_day_refund_deadline_properties(start, n):
    """5 working days (政府采购法实施条例第33条) end on a working day with exactly n working days
    in (start, end], and never earlier than n calendar days."""
    end = calendar.add(start, n, TABLE, kind=calendar.WORKING).end
    assert TABLE.is_working_day(end)
    assert calendar.working_days_between(start, end, TABLE) == n
    assert end >= start + dt.timedelta(days=n)


@settings(max_examples=200, deadline=None)
@given(start=days, n=st.integers(min_value=1, max_value=15))
def test_calendar_day_refund_deadline_properties(start, n):
    """5 days (实施条例第57条): at least n days later, a working day, and every day between the raw
    end and the result is a rest day (民法典第203条 moves the end only across rest days)."""
    r = calendar.add(start, n, TABLE, kind=calendar.CALENDAR)
    assert r.raw_end == start + dt.timedelta(days=n)
    assert r.end >= r.raw_end and TABLE.is_working_day(r.end)
    d = r.raw_end
    while d < r.end:
        assert not TABLE.is_working_day(d)
        d += dt.timedelta(days=1)


@given(
    estimate=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e12"), places=2),
    pct=st.sampled_from([Decimal("2"), Decimal("1.5"), Decimal("0.5")]),
    absolute=st.one_of(st.none(), st.decimals(min_value=Decimal("1"), max_value=Decimal("1e7"), places=2)),
)
def test_cap_is_never_exceeded_by_rounding(estimate, pct, absolute):
    c = policy.cap(estimate=estimate, cap_percent=pct, cap_amount=absolute, basis="x")
    assert c.amount is not None and c.amount * 100 <= estimate * pct
    if absolute is not None:
        assert c.amount <= absolute
    assert c.amount == c.amount.quantize(Decimal("0.01"))


@given(digest=st.binary(min_size=32, max_size=32))
def test_account_numbers_carry_a_valid_check_digit(digest):
    n = policy.account_number("8814", digest.hex())
    assert len(n) == 19 and policy.luhn_ok(n)
    wrong = n[:-1] + str((int(n[-1]) + 1) % 10)
    assert not policy.luhn_ok(wrong)


def test_refund_periods_by_reason():
    eng = policy.refund_period(
        reason="contract_signed", category="engineering", days=5, kind="calendar", basis="57"
    )
    assert (eng.days, eng.kind) == (5, "calendar")
    wd = policy.refund_period(reason="withdrawn", category="engineering", days=5, kind="calendar", basis="57")
    assert "第三十五条" in wd.basis
    land = policy.refund_period(reason="auction_ended", category="land", days=None, kind=None, basis="")
    assert not land.confirmed and "未核实" in land.basis
    with pytest.raises(Exception, match="退还原因"):
        policy.refund_period(reason="nope", category="land", days=None, kind=None, basis="")


@pytest.mark.django_db
def test_demo_deposits():
    """The demo's deposits on minimal data (the full ``ggzy demo load`` is tested in tests/portal)."""
    from collections import Counter

    from ggzy.deposits import demo
    from ggzy.deposits.models import Guarantee, Payment, Refund, Requirement
    from ggzy.supervision.models import Warning

    h.lot()
    h.lot("procurement.open_tendering", estimate="1000000.00")
    for _ in range(5):
        h.bidder()
    added = Counter()
    demo.load(added)
    assert added["deposit_requirements"] == 2
    assert (
        Requirement.objects.count() == 2 and Payment.objects.count() == 4 and Guarantee.objects.count() == 1
    )
    assert Refund.objects.get().overdue_warned_at is not None
    checks = set(Warning.objects.values_list("details__check", flat=True))
    assert {"deposits.shared_payer", "deposits.refund_overdue"} <= checks
    demo.load(added)
    assert added["deposit_requirements"] == 2 and Requirement.objects.count() == 2


@pytest.mark.django_db
def test_bank_register_command_and_a_real_banks_callback(tmp_path):
    """A bank registered with its own key: its signed callbacks are accepted, the simulator's key
    cannot sign for it."""
    from ggzy.crypto import sm2
    from ggzy.deposits import services, simbank

    key = sm2.PrivateKey.generate()
    pem = tmp_path / "bank.pem"
    pem.write_text(key.public_key.to_pem())
    out = StringIO()
    call_command(
        "deposits",
        "bank-register",
        "--code",
        "ICBC14",
        "--name",
        "测试银行",
        "--key-file",
        str(pem),
        stdout=out,
    )
    assert "ICBC14" in out.getvalue()
    lot, _ = h.lot_with_requirement("50000.00")
    a, _ = h.bidder()
    sub = services.sub_account_open(lot=lot, uscc=a.uscc, actor=h.SYSTEM)
    body = simbank.build(bank="ICBC14", sub_account=sub.number, amount="50000.00")
    with pytest.raises(Exception, match="签名"):
        services.bank_callback(body=body, bank_code="ICBC14", signature=simbank.sign(body))
    assert (
        services.bank_callback(body=body, bank_code="ICBC14", signature=simbank.sign(body, key))["status"]
        == "sufficient"
    )


@pytest.mark.django_db
def test_the_tick_command_runs_the_overdue_check():
    from ggzy.core import clock
    from ggzy.core.permissions import SYSTEM
    from ggzy.deposits import services
    from ggzy.supervision.models import Warning

    lot, op = h.lot_with_requirement("50000.00")
    a, _ = h.bidder()
    h.pay(lot, a.uscc, "50000.00")
    services.deposit_refund_due(
        lot=lot,
        uscc=a.uscc,
        reason="contract_signed",
        due_from=clock.today() - dt.timedelta(days=20),
        actor=op,
    )
    out = StringIO()
    call_command("tick", stdout=out)
    assert "逾期未退还预警1条" in out.getvalue()
    call_command("tick", stdout=StringIO())
    assert Warning.objects.filter(details__check="deposits.refund_overdue").count() == 1
    _ = SYSTEM
