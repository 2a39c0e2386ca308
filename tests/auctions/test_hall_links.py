"""The live hall page links to the result once the auction is settled (docs/auctions.md "The live
hall"): everyone gets the result notice, only the winner's own view gets its transaction
confirmation (成交确认书) and the verification page — Django's test client, real database."""

from __future__ import annotations

import re

import pytest

from ggzy.auctions import services
from ggzy.auctions.models import Confirmation, Result
from tests.auctions.helpers import close, paid_bidder
from tests.auctions.helpers import sale as setup

pytestmark = pytest.mark.django_db


def links(client, a) -> str:
    page = client.get(f"/auctions/{a.pk}/")
    assert page.status_code == 200
    return re.search(r'<div id="result-links">(.*?)</div>', page.content.decode(), re.S).group(1)


def test_the_public_sees_the_result_notice_and_the_winner_its_confirmation(client):
    a, op = setup()
    r1, u1 = paid_bidder(a, op)
    r2, u2 = paid_bidder(a, op)
    services.bid_place(auction=a, bidder=r1, amount="1000000", actor=u1)
    assert "成交结果公告" not in links(client, a)  # open: nothing yet
    client.force_login(u2)
    assert "成交确认书" not in links(client, a)
    services.bid_place(auction=a, bidder=r2, amount="1010000", actor=u2)
    a = close(a)
    assert a.result == Result.SOLD and a.result_notice
    c = Confirmation.objects.get(auction=a)

    client.logout()
    public = links(client, a)
    assert f'href="/notices/{a.result_notice}/"' in public
    assert c.code not in public and "/verify/" not in public
    assert client.get(f"/notices/{a.result_notice}/").status_code == 200

    client.force_login(u1)  # the other bidder: the notice only
    other = links(client, a)
    assert f"/notices/{a.result_notice}/" in other and c.code not in other

    client.force_login(u2)  # the winner: its confirmation, the verification page and the PDF
    own = links(client, a)
    assert f'href="/auctions/confirmations/{c.code}/verify/"' in own
    assert f'href="/auctions/confirmations/{c.code}/pdf/"' in own and "签订期限" in own
    verify = client.get(f"/auctions/confirmations/{c.code}/verify/")
    assert verify.status_code == 200 and c.code in verify.content.decode()
    pdf = client.get(f"/auctions/confirmations/{c.code}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_failed_auction_links_its_notice_and_no_confirmation(client):
    a, op = setup()
    _, user = paid_bidder(a, op)
    a = close(a)
    assert a.result == Result.NO_BIDS
    client.force_login(user)
    page = links(client, a)
    assert f"/notices/{a.result_notice}/" in page and "成交确认书" not in page
