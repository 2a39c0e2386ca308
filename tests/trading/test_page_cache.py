"""Public notice pages are cached between publications: a new notice or amendment shows at once."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from ggzy.trading.models import Notice
from tests.trading.test_notices import lot, op, publish  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
CLOCK = re.compile(r"<time data-server-time[^>]*>[^<]*</time>")
LOCAL = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "page-cache-test"}
}


@override_settings(GGZY_PAGE_CACHE_SECONDS=60, CACHES=LOCAL)
def test_cached_pages_change_when_a_notice_is_published(client, op, lot, django_assert_max_num_queries):  # noqa: F811
    from django.core.cache import cache

    cache.clear()
    first = publish(lot, op)
    url = reverse("notices:detail", args=[first.number])
    assert first.title in client.get(url).content.decode()
    with django_assert_max_num_queries(1):  # the version lookup only
        page = client.get(url).content.decode()
    assert first.body_html in page
    listing = client.get(reverse("notices:list")).content.decode()
    assert first.number in listing
    Notice.objects.filter(pk=first.pk).update(title="被直接改写的标题")  # not through a service
    assert "被直接改写的标题" not in client.get(url).content.decode()  # still the cached page
    second = publish(lot, op, data={"资格要求": "第二份公告"})
    assert second.number in client.get(reverse("notices:list")).content.decode()
    assert "被直接改写的标题" in client.get(url).content.decode()  # a publication renews the keys
    assert client.get(reverse("notices:detail", args=["NO-SUCH"])).status_code == 404


@override_settings(GGZY_PAGE_CACHE_SECONDS=60, CACHES=LOCAL)
def test_a_whole_page_is_cached_for_visitors_only(client, op, lot, django_user_model):  # noqa: F811
    from django.core.cache import cache

    cache.clear()
    notice = publish(lot, op)
    for url in (reverse("notices:detail", args=[notice.number]), reverse("notices:list")):
        visitor = client.get(url).content.decode()
        assert "退出（" not in visitor and "csrfmiddlewaretoken" not in visitor
        client.force_login(op)
        mine = client.get(url).content.decode()
        assert "退出（" in mine and "csrfmiddlewaretoken" in mine  # rendered for the user, not cached
        client.logout()
        again = client.get(url).content.decode()
        assert "退出（" not in again  # the user's page was not stored for visitors
        assert CLOCK.sub("", again) == CLOCK.sub("", visitor)  # the visitor's page (fresh clock)
    assert client.get(reverse("notices:list") + "?page=" + "9" * 50).status_code == 200


@override_settings(GGZY_PAGE_CACHE_SECONDS=60, CACHES=LOCAL)
def test_a_cached_page_shows_the_server_time_of_the_response(client, op, lot):  # noqa: F811
    import datetime as dt
    import re

    import time_machine
    from django.core.cache import cache

    from ggzy.core import clock

    cache.clear()
    notice = publish(lot, op)
    url = reverse("notices:detail", args=[notice.number])
    shown = re.compile(r'<time data-server-time datetime="([^"]+)">([^<]+)</time>')
    start = clock.local_now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        first = client.get(url).content.decode()
    with time_machine.travel(start + dt.timedelta(seconds=37), tick=False):
        second = client.get(url).content.decode()
    (iso1, text1), (iso2, text2) = shown.search(first).groups(), shown.search(second).groups()
    assert text1 == start.strftime("%Y-%m-%d %H:%M:%S")
    assert dt.datetime.fromisoformat(iso2) - dt.datetime.fromisoformat(iso1) == dt.timedelta(seconds=37)
    assert text2 == (start + dt.timedelta(seconds=37)).strftime("%Y-%m-%d %H:%M:%S")
    assert shown.sub("", first) == shown.sub("", second)  # otherwise the same cached page


@override_settings(GGZY_PAGE_CACHE_SECONDS=60, GGZY_NOTICES_VERSION_SECONDS=60, CACHES=LOCAL)
def test_a_cached_page_needs_no_database_and_a_publication_still_shows_at_once(
    client,
    op,  # noqa: F811
    lot,  # noqa: F811
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    from django.core.cache import cache

    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = publish(lot, op)
    url = reverse("notices:detail", args=[first.number])
    client.get(url)
    client.get(reverse("notices:list"))
    with django_assert_num_queries(0):  # the version comes from the cache too
        assert first.title in client.get(url).content.decode()
        assert first.number in client.get(reverse("notices:list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the commit forgets the version
        second = publish(lot, op, data={"资格要求": "第二份公告"})
    assert second.number in client.get(reverse("notices:list")).content.decode()
    # without the commit hook the version would stay cached for the whole 60 s of this test
    with django_capture_on_commit_callbacks(execute=False):
        third = publish(lot, op, data={"资格要求": "第三份公告"})
    assert third.number not in client.get(reverse("notices:list")).content.decode()
