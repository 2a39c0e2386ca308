"""Bad requests the API fuzzer (schemathesis, against the demo) answered with 500: now clear errors.
A broken multipart body is the client's fault (400); a page beyond the platform's bound is refused
(422) instead of overflowing the database's integers; a list's default page size is the endpoint's."""

from __future__ import annotations

import pytest
from django.test import Client

from ggzy.accounts.models import Role
from ggzy.core import pagination
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_multipart_body_without_a_boundary_is_a_clear_400():
    client = Client(raise_request_exception=False)
    client.force_login(factories.user(Role.OPERATOR))
    r = client.post("/api/entities/import", data=b"--x\r\nnot a form\r\n", content_type="multipart/form-data")
    assert r.status_code == 400 and r.json()["code"] == "request.multipart_invalid"
    assert "multipart" in r.json()["message"] and "重新上传" in r.json()["message"]


@pytest.mark.parametrize(
    "url",
    ["/api/tendering/receipt-log/sth/history", "/api/entities/", "/api/trading/projects"],
)
def test_pages_beyond_the_bound_are_refused_not_a_database_overflow(url):
    client = Client(raise_request_exception=False)
    for page in (pagination.MAX_PAGE + 1, 6596296104732876800):
        r = client.get(url, {"page": page})
        assert r.status_code == 422 and r.json()["field"] == "page", (page, r.content[:200])
    r = client.get(url, {"page_size": pagination.MAX_PAGE_SIZE + 1})
    assert r.status_code == 422 and r.json()["field"] == "page_size"
    assert client.get(url, {"page": pagination.MAX_PAGE}).status_code == 200  # empty, but an answer


def test_a_list_has_the_endpoints_page_size():
    """It was the library's 100 whatever the endpoint said (a subclass's ``page_size`` attribute is
    overwritten by the paginator's constructor)."""
    from tests.trading import helpers as th

    for n in range(25):
        th.entity(600 + n, ["bidder"])
    client = Client()
    body = client.get("/api/entities/").json()
    assert body["count"] >= 25 and len(body["items"]) == 20
    assert len(client.get("/api/entities/", {"page_size": 7}).json()["items"]) == 7
