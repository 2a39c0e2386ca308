"""Deposit test data: a lot with a requirement, bidders with member accounts, simulated payments."""

from __future__ import annotations

from ggzy.accounts.models import Role
from ggzy.core.permissions import SYSTEM
from ggzy.deposits import services, simbank
from ggzy.trading import services as trading
from tests.trading import helpers as th

_n = iter(range(500, 100000))


def lot(ruleset: str = "engineering.open_tendering", estimate: str = "5000000.00", **over):
    op = th.operator()
    extra = (
        {"item_kind": "", "public_funded": False, "tenderer_uscc": th.transferor().uscc}
        if ruleset.split(".")[0] in {"land", "mining", "property"}
        else {}
    )
    if ruleset.startswith("procurement"):
        extra = {"item_kind": "goods"}
    project = trading.project_register(
        data=th.data(ruleset_code=ruleset, estimate=estimate, **extra, **over), actor=op
    )
    return project.lots.get(), op


def lot_with_requirement(amount: str = "50000.00", **kw):
    lt, op = lot(**kw)
    services.deposit_requirement_set(lot=lt, amount=amount, actor=op)
    return lt, op


def bidder(role: str = "bidder"):
    n = next(_n)
    ent = th.entity(n, [role], f"山西测试投标单位{n}")
    return ent, th.member_of(ent, Role.ENTITY_ADMIN)


def pay(lot, uscc: str, amount: str, **kw) -> dict:
    """What the simulated bank does, through the same callback path as a real bank."""

    return services.simulate_payment(lot=lot, uscc=uscc, amount=amount, actor=SYSTEM, **kw)


def signed(lot, uscc: str, amount: str, **kw) -> tuple[bytes, str]:
    """A simulated bank's callback body and signature (not sent)."""

    sub = services.sub_account_open(lot=lot, uscc=uscc, actor=SYSTEM)
    services.simulated_bank()
    body = simbank.build(sub_account=sub.number, amount=amount, **kw)
    return body, simbank.sign(body)
