"""Auction test data: a land/mining/property lot, an auction on it, qualified bidders with numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from ggzy.accounts.models import Role
from ggzy.auctions import services
from ggzy.core import clock
from ggzy.core.errors import DomainError
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


_ = factories


def code_of(fn) -> str:
    """The stable code of the domain error ``fn`` raises."""
    with pytest.raises(DomainError) as e:
        fn()
    return e.value.code
