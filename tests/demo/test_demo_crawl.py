"""Every link the platform shows, followed from the home page and the console as the public and as
each demo account, leads somewhere: no page answers 404, 403 or a server error to a link it was
offered (a link to a refusal is a dead end for a clerk). Found: a supervisor's 全流程留痕 menu item,
the opening hall's link to an evaluation room not yet started, the verify page's link to a trail
the account cannot read."""

from __future__ import annotations

import collections
import re

import pytest
from django.test import Client

from ggzy.accounts.models import User
from ggzy.demo.accounts import ACCOUNTS
from ggzy.demo.loader import load

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(1500)]

HREF = re.compile(r'href="(/[^"#]*)"')
SKIP = ("/static/", "/accounts/logout/", "/admin/logout/")
PAGES_PER_ACCOUNT = 150
PER_SHAPE = 3  # URLs per path shape (digits collapsed): a list of 100 notices is one kind of page


def _crawl(client: Client) -> tuple[int, list[tuple[str, int, str]]]:
    seen: set[str] = set()
    shapes: collections.Counter = collections.Counter()
    queue = collections.deque([("/", ""), ("/console/", "")])
    bad, n = [], 0
    while queue and n < PAGES_PER_ACCOUNT:
        url, referrer = queue.popleft()
        if url in seen or url.startswith(SKIP):
            continue
        seen.add(url)
        shape = re.sub(r"\d+", "N", url.split("?")[0]) + ("?" if "?" in url else "")
        shapes[shape] += 1
        if shapes[shape] > PER_SHAPE:
            continue
        n += 1
        r = client.get(url)
        if r.status_code >= 500 or r.status_code in (403, 404):
            bad.append((url, r.status_code, referrer))
            continue
        if r.status_code == 200 and "text/html" in r.get("Content-Type", ""):
            for href in HREF.findall(r.content.decode("utf-8", "replace")):
                href = href.replace("&amp;", "&")
                if href not in seen:
                    queue.append((href, url))
    return n, bad


def test_every_link_of_the_demo_leads_somewhere_for_every_account(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.GGZY_BID_DIR = str(tmp_path / "bids")
    load()
    found = {}
    for name in [None, *(a.username for a in ACCOUNTS)]:
        client = Client(raise_request_exception=False)
        if name:
            client.force_login(User.objects.get(username=name))
        pages, bad = _crawl(client)
        assert pages > 40, (name, pages)  # the crawl really went through the site
        if bad:
            found[name or "anonymous"] = bad
    assert not found, found
