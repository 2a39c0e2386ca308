"""Updates, history, qualifications, members and who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from ggzy.accounts.models import Role
from ggzy.audit.models import AuditEvent
from ggzy.core.errors import Conflict, InvalidInput, PermissionDenied
from ggzy.entities import selectors, services
from ggzy.entities.models import EntityRevision
from tests import factories
from tests.entities import helpers as h

pytestmark = pytest.mark.django_db


def test_update_keeps_history_with_diff_and_snapshot():
    e = h.entity(1)
    admin = h.member_of(e)
    e = services.entity_update(
        entity=e, changes={"name": "新名称有限公司", "contact_phone": "13900000000"}, actor=admin
    )
    assert e.version == 2
    rev = e.revisions.get(version=2)
    assert rev.changes == {
        "name": ["山西测试建设有限公司1", "新名称有限公司"],
        "contact_phone": ["0351-1234567", "13900000000"],
    }
    assert rev.snapshot["name"] == "新名称有限公司" and rev.actor_id == admin.pk
    event = AuditEvent.objects.latest("seq")
    assert event.action == "entity.update" and event.entity_ref == e.uscc
    assert [r.version for r in selectors.entity_revisions(e, admin)] == [2, 1]


def test_noop_update_writes_nothing():
    e = h.entity(2)
    before = h.counts()
    same = services.entity_update(entity=e, changes={"name": f" {e.name} "}, actor=h.operator())
    assert same.version == 1 and h.counts() == before


def test_version_conflict():
    e = h.entity(3)
    op = h.operator()
    services.entity_update(entity=e, changes={"address": "新地址"}, expected_version=1, actor=op)
    before = h.counts()
    with pytest.raises(Conflict) as info:
        services.entity_update(entity=e, changes={"address": "另一个地址"}, expected_version=1, actor=op)
    assert info.value.code == "entity.version_conflict" and "第2版" in info.value.message
    assert h.counts() == before


def test_uscc_is_immutable_and_bad_changes_write_nothing():
    e = h.entity(4)
    op = h.operator()
    before = h.counts()
    with pytest.raises(InvalidInput) as info:
        services.entity_update(entity=e, changes={"uscc": factories.valid_uscc(99)}, actor=op)
    assert info.value.code == "entity.uscc_immutable"
    for changes, code in [
        ({"name": ""}, "field.required"),
        ({"region_code": "149999"}, "entity.region_unknown"),
        ({"bank_account_no": ""}, "entity.bank_incomplete"),
        ({"trading_roles": ["boss"]}, "entity.role_unknown"),
        ({"kind": "机关"}, "field.unknown"),
    ]:
        with pytest.raises(InvalidInput) as info:
            services.entity_update(entity=e, changes=changes, actor=op)
        assert info.value.code == code
    assert h.counts() == before


@pytest.mark.parametrize("role", [Role.EXPERT, Role.PLATFORM_ADMIN, Role.SUPERVISOR, Role.INSPECTOR])
def test_roles_that_cannot_update(role):
    e = h.entity(5)
    before = h.counts()
    with pytest.raises(PermissionDenied):
        services.entity_update(entity=e, changes={"name": "改名"}, actor=factories.user(role))
    assert h.counts() == before


def test_other_entitys_admin_cannot_update_or_manage_members():
    mine, other = h.entity(6), h.entity(7)
    admin = h.member_of(other)
    with pytest.raises(PermissionDenied):
        services.entity_update(entity=mine, changes={"name": "改名"}, actor=admin)
    with pytest.raises(PermissionDenied):
        services.member_add(
            entity=mine,
            username="x1",
            display_name="某人",
            email="x@example.cn",
            password=factories.PASSWORD,
            actor=admin,
        )
    member = h.member_of(mine, Role.ENTITY_MEMBER)
    with pytest.raises(PermissionDenied):  # a member (not an admin) cannot update either
        services.entity_update(entity=mine, changes={"name": "改名"}, actor=member)


def test_confidential_fields_and_history_visibility():
    e = h.entity(8)
    assert selectors.confidential_view(e, h.ANONYMOUS) is None
    assert selectors.confidential_view(e, h.member_of(h.entity(9))) is None
    assert selectors.confidential_view(e, factories.user(Role.EXPERT)) is None
    assert selectors.confidential_view(e, factories.user(Role.PLATFORM_ADMIN)) is None
    assert selectors.confidential_view(e, h.member_of(e, Role.ENTITY_MEMBER))["bank_account_no"]
    assert selectors.confidential_view(e, factories.user(Role.INSPECTOR))["contact_phone"]
    with pytest.raises(PermissionDenied):
        selectors.entity_revisions(e, factories.user(Role.EXPERT))
    public = selectors.public_view(e)
    assert "bank_account_no" not in public and "contact_phone" not in public
    assert public["region_name"] == "山西省太原市小店区"


def test_search_filters():
    h.entity(10, name="太原建工集团", trading_roles=["bidder"])
    h.entity(11, name="大同采购中心", region="140213", trading_roles=["tenderer"])
    h.entity(12, uscc=factories.valid_uscc(12, region="110108"), region="110108", name="北京建工")
    assert [e.name for e in selectors.entity_search(q="建工")] == ["北京建工", "太原建工集团"]
    assert [e.name for e in selectors.entity_search(region="140200")] == ["大同采购中心"]
    assert {e.name for e in selectors.entity_search(region="140000")} == {"太原建工集团", "大同采购中心"}
    assert [e.name for e in selectors.entity_search(role="tenderer")] == ["大同采购中心"]
    code = factories.valid_uscc(11)
    assert [e.uscc for e in selectors.entity_search(q=code[4:17].lower())] == [code]


# --- qualifications --------------------------------------------------------------------------
QUAL = {
    "name": "建筑工程施工总承包",
    "certificate_no": "D114000001",
    "grade": "一级",
    "issuer": "山西省住房和城乡建设厅",
    "valid_from": "2024-01-01",
    "valid_until": "2026-12-31",
}


def test_qualification_lifecycle_and_expiry():
    e = h.entity(20)
    op = h.operator()
    q = services.qualification_add(entity=e, data=QUAL, actor=op)
    e.refresh_from_db()
    assert e.version == 2 and e.revisions.get(version=2).action == "qualification_add"
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC), tick=False):
        assert selectors.qualifications(e)[0]["status"] == "valid"
    with time_machine.travel(dt.datetime(2027, 1, 1, 12, tzinfo=dt.UTC), tick=False):
        assert selectors.qualifications(e)[0]["status_label"] == "已过期"
    services.qualification_update(qualification=q, changes={"valid_until": "2029-12-31"}, actor=op)
    services.qualification_withdraw(qualification=q, actor=op)
    e.refresh_from_db()
    assert e.version == 4
    assert selectors.qualifications(e)[0]["status"] == "withdrawn"
    assert list(EntityRevision.objects.filter(entity=e).values_list("action", flat=True)) == [
        "register",
        "qualification_add",
        "qualification_update",
        "qualification_withdraw",
    ]
    with pytest.raises(Conflict):
        services.qualification_withdraw(qualification=q, actor=op)


def test_qualification_bad_dates_and_duplicates_write_nothing():
    e = h.entity(21)
    op = h.operator()
    services.qualification_add(entity=e, data=QUAL, actor=op)
    before = h.counts()
    with pytest.raises(InvalidInput) as info:
        services.qualification_add(
            entity=e, data={**QUAL, "certificate_no": "X2", "valid_until": "2023-12-31"}, actor=op
        )
    assert (
        info.value.code == "qualification.validity_range" and info.value.message == "有效期至不能早于有效期起"
    )
    with pytest.raises(InvalidInput) as info:
        services.qualification_add(
            entity=e, data={**QUAL, "certificate_no": "X3", "valid_from": "2024-13-01"}, actor=op
        )
    assert info.value.code == "qualification.date_invalid"
    with pytest.raises(Conflict) as info:
        services.qualification_add(entity=e, data=QUAL, actor=op)
    assert info.value.code == "qualification.duplicate"
    assert h.counts() == before


# --- members ---------------------------------------------------------------------------------
def test_entity_admin_adds_and_deactivates_members():
    e = h.entity(30)
    admin = h.member_of(e)
    m = services.member_add(
        entity=e,
        username="jbr01",
        display_name="经办人甲",
        email="jbr@example.cn",
        password=factories.PASSWORD,
        actor=admin,
    )
    assert m.user.role == Role.ENTITY_MEMBER and m.user.has_permission("entity.view_confidential", e)
    assert AuditEvent.objects.filter(action="entity.member_add", entity_ref=e.uscc).exists()
    services.member_deactivate(membership=m, actor=admin)
    m.user.refresh_from_db()
    assert not m.user.has_permission("entity.view_confidential", e)
    with pytest.raises(InvalidInput):
        services.member_deactivate(membership=admin.membership, actor=admin)
    with pytest.raises(PermissionDenied):  # an operator does not manage an entity's staff
        services.member_deactivate(membership=admin.membership, actor=h.operator())


def test_member_add_with_bad_account_writes_nothing():
    e = h.entity(31)
    admin = h.member_of(e)
    before = h.counts()
    with pytest.raises(InvalidInput):
        services.member_add(entity=e, username="", display_name="", email="bad", password="1", actor=admin)
    assert h.counts() == before
