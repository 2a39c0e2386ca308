"""The Shanxi demo shows a sealed-bid lot's whole chain (issue 4 items 5–7): bids, opening record,
evaluation, candidate publicity, award, contract and performance — all through the services at
the times they would have happened — and the trading pages link the chain: the console's lot →
opening hall → evaluation room → notice of award → contract; the public project page → the
opening record, candidate publicity, award, contract and performance notices."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from ggzy.audit.selectors import verify_chain_unchecked
from ggzy.demo import awarded, sealed
from ggzy.demo.loader import load
from ggzy.evaluation.models import Award, Contract, Evaluation, Performance
from ggzy.tendering import selectors as tendering_selectors
from ggzy.trading.models import Lot, Notice

# the whole demo loads once per test: minutes on a loaded PostgreSQL host
pytestmark = [pytest.mark.django_db, pytest.mark.timeout(1500)]


@pytest.fixture
def demo(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.GGZY_BID_DIR = str(tmp_path / "bids")
    load()
    return Lot.objects.select_related("project").get(project__name=awarded.PROJECT_NAME)


def test_the_demo_holds_an_awarded_lot_and_the_trading_pages_link_its_chain(demo, client):
    lot = demo
    assert lot.status == "contract", lot.status
    opened = tendering_selectors.opened_bids(lot)
    assert len(opened) == 3 and {b["status"] for b in opened} == {"opened"}
    ev = Evaluation.objects.get(lot=lot)
    assert ev.members.count() == 5 and ev.signatures.count() == 5
    award = Award.objects.get(evaluation=ev)
    assert str(award.price) == min(awarded.PRICES)  # lowest evaluated price
    assert (award.awarded_at - ev.publicity_end).total_seconds() > 0  # after 3 days of publicity
    contract = Contract.objects.get(award=award)
    assert not contract.late and Performance.objects.filter(contract=contract).count() == 2
    kinds = list(Notice.objects.filter(lot=lot).order_by("published_at", "id").values_list("kind", flat=True))
    assert kinds == ["tender", "opening_record", "candidate_publicity", "award", "contract", "performance",
                     "performance"]  # fmt: skip
    # the demo login "expert" sits on the committee
    assert ev.members.filter(user_id=get_user_model().objects.get(username="expert").pk).exists()
    # the audit chain still verifies end to end with the back-dated events in it
    assert verify_chain_unchecked().ok
    # the worked example's lot is open for bids beside it
    assert sealed.bidding_lot().status == "bidding"

    # the pages
    award = Award.objects.get(evaluation__lot=lot)
    public = client.get(reverse("trading:detail", args=[lot.project.code])).content.decode()
    assert reverse("tendering:opening", args=[lot.code]) in public
    for n in Notice.objects.filter(lot=lot).exclude(kind="tender"):
        assert reverse("notices:detail", args=[n.number]) in public, n.kind
    assert reverse("evaluation:verify", args=[award.code]) in public
    assert reverse("evaluation:room", args=[lot.code]) not in public, "the room is not linked for the public"

    client.force_login(get_user_model().objects.get(username="operator"))
    console = client.get(reverse("trading:console_detail", args=[lot.project.code])).content.decode()
    for url in (
        reverse("tendering:opening", args=[lot.code]),
        reverse("evaluation:room", args=[lot.code]),
        reverse("evaluation:award_pdf", args=[award.code]),
    ):
        assert url in console
    assert awarded.CONTRACT_NO in console
    room = client.get(reverse("evaluation:room", args=[lot.code]))
    assert room.status_code == 200
    assert reverse("tendering:opening", args=[lot.code]) in room.content.decode()  # and back
    hall = client.get(reverse("tendering:opening", args=[lot.code])).content.decode()
    assert reverse("evaluation:room", args=[lot.code]) in hall
    assert reverse("trading:detail", args=[lot.project.code]) in hall
