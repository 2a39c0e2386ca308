"""The demo (``ggzy demo load``): a finished auction with its result notice and confirmation, the
demo's own entity accounts act as transferees, and loading again adds nothing."""

from __future__ import annotations

import pytest

from ggzy.accounts.models import User
from ggzy.auctions import services
from ggzy.auctions.models import Auction, Confirmation, Contract, Phase, Result
from ggzy.audit.models import AuditEvent
from ggzy.demo import auction_results
from ggzy.demo.loader import load
from ggzy.deposits import selectors as deposits
from ggzy.trading.models import Notice

pytestmark = pytest.mark.django_db


def test_demo_has_a_finished_auction_and_the_demo_entity_is_a_transferee():
    load()
    a = Auction.objects.get(lot__project__name=auction_results.NAME)
    assert a.phase == Phase.CLOSED and a.result == Result.SOLD and a.premium_rate is not None
    notice = Notice.objects.get(number=a.result_notice)
    assert notice.kind == "transaction_result" and "溢价率（%）" in notice.data
    c = Confirmation.objects.get(auction=a)
    admin = User.objects.get(username="entity_admin")
    assert c.registration.entity_id == admin.membership.entity_id and bytes(c.pdf).startswith(b"%PDF")
    assert notice.data["成交确认书编号"] == c.code
    assert a.lot.status == "result"
    others = [r for r in a.registrations.select_related("entity") if r.pk != c.registration_id]
    assert others and all(deposits.deposit_status(a.lot, r.entity.uscc).state == "refund_due" for r in others)
    # the demo's entity accounts can register for a demo auction as transferees
    assert "transferee" in admin.membership.entity.trading_roles
    pending = Auction.objects.filter(phase=Phase.PENDING).exclude(
        registrations__entity=admin.membership.entity
    )
    if pending.exists():
        r = services.registration_apply(auction=pending.first(), actor=admin)
        assert r.status == "applied"
    # the second parcel went the whole way: confirmation signed, 出让合同 recorded and published
    done = Auction.objects.get(lot__project__name=auction_results.CONTRACTED_NAME)
    c2 = Confirmation.objects.get(auction=done)
    assert c2.status == "signed" and c2.registration.entity_id != admin.membership.entity_id
    contract = Contract.objects.get(confirmation=c2)
    assert contract.amount == c2.price and not contract.late
    assert Notice.objects.get(number=contract.notice_number).kind == "contract"
    assert done.lot.status == "contract"
    events = AuditEvent.objects.count()
    assert sum(load().values()) == 0 and AuditEvent.objects.count() == events  # idempotent
