"""Auction test data: a land/mining/property lot, an auction on it, qualified bidders with numbers."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from ggzy.accounts.models import Role
from ggzy.auctions import services, settlement
from ggzy.core import clock
from ggzy.core.errors import DomainError
from ggzy.deposits import services as deposit_services
from ggzy.trading import services as trading
from tests import factories
from tests.trading import helpers as th


def lot(ruleset: str = "land.auction", acceleration: int = 1):
    op = th.operator()
    project = trading.project_register(
        data=th.data(
            name="太原市测试地块国有建设用地使用权出让",
            ruleset_code=ruleset,
            tenderer_uscc=th.transferor().uscc,
            estimate="10000000.00",
            item_kind="",
            public_funded=False,
            acceleration=acceleration,
        ),
        actor=op,
    )
    return project.lots.get(), op


def auction(ruleset: str = "land.auction", starts_in: float = -1, **over):
    lt, op = lot(ruleset)
    data = {
        "starting_price": "1000000.00",
        "increment": "10000.00",
        "deposit": "200000.00",
        "starts_at": (clock.now() + dt.timedelta(seconds=starts_in)).isoformat(),
        "countdown_seconds": 240,
    }
    data.update(over)
    return services.auction_create(lot=lt, data=data, actor=op), op


_n = iter(range(300, 100000))


def bidder(a, op, *, qualify: bool = True, deposit: bool = True):
    """A market entity with a member account, registered (and qualified, deposit confirmed)."""
    ent = th.entity(next(_n), ["transferee"], f"山西测试竞买单位{next(_n)}")
    user = th.member_of(ent, Role.ENTITY_ADMIN)
    r = services.registration_apply(auction=a, actor=user)
    if qualify:
        r = services.registration_review(registration=r, approve=True, actor=op)
    if deposit:
        r = services.deposit_confirm(registration=r, reference=f"YH{r.pk:08d}", actor=op)
    return r, user


def sale(ruleset: str = "land.auction", **over):
    """An auction set up as the console does it (``settlement.auction_setup``: the deposit becomes
    the lot's requirement, bidders pay into sub-accounts), open since a second ago."""
    lt, op = lot(ruleset)
    data = {
        "starting_price": "1000000.00",
        "increment": "10000.00",
        "deposit": "200000.00",
        "starts_at": (clock.now() - dt.timedelta(seconds=1)).isoformat(),
        "countdown_seconds": 240,
    }
    data.update(over)
    return settlement.auction_setup(lot=lt, data=data, actor=op), op


def paid_bidder(a, op, *, pay: bool = True):
    """A bidder who paid the deposit into its sub-account (simulated bank) and was confirmed from it."""
    r, user = bidder(a, op, deposit=False)
    if pay:
        deposit_services.simulate_payment(lot=a.lot, uscc=r.entity.uscc, amount=a.deposit, actor=op)
        r = settlement.deposit_check(registration=r, actor=op)
    return r, user


def close(a):
    """Close ``a`` by the tick, a second after its deadline."""
    a = services.auction_refresh(auction=a)
    with time_machine.travel(a.deadline_at + dt.timedelta(seconds=1), tick=False):
        services.auction_close_due()
    a.refresh_from_db()
    return a


def logged_in_bidders(a, op, *, count: int, first: int, name: str, reference: str) -> dict:
    """``count`` qualified bidders with confirmed deposits and a logged-in session each (for page
    tests against a real server): their session keys, numbers and names."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    out = {"sessions": [], "numbers": [], "names": []}
    for n in range(count):
        ent = th.entity(first + n, ["transferee"], f"{name}{n}")
        user = th.member_of(ent, Role.ENTITY_ADMIN)
        r = services.registration_apply(auction=a, actor=user)
        services.registration_review(registration=r, approve=True, actor=op)
        r = services.deposit_confirm(registration=r, reference=f"{reference}{n}", actor=op)
        s = SessionStore()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = "ggzy.accounts.backends.LockoutBackend"
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s.create()
        out["sessions"].append(s.session_key)
        out["numbers"].append(r.number)
        out["names"].append(ent.name)
    return out


_ = factories


def code_of(fn) -> str:
    """The stable code of the domain error ``fn`` raises."""
    with pytest.raises(DomainError) as e:
        fn()
    return e.value.code
