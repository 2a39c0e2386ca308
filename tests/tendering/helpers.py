"""Test data for the tendering app."""

from __future__ import annotations

from ggzy.accounts.models import Role
from ggzy.crypto import sm2
from ggzy.tendering import services
from tests import factories
from tests.entities import helpers as eh


def entity_with_admin(n: int):
    e = eh.entity(n)
    return e, eh.member_of(e, Role.ENTITY_ADMIN)


def new_key() -> sm2.PrivateKey:
    return sm2.PrivateKey.generate()


def append(n: int = 1, *, lot: str = "E1401000001001", uscc: str | None = None):
    out = []
    for i in range(n):
        out.append(
            services.receipt_append(
                lot_code=lot,
                bidder_uscc=uscc or factories.valid_uscc(100 + i),
                ciphertext_sm3=f"{i:064x}",
                actor=None,
            )
        )
    return out
