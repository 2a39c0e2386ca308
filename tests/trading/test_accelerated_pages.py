"""Accelerated mode (issue 3 item 8) is shown on every page of such a project."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from ggzy.trading import services
from tests.trading import helpers

pytestmark = pytest.mark.django_db
CN = dt.timezone(dt.timedelta(hours=8))


def test_every_page_of_an_accelerated_project_says_so(client):
    op = helpers.operator()
    start = dt.datetime(2026, 9, 14, 9, 30, tzinfo=CN)
    with time_machine.travel(dt.datetime(2026, 9, 14, 1, tzinfo=dt.UTC), tick=False):
        project = services.project_register(data=helpers.data(acceleration=60), actor=op)
        lot = services.lot_schedule(
            lot=project.lots.get(), anchors={"notice_published": start, "documents_issued": start}, actor=op
        )
        notice = services.notice_publish(project=project, lot=lot, kind="tender", data={}, actor=op)
    plain = services.project_register(data=helpers.data(name="太原市普通测试工程"), actor=op)
    client.force_login(op)
    pages = [
        reverse("trading:detail", args=[project.code]),
        reverse("trading:console_detail", args=[project.code]),
        reverse("trading:lot_schedule", args=[lot.code]),
        reverse("trading:notice_publish", args=[lot.code]),
        reverse("notices:detail", args=[notice.number]),
    ]
    for url in pages:
        page = client.get(url).content.decode()
        assert "演示加速：本项目所有期间缩短为1/60" in page or "加速模式运行（60倍）" in page, url
    assert "演示加速" not in client.get(reverse("trading:detail", args=[plain.code])).content.decode()
