"""Pages of trade projects with the Django client: public list and page, console register and moves."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from ggzy.accounts.models import Role
from ggzy.trading import services
from ggzy.trading.models import Lot, LotTransition, Project
from tests import factories
from tests.trading import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def op():
    return helpers.operator()


@pytest.fixture
def project(op):
    return services.project_register(data=helpers.data(), actor=op)


def test_public_list_filters(client, op, project):
    land = services.project_register(
        data=helpers.data(
            name="太原市测试地块出让", ruleset_code="land.auction", tenderer_uscc=helpers.transferor().uscc
        ),
        actor=op,
    )
    page = client.get(reverse("trading:list")).content.decode()
    assert project.code in page and land.code in page
    page = client.get(reverse("trading:list"), {"category": "land"}).content.decode()
    assert land.code in page and project.code not in page
    page = client.get(reverse("trading:list"), {"region": "140200"}).content.decode()
    assert "没有符合条件的交易项目" in page
    page = client.get(reverse("trading:list"), {"status": "trading"}).content.decode()
    assert project.code not in page
    assert "交易项目" in client.get(reverse("portal:home")).content.decode()


def test_public_project_page_shows_lots_transitions_and_no_actions(client, op, project):
    lot = project.lots.get()
    services.lot_transition(lot=lot, to="notice", reason="发布招标公告", actor=op)
    page = client.get(reverse("trading:detail", args=[project.code])).content.decode()
    assert project.name in page and lot.code in page
    assert "招标公告" in page and "发布招标公告" in page and "登记 →" in page
    assert "确认变更" not in page and "演示加速" not in page
    assert client.get(reverse("trading:detail", args=["M0000000000000000"])).status_code == 404


@override_settings(GGZY_PROJECT_ACCELERATION_ALLOWED=True)
def test_accelerated_banner_on_every_page_of_the_project(client, op):
    project = services.project_register(data=helpers.data(acceleration=48), actor=op)
    assert (
        "演示加速：本项目所有期间缩短为1/48"
        in client.get(reverse("trading:detail", args=[project.code])).content.decode()
    )
    client.force_login(op)
    page = client.get(reverse("trading:console_detail", args=[project.code])).content.decode()
    assert "演示加速：本项目所有期间缩短为1/48" in page


def test_console_register_form(client, op):
    client.force_login(op)
    assert "登记交易项目" in client.get(reverse("portal:console")).content.decode()
    page = client.get(reverse("trading:register"))
    assert page.status_code == 200 and "工程建设项目公开招标" in page.content.decode()
    data = helpers.data()
    data.pop("lots", None)
    bad = client.post(reverse("trading:register"), {**data, "estimate": "abc"})
    assert bad.status_code == 200 and "不是有效的金额" in bad.content.decode()
    assert not Project.objects.exists()
    r = client.post(reverse("trading:register"), data)
    project = Project.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("trading:console_detail", args=[project.code])


def test_entity_member_registers_own_project_from_the_console(client):
    member = helpers.member_of(helpers.tenderer())
    client.force_login(member)
    page = client.get(reverse("trading:register")).content.decode()
    assert helpers.tenderer().uscc in page  # prefilled
    r = client.post(reverse("trading:register"), helpers.data())
    assert r.status_code == 302
    listing = client.get(reverse("trading:console_list")).content.decode()
    assert Project.objects.get().code in listing


def test_console_register_refused_for_supervisors(client):
    client.force_login(factories.user(Role.SUPERVISOR))
    assert client.get(reverse("trading:register")).status_code == 403


def test_console_shows_only_allowed_moves_and_moves_the_lot(client, op, project):
    client.force_login(op)
    lot = project.lots.get()
    page = client.get(reverse("trading:console_detail", args=[project.code])).content.decode()
    assert '<option value="notice">招标公告</option>' in page
    assert '<option value="opening">' not in page
    r = client.post(reverse("trading:lot_transition", args=[lot.code]), {"to": "notice", "version": "1"})
    assert r.status_code == 302
    assert Lot.objects.get(pk=lot.pk).status == "notice"


def test_console_move_errors_are_shown_in_chinese(client, op, project):
    client.force_login(op)
    lot = project.lots.get()
    r = client.post(reverse("trading:lot_transition", args=[lot.code]), {"to": "opening", "version": "1"})
    assert r.status_code == 422 and "不能从“登记”变为“开标”" in r.content.decode()
    services.lot_transition(lot=lot, to="notice", actor=op)
    r = client.post(reverse("trading:lot_transition", args=[lot.code]), {"to": "bidding", "version": "1"})
    assert r.status_code == 409 and "已被他人修改" in r.content.decode()
    assert LotTransition.objects.count() == 1


def test_console_refuses_other_platforms(client, project):
    client.force_login(helpers.operator("140200"))
    assert client.get(reverse("trading:console_detail", args=[project.code])).status_code == 403
    lot = project.lots.get()
    assert (
        client.post(reverse("trading:lot_transition", args=[lot.code]), {"to": "notice"}).status_code == 403
    )
    assert Lot.objects.get(pk=lot.pk).status == "draft"


def test_console_adds_a_lot(client, op, project):
    client.force_login(op)
    r = client.post(reverse("trading:lot_add", args=[project.code]), {"name": "", "estimate": "10"})
    assert r.status_code == 422 and "请填写标段（包）名称" in r.content.decode()
    r = client.post(reverse("trading:lot_add", args=[project.code]), {"name": "二标段", "estimate": "10"})
    assert r.status_code == 302
    assert project.lots.count() == 2


def test_project_page_shows_event_times_with_provisional_marks(client, project):
    import datetime as dt

    from ggzy.trading.models import LotEvent

    lot = project.lots.get()
    LotEvent.objects.create(
        lot=lot,
        event="bid_deadline",
        at=dt.datetime(2027, 1, 4, 1, 30, tzinfo=dt.UTC),
        provisional=True,
        basis="《招标投标法》第二十四条",
    )
    page = client.get(reverse("trading:detail", args=[project.code])).content.decode()
    assert "投标截止" in page and "2027-01-04 09:30" in page and "（暂定）" in page and "第二十四条" in page
