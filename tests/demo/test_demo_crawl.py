"""Every link the platform shows, followed from the home page and the console as the public and as
each demo account, leads somewhere: no page answers 404, 403 or a server error to a link it was
offered (a link to a refusal is a dead end for a clerk). Found: a supervisor's 全流程留痕 menu item,
the opening hall's link to an evaluation room not yet started, the verify page's link to a trail
the account cannot read.

Then every form those pages offer (POST) is submitted with odd values — empty, markup and quotes,
a number beyond any key — and must answer with a page or a refusal, never a server error (found:
row ids read with ``int()``, an error shown on an unbound form)."""

from __future__ import annotations

import collections
import html
import re
from html.parser import HTMLParser

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


ODD_VALUES = ("", "x'\"<>&", "9" * 25)
# the field that picks what a form does, and its buttons, are kept; everything else gets the odd
# value, hidden row ids too (a stale page or a crafted request sends those)
KEEP_TYPES = {"submit", "button"}
KEEP_NAMES = {"action"}


class _Forms(HTMLParser):
    """The POST forms of a page: action and fields (name, value, type)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = {"action": html.unescape(a.get("action") or ""), "fields": []}
        elif self._form is not None and tag == "select" and a.get("name"):
            self._select = [a["name"], "", "select"]
            self._form["fields"].append(self._select)
        elif self._form is not None and tag == "option" and self._select is not None and not self._select[1]:
            self._select[1] = a.get("value") or ""
        elif self._form is not None and tag in ("input", "textarea", "button") and a.get("name"):
            kind = a.get("type") or ("textarea" if tag == "textarea" else "text")
            self._form["fields"].append([a["name"], a.get("value") or "", kind])

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None


def _forms(client: Client, pages: list[str]) -> list[tuple[str, int, dict]]:
    bad, tried = [], set()
    for url in pages:
        r = client.get(url)
        if r.status_code != 200 or "text/html" not in r.get("Content-Type", ""):
            continue
        parser = _Forms()
        parser.feed(r.content.decode("utf-8", "replace"))
        for form in parser.forms:
            action = form["action"] or url
            if not action.startswith("/") or "logout" in action:
                continue
            names = tuple(sorted(f[0] for f in form["fields"]))
            key = (re.sub(r"\d+", "N", action.split("?")[0]), names)
            if key in tried:
                continue
            tried.add(key)
            for odd in ODD_VALUES:
                data = {
                    name: (value if kind in KEEP_TYPES or name in KEEP_NAMES else odd)
                    for name, value, kind in form["fields"]
                    if name != "csrfmiddlewaretoken" and kind != "file"
                }
                answer = client.post(action, data)
                if answer.status_code >= 500:
                    bad.append((action, answer.status_code, data))
                    break
    return bad


def _crawl(client: Client) -> tuple[list[str], list[tuple[str, int, str]]]:
    seen: set[str] = set()
    visited: list[str] = []
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
        visited.append(url)
        r = client.get(url)
        if r.status_code >= 500 or r.status_code in (403, 404):
            bad.append((url, r.status_code, referrer))
            continue
        if r.status_code == 200 and "text/html" in r.get("Content-Type", ""):
            for href in HREF.findall(r.content.decode("utf-8", "replace")):
                href = href.replace("&amp;", "&")
                if href not in seen:
                    queue.append((href, url))
    return visited, bad


def test_every_link_leads_somewhere_and_no_form_fails_for_every_account(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.GGZY_BID_DIR = str(tmp_path / "bids")
    load()
    found, pages_of = {}, {}
    for name in [None, *(a.username for a in ACCOUNTS)]:
        client = Client(raise_request_exception=False)
        if name:
            client.force_login(User.objects.get(username=name))
        pages, bad = _crawl(client)
        assert len(pages) > 40, (name, len(pages))  # the crawl really went through the site
        pages_of[name] = pages
        if bad:
            found[name or "anonymous"] = bad
    assert not found, found

    # then the forms, with odd values (after the links: a form may change what the pages show)
    for name in [None, *(a.username for a in ACCOUNTS)]:
        client = Client(raise_request_exception=False)
        if name:
            client.force_login(User.objects.get(username=name))
        bad = _forms(client, pages_of[name])
        if bad:
            found[name or "anonymous"] = bad
    assert not found, found
