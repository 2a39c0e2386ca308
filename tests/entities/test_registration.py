"""Registration: happy paths and every kind of bad input, which must write nothing."""

from __future__ import annotations

import pytest

from ggzy.accounts.models import Role
from ggzy.audit.models import AuditEvent
from ggzy.core import uscc
from ggzy.core.errors import Conflict, InvalidInput, NotAuthenticated, PermissionDenied
from ggzy.entities import services
from ggzy.entities.models import Entity, RegistrationChannel
from tests import factories
from tests.entities import helpers as h

pytestmark = pytest.mark.django_db


def test_counter_registration_creates_entity_revision_and_audit_event():
    op = h.operator()
    before = h.counts()
    e = services.entity_register(data=h.data(1, trading_roles=["bidder", "tenderer"]), actor=op)
    assert h.counts()[:3] == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert e.kind == "企业" and e.version == 1 and e.channel == RegistrationChannel.COUNTER
    assert e.trading_roles == ["tenderer", "bidder"]  # canonical order
    rev = e.revisions.get()
    assert rev.version == 1 and rev.action == "register" and rev.snapshot["name"] == e.name
    event = AuditEvent.objects.latest("seq")
    assert event.action == "entity.register" and event.entity_ref == e.uscc
    assert event.actor_id == op.pk


def test_kind_comes_from_the_uscc_category():
    e = h.entity(2, uscc=factories.valid_uscc(2, authority="1", category="2"))
    assert e.kind == "事业单位"
    e2 = h.entity(3, uscc=factories.valid_uscc(3, authority="9", category="2"))
    assert e2.kind == "个体工商户"


def _refused(data, exc_type=InvalidInput, actor=None):
    actor = actor or h.operator()
    before = h.counts()
    with pytest.raises(exc_type) as info:
        services.entity_register(data=data, actor=actor)
    assert h.counts() == before, "bad input must write nothing"
    return info.value


def test_invalid_check_character_gives_exact_chinese_message():
    good = factories.valid_uscc(10)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    exc = _refused(h.data(10, uscc=wrong))
    assert exc.code == "uscc.check_character"
    expected = uscc.check_character(good[:17])
    assert exc.message == f"第18位校验码应为“{expected}”，实际为“{wrong[17]}”，请核对代码是否抄录有误"
    assert exc.field == "uscc"


def test_invalid_uscc_letter_o_is_named():
    good = factories.valid_uscc(11)
    exc = _refused(h.data(11, uscc=good[:10] + "O" + good[11:]))
    assert any(e.code == "uscc.charset" and "第11位“O”" in e.message for e in exc.errors)


def test_duplicate_registration_is_a_conflict_naming_the_existing_one():
    first = h.entity(20)
    exc = _refused(h.data(20, name="另一家公司"), Conflict)
    assert exc.code == "entity.duplicate"
    assert first.name in exc.message and first.uscc in exc.message and "无需重复注册" in exc.message
    # lower case and spaces are the same code
    exc2 = _refused(h.data(20, uscc=" " + first.uscc.lower() + " "), Conflict)
    assert exc2.code == "entity.duplicate"


@pytest.mark.parametrize(
    "region, fragment",
    [
        ("140199", "不是山西省现行的行政区划代码"),
        ("990101", "“99”不是省级行政区划代码"),
        ("14010", "应为6位数字"),
        ("140202", "不是山西省现行的行政区划代码"),  # abolished: valid in a USCC, not as a current address
    ],
)
def test_unknown_region_is_refused(region, fragment):
    exc = _refused(h.data(30, region=region))
    assert exc.code == "entity.region_unknown" and fragment in exc.message


def test_missing_fields_are_all_listed_in_chinese():
    d = h.data(40)
    for f in ("name", "legal_representative", "contact_phone"):
        d[f] = "  "
    d["trading_roles"] = []
    exc = _refused(d)
    assert exc.code == "field.required"
    assert {e.field for e in exc.errors} == {"name", "legal_representative", "contact_phone", "trading_roles"}
    assert "缺少必填项：名称、法定代表人、联系电话、交易角色" in exc.message


def test_several_problems_are_reported_together():
    exc = _refused(h.data(41, uscc="123", region="999999", contact_email="not-an-email", bank_account_no=""))
    codes = {e.code for e in exc.errors}
    assert {"uscc.length", "entity.region_unknown", "entity.email_invalid", "entity.bank_incomplete"} <= codes


def test_outside_province_entity_registers_like_a_shanxi_one():
    """Seed 三(七): no barriers. A Beijing company with a Beijing address registers the same way."""
    code = factories.valid_uscc(50, region="110108")
    e = services.entity_register(
        data=h.data(50, uscc=code, region="110108", address="北京市海淀区中关村1号"), actor=h.operator()
    )
    assert e.region_code == "110108" and e.kind == "企业" and e.status == "active"
    # and an outside entity with a Shanxi address, or a Shanxi entity with an outside address
    assert h.entity(51, uscc=factories.valid_uscc(51, region="440300")).region_code == "140105"


def test_abolished_shanxi_code_on_an_old_certificate_is_accepted():
    code = factories.valid_uscc(52, region="140211")  # 大同市南郊区, abolished 2018
    e = h.entity(52, uscc=code, region="140214")  # today's 云冈区
    assert e.uscc == code
    exc = _refused(h.data(53, uscc=factories.valid_uscc(53, region="140299")))
    assert exc.code == "uscc.region"


def test_only_operators_register_at_the_counter():
    for role in (Role.ENTITY_ADMIN, Role.EXPERT, Role.PLATFORM_ADMIN, Role.SUPERVISOR):
        exc = _refused(h.data(60), PermissionDenied, actor=factories.user(role))
        assert exc.code == "permission.denied"
    with pytest.raises(NotAuthenticated):
        services.entity_register(data=h.data(60), actor=h.ANONYMOUS)
    assert not Entity.objects.exists()


def test_operator_of_any_city_may_register():
    op = factories.user(Role.OPERATOR, service_center=factories.service_center("140200"))
    assert services.entity_register(data=h.data(61), actor=op).pk


# --- online self-registration ---------------------------------------------------------------
ADMIN = {
    "username": "sx_admin",
    "display_name": "王五",
    "email": "admin@example.cn",
    "phone": "13800000000",
    "password": factories.PASSWORD,
}


def test_self_registration_creates_entity_and_admin_in_one_go():
    before = h.counts()
    e, user = services.entity_self_register(data=h.data(70), admin_account=ADMIN)
    after = h.counts()
    assert after[0] == before[0] + 1 and after[3] == before[3] + 1
    assert user.role == Role.ENTITY_ADMIN and user.membership.entity == e
    assert e.channel == RegistrationChannel.ONLINE
    assert user.has_permission("entity.update", e) and not user.has_permission("entity.update", h.entity(71))
    event = AuditEvent.objects.filter(action="entity.self_register").get()
    assert event.actor_id == user.pk and event.entity_ref == e.uscc


def test_self_registration_with_bad_account_writes_nothing():
    before = h.counts()
    with pytest.raises(InvalidInput) as info:
        services.entity_self_register(
            data=h.data(72, name=""), admin_account={**ADMIN, "password": "123", "username": ""}
        )
    fields = {e.field for e in info.value.errors}
    assert {"name", "admin_password", "admin_username"} <= fields
    assert h.counts() == before


def test_self_registration_duplicate_writes_nothing():
    h.entity(73)
    before = h.counts()
    with pytest.raises(Conflict) as info:
        services.entity_self_register(data=h.data(73), admin_account=ADMIN)
    assert info.value.code == "entity.duplicate"
    assert h.counts() == before
