"""Project registration: who may register, every bad input refused in Chinese with nothing written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import override_settings

from ggzy.accounts.models import Role
from ggzy.audit.models import AuditEvent
from ggzy.core.errors import InvalidInput, NotAuthenticated, PermissionDenied
from ggzy.trading import services
from ggzy.trading.models import Lot, Project
from tests import factories
from tests.trading import helpers

pytestmark = pytest.mark.django_db


def test_operator_registers_a_project_with_deal_codes_and_an_audit_event():
    op = helpers.operator()
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False):
        project = services.project_register(data=helpers.data(), actor=op)
        second = services.project_register(data=helpers.data(name="第二个项目"), actor=op)
    assert project.code == "M1401052610000001"
    assert second.code == "M1401052610000002"
    assert project.tender_code == project.code + "001"
    lot = project.lots.get()
    assert (lot.number, lot.code, lot.status, lot.estimate) == (
        1,
        project.code + "001001",
        "draft",
        Decimal("5000000.00"),
    )
    assert (project.ruleset_code, project.ruleset_version, project.category) == (
        "engineering.open_tendering",
        1,
        "engineering",
    )
    assert project.tenderer_name == "太原市测试建设投资有限公司"
    event = AuditEvent.objects.filter(action="project.register").get(object_id=project.code)
    assert (event.project_ref, event.entity_ref) == (project.code, project.tenderer_uscc)


def test_the_rule_set_version_is_the_one_in_force_at_registration():
    op = helpers.operator()
    with time_machine.travel(dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC), tick=False):
        before = services.project_register(data=helpers.data(), actor=op)
    with time_machine.travel(dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC), tick=False):
        after = services.project_register(data=helpers.data(), actor=op)
    assert (before.ruleset_version, after.ruleset_version) == (1, 2)


def test_several_lots_and_lot_add_number_them():
    op = helpers.operator()
    lots = [{"name": "一标段", "estimate": "100"}, {"name": "二标段", "estimate": "200.5"}]
    project = services.project_register(data=helpers.data(lots=lots), actor=op)
    third = services.lot_add(project=project, data={"name": "三标段", "estimate": "300"}, actor=op)
    assert [(lot.number, lot.code[-3:]) for lot in project.lots.all()] == [(1, "001"), (2, "002"), (3, "003")]
    assert third.code == project.tender_code + "003"
    assert AuditEvent.objects.filter(action="lot.add", object_id=third.code).exists()


def test_tenderer_and_agency_members_register_their_own_projects():
    t_member = helpers.member_of(helpers.tenderer())
    a_member = helpers.member_of(helpers.agency(), Role.ENTITY_ADMIN)
    p1 = services.project_register(data=helpers.data(), actor=t_member)
    p2 = services.project_register(data=helpers.data(agency_uscc=helpers.agency().uscc), actor=a_member)
    assert p1.registered_by_id == t_member.pk
    assert p2.agency_name == "山西测试招标代理有限公司"


@pytest.mark.parametrize(
    "who", ["stranger_member", "other_city_operator", "supervisor", "inspector", "anonymous"]
)
def test_wrong_role_is_refused_and_nothing_written(who):
    data = helpers.data()
    if who == "stranger_member":
        actor = helpers.member_of(helpers.entity(150, ["bidder"]))
    elif who == "other_city_operator":
        actor = helpers.operator("140200")
    elif who == "anonymous":
        from django.contrib.auth.models import AnonymousUser

        actor = AnonymousUser()
    else:
        actor = factories.user(who)
    before = helpers.counts()
    with pytest.raises((PermissionDenied, NotAuthenticated)) as err:
        services.project_register(data=data, actor=actor)
    assert err.value.code in ("permission.denied", "auth.required")
    assert helpers.counts() == before


@pytest.mark.parametrize(
    ("over", "code", "words"),
    [
        ({"name": ""}, "name.required", "项目名称"),
        ({"ruleset_code": "engineering.nonsense"}, "rules.not_found", "交易规则"),
        ({"category": "procurement"}, "ruleset.category_mismatch", "不符"),
        ({"region_code": "110105"}, "region_code.unknown", "行政区划"),
        ({"tenderer_uscc": factories.valid_uscc(999)}, "tenderer_uscc.not_registered", "尚未在平台注册"),
        ({"estimate": "12.345"}, "money.precision", "两位小数"),
        ({"estimate": "-5"}, "money.not_positive", "大于0"),
        ({"estimate": 1.5}, "money.float", "浮点数"),
        ({"item_kind": ""}, "item_kind.required", "标的类型"),
        ({"item_kind": "labour"}, "item_kind.invalid", "标的类型"),
        ({"acceleration": 0}, "acceleration.invalid", "加速"),
        ({"lots": [{"name": "", "estimate": "1"}]}, "name.required", "第1个标段"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_written(over, code, words):
    op = helpers.operator()
    data = helpers.data(**over)
    before = helpers.counts()
    with pytest.raises(InvalidInput) as err:
        services.project_register(data=data, actor=op)
    assert err.value.code == code
    assert words in err.value.message
    assert helpers.counts() == before


def test_tenderer_without_the_role_and_the_wrong_platform_are_refused():
    op = helpers.operator()
    bidder = helpers.entity(151, ["bidder"], "某投标公司")
    with pytest.raises(InvalidInput) as err:
        services.project_register(data=helpers.data(tenderer_uscc=bidder.uscc), actor=op)
    assert err.value.code == "tenderer_uscc.role" and "不含招标人/采购人" in err.value.message
    # land needs a transferor
    with pytest.raises(InvalidInput) as err:
        services.project_register(data=helpers.data(ruleset_code="land.auction"), actor=op)
    assert err.value.code == "tenderer_uscc.role"
    land = services.project_register(
        data=helpers.data(ruleset_code="land.auction", tenderer_uscc=helpers.transferor().uscc), actor=op
    )
    assert land.item_kind == ""
    # a province operator may not put a 太原 project on the 大同 platform
    province_op = helpers.operator("140000")
    with pytest.raises(InvalidInput) as err:
        services.project_register(
            data=helpers.data(service_center=factories.service_center("140200").pk), actor=province_op
        )
    assert err.value.code == "service_center.region" and "服务范围不包括" in err.value.message


def test_many_errors_are_reported_together():
    with pytest.raises(InvalidInput) as err:
        services.project_register(
            data={"ruleset_code": "engineering.open_tendering"}, actor=helpers.operator()
        )
    fields = {e.field for e in err.value.errors}
    assert {"name", "region_code", "tenderer_uscc", "estimate", "item_kind"} <= fields
    assert "处错误" in err.value.message


@override_settings(GGZY_PROJECT_ACCELERATION_ALLOWED=False)
def test_acceleration_refused_when_the_settings_forbid_it():
    data, op = helpers.data(acceleration=100), helpers.operator()
    before = helpers.counts()
    with pytest.raises(InvalidInput) as err:
        services.project_register(data=data, actor=op)
    assert err.value.code == "project.acceleration_forbidden"
    assert helpers.counts() == before
    assert (
        services.project_register(data=helpers.data(acceleration=1), actor=helpers.operator()).acceleration
        == 1
    )


@override_settings(GGZY_PROJECT_ACCELERATION_ALLOWED=True)
def test_acceleration_allowed_outside_production():
    project = services.project_register(data=helpers.data(acceleration=100), actor=helpers.operator())
    assert project.acceleration == 100 and project.accelerated


def test_production_settings_forbid_acceleration():
    import subprocess
    import sys

    code = "import ggzy.settings as s; print(s.GGZY_PROJECT_ACCELERATION_ALLOWED)"
    env = {"GGZY_ENV": "production", "GGZY_SECRET_KEY": "x" * 50, "PATH": "/usr/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_lot_add_refused_once_trading_started_and_for_strangers():
    op = helpers.operator()
    project = services.project_register(data=helpers.data(), actor=op)
    with pytest.raises(PermissionDenied):
        services.lot_add(
            project=project, data={"name": "x", "estimate": "1"}, actor=helpers.operator("140200")
        )
    with pytest.raises(InvalidInput) as err:
        services.lot_add(project=project, data={"name": "", "estimate": "1"}, actor=op)
    assert err.value.code == "name.required"
    services.lot_transition(lot=project.lots.get(), to="notice", actor=op)
    before = Lot.objects.count()
    with pytest.raises(Exception) as err:
        services.lot_add(project=project, data={"name": "晚到的标段", "estimate": "1"}, actor=op)
    assert err.value.code == "project.not_registered"
    assert Lot.objects.count() == before
    assert Project.objects.get(pk=project.pk).status == "trading"


def test_sequences_are_per_region_and_year():
    op = helpers.operator()
    with time_machine.travel(dt.datetime(2026, 12, 31, 15, 59, tzinfo=dt.UTC), tick=False):  # 23:59 Beijing
        a = services.project_register(data=helpers.data(), actor=op)
        b = services.project_register(data=helpers.data(region_code="140106"), actor=op)
    with time_machine.travel(
        dt.datetime(2026, 12, 31, 16, 0, tzinfo=dt.UTC), tick=False
    ):  # 2027-01-01 Beijing
        c = services.project_register(data=helpers.data(), actor=op)
    assert (a.code, b.code, c.code) == ("M1401052610000001", "M1401062610000001", "M1401052710000001")
    assert len({a.code, b.code, c.code}) == 3
