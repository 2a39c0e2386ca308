"""The role matrix of docs/roles.md, for every role x every permission, written out by hand.

This table is the specification; it is deliberately NOT derived from ``policy.MATRIX``.
Each cell lists the objects (below) on which the role holds the permission.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import IntegrityError, transaction

from ggzy.accounts.models import ApiToken, DepartmentKind, Role, ServiceCenter, User
from ggzy.accounts.services import service_center_create, user_create
from ggzy.audit.models import AuditEvent
from ggzy.core import clock
from ggzy.core.errors import InvalidInput, PermissionDenied
from ggzy.core.permissions import PERMISSIONS, allowed
from ggzy.entities.models import Entity, Membership
from tests import factories

OWN_USCC = factories.valid_uscc(1)
OTHER_USCC = factories.valid_uscc(2)

# The objects every permission is checked against.
OBJECTS = {
    "none": None,  # no object: an unscoped right
    "ty_procurement": SimpleNamespace(region_code="140105", category="procurement"),  # 太原市小店区
    "ty_engineering": SimpleNamespace(region_code="140105", category="engineering"),
    "dt_procurement": SimpleNamespace(region_code="140212", category="procurement"),  # 大同市
    "ty_city_procurement": SimpleNamespace(region_code="140100", category="procurement"),
    "own_entity": SimpleNamespace(uscc=OWN_USCC),
    "other_entity": SimpleNamespace(uscc=OTHER_USCC),
}
EVERYWHERE = set(OBJECTS)
TAIYUAN = {"ty_procurement", "ty_engineering", "ty_city_procurement"}
TAIYUAN_PROCUREMENT = {"ty_procurement", "ty_city_procurement"}
OWN = {"own_entity"}

# role -> permission -> objects allowed (a permission not listed: allowed on nothing)
EXPECTED: dict[str, dict[str, set[str]]] = {
    Role.ENTITY_MEMBER: {
        "entity.view_confidential": OWN,
        "trade.register": OWN,
        "trade.quote": OWN,
        "trade.object": OWN,
    },
    Role.ENTITY_ADMIN: {
        "entity.update": OWN,
        "entity.view_confidential": OWN,
        "entity.manage_members": OWN,
        "trade.register": OWN,
        "trade.quote": OWN,
        "trade.object": OWN,
    },
    Role.EXPERT: {"expert.apply": EVERYWHERE, "evaluation.score": EVERYWHERE},
    Role.OPERATOR: {  # of 太原市公共资源交易中心 (140100)
        "entity.register": EVERYWHERE,
        "entity.update": EVERYWHERE,
        "entity.import": EVERYWHERE,
        "entity.view_confidential": EVERYWHERE,
        "trade.register": TAIYUAN,
        "trade.operate": TAIYUAN,
        "trade.read_confidential": TAIYUAN,
        "expert.manage": EVERYWHERE,
        "expert.view_pool": EVERYWHERE,
        "expert.draw": TAIYUAN,
        "expert.rate": TAIYUAN,
        "venue.manage": EVERYWHERE,
    },
    Role.SUPERVISOR: {  # of 太原市财政局 (140100, procurement)
        "entity.view_confidential": EVERYWHERE,
        "expert.view_pool": EVERYWHERE,
        "expert.rate": TAIYUAN_PROCUREMENT,
        "expert.penalise": EVERYWHERE,
        "audit.view": TAIYUAN_PROCUREMENT,
        "trade.supervise": TAIYUAN_PROCUREMENT,
        "trade.read_confidential": TAIYUAN_PROCUREMENT,
    },
    Role.INSPECTOR: {
        "entity.view_confidential": EVERYWHERE,
        "expert.view_pool": EVERYWHERE,
        "audit.view": EVERYWHERE,
        "audit.verify": EVERYWHERE,
        "trade.read_confidential": EVERYWHERE,
    },
    Role.AUDITOR: {
        "entity.view_confidential": EVERYWHERE,
        "expert.view_pool": EVERYWHERE,
        "audit.view": EVERYWHERE,
        "audit.verify": EVERYWHERE,
        "trade.read_confidential": EVERYWHERE,
    },
    Role.PLATFORM_ADMIN: {
        "masterdata.manage": EVERYWHERE,
        "calendar.load_year": EVERYWHERE,
        "audit.verify": EVERYWHERE,
        "rules.define": EVERYWHERE,
    },
}

WRITE_PERMISSIONS = {
    "entity.register",
    "entity.update",
    "entity.import",
    "entity.manage_members",
    "masterdata.manage",
    "calendar.load_year",
    "rules.define",
    "trade.register",
    "trade.operate",
    "trade.supervise",
    "expert.apply",
    "expert.manage",
    "expert.draw",
    "expert.rate",
    "expert.penalise",
    "venue.manage",
    "evaluation.score",
    "trade.quote",
    "trade.object",
}

CASES = [(role, perm, key) for role in Role.values for perm in PERMISSIONS for key in OBJECTS]


def test_table_covers_every_role_and_permission():
    assert set(EXPECTED) == set(Role.values)
    for role, perms in EXPECTED.items():
        assert set(perms) <= set(PERMISSIONS), role
    assert set(PERMISSIONS) >= WRITE_PERMISSIONS


def _entity(uscc: str) -> Entity:
    now = clock.now()
    found = Entity.objects.filter(uscc=uscc).first()
    if found is not None:
        return found
    return Entity.objects.create(
        uscc=uscc,
        name=f"测试公司{uscc[-4:]}",
        kind="企业",
        legal_representative="张三",
        address="太原市小店区",
        region_code="140105",
        contact_name="李四",
        contact_phone="13800000000",
        registered_at=now,
        updated_at=now,
    )


def _actor(role: str) -> User:
    if role == Role.OPERATOR:
        return factories.user(role, service_center=factories.service_center("140100"))
    if role == Role.SUPERVISOR:
        return factories.user(role, department=factories.department("140100", DepartmentKind.FINANCE))
    user = factories.user(role)
    if role in (Role.ENTITY_ADMIN, Role.ENTITY_MEMBER):
        entity = _entity(OWN_USCC)
        Membership.objects.create(user=user, entity=entity, created_at=clock.now())
    return user


@pytest.fixture(scope="module")
def actors(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        factories.service_center("140000")
        built = {role: _actor(role) for role in Role.values}
        yield built
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "permission", "obj"), CASES)
def test_role_matrix(actors, role, permission, obj):
    user = User.objects.get(pk=actors[role].pk)
    expected = obj in EXPECTED[role].get(permission, set())
    assert allowed(user, permission, OBJECTS[obj]) is expected


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.AUDITOR])
def test_inspectors_and_auditors_write_nothing(actors, role):
    user = User.objects.get(pk=actors[role].pk)
    for permission in WRITE_PERMISSIONS:
        for obj in OBJECTS.values():
            assert not allowed(user, permission, obj)


@pytest.mark.django_db
def test_platform_admin_never_touches_trades(actors):
    admin = User.objects.get(pk=actors[Role.PLATFORM_ADMIN].pk)
    for permission in ("trade.read_confidential", "trade.operate", "trade.supervise", "entity.update"):
        assert not any(allowed(admin, permission, obj) for obj in OBJECTS.values())


@pytest.mark.django_db
def test_entity_admin_of_a_deactivated_membership_loses_its_entity(actors):
    user = User.objects.get(pk=actors[Role.ENTITY_ADMIN].pk)
    Membership.objects.filter(user=user).update(active=False)
    user = User.objects.get(pk=user.pk)
    assert not allowed(user, "entity.update", OBJECTS["own_entity"])


@pytest.mark.django_db
def test_deactivated_account_has_no_permission(actors):
    user = User.objects.get(pk=actors[Role.PLATFORM_ADMIN].pk)
    user.is_active = False
    assert not allowed(user, "masterdata.manage")


@pytest.mark.django_db
def test_county_branch_operator_is_limited_to_its_county():
    factories.service_center("140000")
    factories.service_center("140100")
    branch = factories.service_center("140105")
    op = factories.user(Role.OPERATOR, service_center=branch)
    assert allowed(op, "trade.operate", OBJECTS["ty_procurement"])
    assert not allowed(op, "trade.operate", SimpleNamespace(region_code="140106", category="procurement"))
    assert not allowed(op, "trade.operate", OBJECTS["ty_city_procurement"])


@pytest.mark.django_db
def test_province_operator_covers_the_province_only():
    op = factories.user(Role.OPERATOR, service_center=factories.service_center("140000"))
    assert allowed(op, "trade.operate", OBJECTS["dt_procurement"])
    assert not allowed(op, "trade.operate", SimpleNamespace(region_code="110105", category="procurement"))


# --- through the services -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.PLATFORM_ADMIN])
def test_only_platform_admin_creates_service_centers(actors, role):
    factories.service_center("140000")
    before_events, before_centers = AuditEvent.objects.count(), ServiceCenter.objects.count()
    with pytest.raises(PermissionDenied) as err:
        service_center_create(name="大同市公共资源交易中心", region_code="140200", actor=actors[role])
    assert err.value.code == "permission.denied"
    assert AuditEvent.objects.count() == before_events
    assert ServiceCenter.objects.count() == before_centers


@pytest.mark.django_db
def test_operator_cannot_create_accounts_or_tokens_for_others(actors):
    with pytest.raises(PermissionDenied):
        user_create(
            username="x1",
            display_name="某人",
            role=Role.EXPERT,
            password=factories.PASSWORD,
            actor=actors[Role.OPERATOR],
        )
    assert not User.objects.filter(username="x1").exists()
    assert not ApiToken.objects.exists()


# --- no account both operates and supervises -------------------------------------------------


@pytest.mark.django_db
def test_schema_refuses_an_operator_with_a_department():
    center = factories.service_center("140100")
    dept = factories.department("140100")
    user = User(
        username="both", role=Role.OPERATOR, display_name="两头", service_center=center, department=dept
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        user.save()


@pytest.mark.django_db
def test_service_refuses_an_operator_with_a_department_in_chinese(actors):
    center = factories.service_center("140100")
    dept = factories.department("140100")
    with pytest.raises(InvalidInput) as err:
        user_create(
            username="both",
            display_name="两头",
            role=Role.OPERATOR,
            password=factories.PASSWORD,
            service_center=center,
            department=dept,
            actor=actors[Role.PLATFORM_ADMIN],
        )
    assert err.value.code == "user.organisation_mismatch"
    assert "不能同时属于行政监督部门" in err.value.message
    assert not User.objects.filter(username="both").exists()
