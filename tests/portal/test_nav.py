"""Every public section of issue 7 item 1 is one click from the home page and opens for a visitor
who is not logged in (the receipt log and the draw verification pages included)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

SECTIONS = {
    "交易公告", "公告检索", "交易项目", "竞价大厅", "交易统计", "服务指南", "市场主体", "交易场所",
    "交易规则", "投标回执", "专家抽取验证", "开放数据",
}  # fmt: skip


def test_the_navigation_reaches_every_public_section(client):
    html = client.get("/").content.decode()
    nav = html[html.index("<nav") : html.index("</nav>")]
    links = dict((label, href) for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav))
    missing = SECTIONS - links.keys()
    assert not missing, f"not in the navigation: {sorted(missing)}"
    for label in sorted(SECTIONS):
        response = client.get(links[label])
        assert response.status_code == 200, (label, links[label], response.status_code)
        assert "text/html" in response["Content-Type"]
