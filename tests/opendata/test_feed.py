"""The changes feed: public changes in commit order behind an opaque cursor."""

from __future__ import annotations

import base64

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ggzy.audit.models import AuditEvent
from ggzy.core.errors import InvalidInput
from ggzy.opendata import feed, selectors
from tests.opendata import helpers
from tests.trading import helpers as trading_helpers

URL = "/api/opendata/changes"


RELAXED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # loaded CI machines


@RELAXED
@given(st.integers(min_value=0, max_value=10**17))
def test_cursor_round_trip(seq):
    token = feed.encode_cursor(seq)
    assert "=" not in token and feed.decode_cursor(token) == seq


@RELAXED
@given(st.text(max_size=80))
def test_any_other_text_is_a_bad_cursor_or_a_position(text):
    try:
        seq = feed.decode_cursor(text)
    except InvalidInput as exc:
        assert exc.code == "changes.bad_cursor"
    else:
        assert text == "" or feed.encode_cursor(seq) == text


def _read_all(client, limit=3, cursor=None):
    items, pages = [], 0
    while True:
        query = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        body = client.get(URL, query).json()
        items += body["items"]
        cursor, pages = body["next_cursor"], pages + 1
        if not body["has_more"]:
            return items, cursor, pages


@pytest.mark.django_db
def test_feed_lists_public_changes_in_order_and_resumes(client):
    project = helpers.purchase(results=False)
    items, cursor, _ = _read_all(client)
    public = list(
        AuditEvent.objects.filter(action__in=list(feed.PUBLIC_ACTIONS))
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    assert [i["position"] for i in items] == public
    changes = [(i["change"], i["object_id"]) for i in items if i["project_code"] == project.code]
    lot = project.lots.get()
    notice = project.notices.get()
    assert ("project.registered", project.code) in changes
    assert ("notice.published", notice.number) in changes
    assert ("lot.status_changed", lot.code) in changes
    published = next(i for i in items if i["change"] == "notice.published")
    assert published["path"] == f"/notices/{notice.number}/"
    assert published["payload"] == {"kind": "tender", "title": notice.title, "lot": lot.code}
    # nothing new: the same cursor gives an empty page and keeps its place
    again = client.get(URL, {"cursor": cursor}).json()
    assert again == {"items": [], "next_cursor": cursor, "has_more": False}
    # a new change is read once, from where the reader stopped
    helpers.purchase(results=False)
    more, _, _ = _read_all(client, cursor=cursor)
    assert more and min(i["position"] for i in more) > max(public)


@pytest.mark.django_db
def test_a_run_of_private_events_moves_the_cursor_to_the_head(client):
    op = trading_helpers.operator()
    trading_helpers.tenderer()  # entity.register and user.create events: not public
    first = client.get(URL, {"limit": 1000}).json()
    assert first["has_more"] is False
    head = AuditEvent.objects.order_by("-seq").first().seq
    assert feed.decode_cursor(first["next_cursor"]) == head
    assert op.pk  # the operator's creation was one of the private events


@pytest.mark.django_db
@pytest.mark.parametrize("cursor", ["nope", "djE6LTE", base64.urlsafe_b64encode(b"v2:5").decode(), "x" * 100])
def test_bad_cursor_is_a_stable_422(client, cursor):
    response = client.get(URL, {"cursor": cursor})
    assert response.status_code == 422
    assert response.json()["code"] == "changes.bad_cursor"
    assert "游标无效" in response.json()["message"]


@pytest.mark.django_db
def test_a_cursor_past_the_head_and_a_bad_limit_are_refused(client):
    ahead = feed.encode_cursor(10**9)
    assert client.get(URL, {"cursor": ahead}).json()["code"] == "changes.bad_cursor"
    for limit in (0, 1001):
        response = client.get(URL, {"limit": limit})
        assert (response.status_code, response.json()["code"]) == (422, "changes.bad_limit")
    assert client.get(URL, {"limit": "many"}).status_code == 422


@pytest.mark.django_db
def test_selector_page_is_bounded_by_limit():
    helpers.purchase(results=False)
    page = selectors.changes(limit=2)
    assert len(page.items) == 2 and page.has_more
    assert feed.decode_cursor(page.next_cursor) == page.items[-1]["position"]
