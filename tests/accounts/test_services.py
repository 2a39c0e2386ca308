"""Master-data services: the hierarchy, departments, accounts, and their refusals."""

from __future__ import annotations

import pytest

from ggzy.accounts.models import CenterLevel, Department, Role, ServiceCenter, User
from ggzy.accounts.services import (
    account_create_for_entity,
    department_create,
    department_update,
    oversight_body_create,
    password_change,
    service_center_create,
    service_center_update,
    user_create,
    user_deactivate,
    user_unlock,
)
from ggzy.audit.models import AuditEvent
from ggzy.core.errors import Conflict, InvalidInput, PermissionDenied
from ggzy.core.permissions import SYSTEM
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return factories.user(Role.PLATFORM_ADMIN)


def test_hierarchy_province_city_branch(admin):
    province = service_center_create(name="山西省公共资源交易中心", region_code="140000", actor=admin)
    city = service_center_create(name="太原市公共资源交易中心", region_code="140100", actor=admin)
    branch = service_center_create(name="太原市公共资源交易中心小店分中心", region_code="140105", actor=admin)
    assert (province.level, province.parent) == (CenterLevel.PROVINCE, None)
    assert (city.level, city.parent) == (CenterLevel.CITY, province)
    assert (branch.level, branch.parent) == (CenterLevel.BRANCH, city)
    assert AuditEvent.objects.filter(action="service_center.create").count() == 3


def test_branch_needs_its_city_center_first(admin):
    service_center_create(name="省中心", region_code="140000", actor=admin)
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as err:
        service_center_create(name="小店分中心", region_code="140105", actor=admin)
    assert err.value.code == "service_center.parent_missing" and "140100" in err.value.message
    assert AuditEvent.objects.count() == before and ServiceCenter.objects.count() == 1


def test_unknown_region_and_duplicate_region(admin):
    with pytest.raises(InvalidInput) as err:
        service_center_create(name="某中心", region_code="999999", actor=admin)
    assert err.value.code == "region.unknown"
    service_center_create(name="省中心", region_code="140000", actor=admin)
    with pytest.raises(InvalidInput) as err:
        service_center_create(name="另一个省中心", region_code="140000", actor=admin)
    assert err.value.code == "service_center.duplicate_region"


def test_center_update_is_audited_and_region_is_fixed(admin):
    center = service_center_create(name="省中心", region_code="140000", actor=admin)
    service_center_update(center=center, phone="0351-1234567", actor=admin)
    event = AuditEvent.objects.filter(action="service_center.update").get()
    assert "0351-1234567" in event.summary
    with pytest.raises(InvalidInput):
        service_center_update(center=center, region="140100", actor=admin)


def test_department_defaults_and_validation(admin):
    dept = department_create(name="太原市财政局", kind="finance", region_code="140100", actor=admin)
    assert dept.categories == ["procurement"]
    with pytest.raises(InvalidInput) as err:
        department_create(name="太原市财政局二", kind="finance", region_code="140100", actor=admin)
    assert err.value.code == "department.duplicate_kind"
    with pytest.raises(InvalidInput) as err:
        department_update(department=dept, categories=["procurement", "spaceships"], actor=admin)
    assert err.value.code == "category.unknown"
    department_update(department=dept, categories=["procurement", "other"], actor=admin)
    assert Department.objects.get(pk=dept.pk).categories == ["procurement", "other"]


def test_user_create_with_matching_organisation(admin):
    center = factories.service_center("140100")
    user = user_create(
        username="op1",
        display_name="经办人",
        role=Role.OPERATOR,
        password=factories.PASSWORD,
        service_center=center,
        actor=admin,
    )
    assert user.service_center == center and not user.is_staff
    boss = user_create(
        username="boss1",
        display_name="管理员",
        role=Role.PLATFORM_ADMIN,
        password=factories.PASSWORD,
        actor=SYSTEM,
    )
    assert boss.is_staff
    event = AuditEvent.objects.filter(action="user.create", object_id=str(user.pk)).get()
    assert (
        factories.PASSWORD not in event.summary
        and "pbkdf2" not in event.summary
        and "md5" not in event.summary
    )


@pytest.mark.parametrize(
    ("role", "orgs", "code"),
    [
        (Role.OPERATOR, {}, "user.organisation_required"),
        (Role.SUPERVISOR, {"service_center": "center"}, "user.organisation_required"),
        (Role.EXPERT, {"department": "dept"}, "user.organisation_mismatch"),
        (Role.AUDITOR, {"oversight_body": "inspection"}, "user.organisation_mismatch"),
        ("janitor", {}, "role.unknown"),
    ],
)
def test_user_create_refuses_wrong_organisation_before_the_database(admin, role, orgs, code):
    things = {
        "center": factories.service_center("140100"),
        "dept": factories.department("140100"),
        "inspection": factories.oversight_body("inspection"),
    }
    kwargs = {k: things[v] for k, v in orgs.items()}
    with pytest.raises(InvalidInput) as err:
        user_create(
            username="u1", display_name="某人", role=role, password=factories.PASSWORD, actor=admin, **kwargs
        )
    assert code in [e.code for e in err.value.errors]
    assert not User.objects.filter(username="u1").exists()


def test_weak_password_and_taken_username(admin):
    factories.user(Role.EXPERT, username="taken")
    with pytest.raises(InvalidInput) as err:
        user_create(username="taken", display_name="某人", role=Role.EXPERT, password="123", actor=admin)
    codes = {e.code for e in err.value.errors}
    assert codes == {"username.taken", "password.weak"}


def test_account_for_entity_without_actor_and_without_organisation():
    user = account_create_for_entity(
        username="member1",
        display_name="经办人",
        email="m@example.cn",
        phone="13800000000",
        password=factories.PASSWORD,
        role=Role.ENTITY_MEMBER,
        actor=None,
    )
    assert user.service_center is None and user.department is None and not user.is_staff
    assert AuditEvent.objects.filter(action="user.create", object_id=str(user.pk), actor_id=None).exists()
    with pytest.raises(InvalidInput):
        account_create_for_entity(
            username="sneaky",
            display_name="x",
            email="",
            phone="",
            password=factories.PASSWORD,
            role=Role.OPERATOR,
            actor=None,
        )


def test_deactivate_unlock_and_password_change(admin):
    user = factories.user(Role.EXPERT)
    with pytest.raises(Conflict):
        user_deactivate(user=admin, actor=admin)
    User.objects.filter(pk=user.pk).update(failed_logins=5)
    user_unlock(user=user, actor=admin)
    assert User.objects.get(pk=user.pk).failed_logins == 0
    with pytest.raises(PermissionDenied):
        password_change(
            user=user, old_password=factories.PASSWORD, new_password="Another-Pass-99", actor=admin
        )
    with pytest.raises(InvalidInput) as err:
        password_change(user=user, old_password="nope", new_password="Another-Pass-99", actor=user)
    assert err.value.code == "password.old_incorrect"
    password_change(user=user, old_password=factories.PASSWORD, new_password="Another-Pass-99", actor=user)
    user_deactivate(user=user, actor=admin)
    assert not User.objects.get(pk=user.pk).is_active


def test_oversight_body(admin):
    body = oversight_body_create(name="山西省审计厅", kind="audit", region_code="140000", actor=admin)
    assert body.pk and AuditEvent.objects.filter(action="oversight_body.create").exists()
