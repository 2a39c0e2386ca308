"""The pool: online application, review, status history, ratings with automatic suspension,
penalties, import and export."""

from __future__ import annotations

import json

import pytest

from ggzy.accounts.models import Role
from ggzy.audit.models import AuditEvent
from ggzy.core.errors import Conflict, InvalidInput, PermissionDenied
from ggzy.core.permissions import SYSTEM
from ggzy.experts import selectors, services
from ggzy.experts.models import Committee, CommitteeMember, Draw, Expert, ExpertStatus
from tests import factories
from tests.experts import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _specialties():
    helpers.specialties()


def application(**over) -> dict:
    d = {
        "name": "王评审",
        "id_number": helpers.id_number(1),
        "phone": "13900000001",
        "employer_uscc": factories.valid_uscc(7001),
        "employer_name": "山西测试设计院",
        "title": "正高级工程师",
        "years": 20,
        "region_code": "140105",
        "specialties": ["A010101", "A020101"],
        "declarations": [{"uscc": factories.valid_uscc(7002), "kind": "relationship", "note": "配偶任职"}],
    }
    d.update(over)
    return d


def counts():
    return Expert.objects.count(), AuditEvent.objects.count()


def test_an_expert_applies_and_staff_review_with_reasons():
    user = factories.user(Role.EXPERT)
    e = services.expert_apply(data=application(), actor=user)
    assert e.status == ExpertStatus.APPLIED and e.user == user
    assert sorted(e.expert_specialties.values_list("specialty_id", flat=True)) == ["A010101", "A020101"]
    op = helpers.operator()
    with pytest.raises(InvalidInput) as exc:
        services.expert_review(expert=e, approve=True, reason=" ", actor=op)
    assert exc.value.code == "expert.reason_required"
    services.expert_review(expert=e, approve=True, reason="材料齐全，符合条件", actor=op)
    e.refresh_from_db()
    assert e.status == ExpertStatus.ACTIVE and e.next_assessment_on is not None
    assert [c.to_status for c in e.status_changes.all()] == ["applied", "active"]
    assert AuditEvent.objects.filter(action="expert.review", object_id=e.code).exists()
    with pytest.raises(Conflict):
        services.expert_apply(data=application(id_number=helpers.id_number(2)), actor=user)


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("id_number", "140105197001010010", "expert.invalid_identity"),  # wrong check character
        ("id_number", "14010519701301001X", "expert.invalid_identity"),  # no 13th month
        ("employer_uscc", "91140100MA0000000X", "expert.invalid_employer_uscc"),
        ("region_code", "999999", "expert.invalid_region"),
        ("specialties", ["A0101"], "expert.specialty_level"),
        ("specialties", ["Z999999"], "expert.unknown_specialty"),
        ("phone", "12345", "expert.invalid_phone"),
    ],
)
def test_bad_applications_say_why_in_chinese_and_write_nothing(field, value, code):
    user = factories.user(Role.EXPERT)
    before = counts()
    with pytest.raises(InvalidInput) as exc:
        services.expert_apply(data=application(**{field: value}), actor=user)
    assert exc.value.code == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)
    assert counts() == before


def test_only_expert_accounts_apply_and_only_staff_review():
    with pytest.raises(PermissionDenied):
        services.expert_apply(data=application(), actor=helpers.operator())
    user = factories.user(Role.EXPERT)
    e = services.expert_apply(data=application(), actor=user)
    for actor in (user, helpers.supervisor(), factories.user(Role.PLATFORM_ADMIN)):
        with pytest.raises(PermissionDenied):
            services.expert_review(expert=e, approve=True, reason="好", actor=actor)


def test_status_moves_follow_the_table_and_keep_history():
    e = helpers.expert()
    op = helpers.operator()
    services.expert_status_set(expert=e, status="suspended", reason="本人申请暂停", actor=op)
    services.expert_status_set(expert=e, status="active", reason="恢复", actor=op)
    services.expert_status_set(expert=e, status="removed", reason="严重违规", actor=op)
    with pytest.raises(InvalidInput) as exc:
        services.expert_status_set(expert=e, status="active", reason="恢复", actor=op)
    assert exc.value.code == "expert.bad_status_move" and "清退" in exc.value.message
    assert [c.to_status for c in e.status_changes.all()] == ["suspended", "active", "removed"]


def _on_committee(e: Expert, lot) -> None:
    d = Draw.objects.create(
        code=f"{lot.code}-Z99", lot=lot, lot_code=lot.code, tenderer_uscc="x", region_rule="any", wanted=[],
        status="formed", operator_label="t", pool_size=1, commitment="0" * 64, committed_at=lot.status_changed_at,
        commit_seq=1, sealed_seed=b"", sealed_snapshot=b"", sealed_criteria=b"",
    )  # fmt: skip
    c = Committee.objects.create(lot=lot, draw=d, formed_at=lot.status_changed_at, formed_by_label="t")
    CommitteeMember.objects.create(committee=c, expert=e, specialty_code="A010101")


def test_poor_ratings_suspend_automatically(settings):
    settings.GGZY_EXPERT_POOR_COUNT = 2
    op = helpers.operator()
    sup = helpers.supervisor()  # 太原市住建局: engineering
    e = helpers.expert()
    lot1, lot2 = helpers.lot(op), helpers.lot(op, name="太原市另一道路工程")
    for lot in (lot1, lot2):
        _on_committee(e, lot)
    poor = {"punctuality": 1, "conduct": 2, "quality": 2}
    services.expert_rate(expert=e, lot=lot1, scores={"punctuality": 5, "conduct": 5, "quality": 4}, actor=op)
    services.expert_rate(expert=e, lot=lot1, scores=poor, actor=sup)
    e.refresh_from_db()
    assert e.status == ExpertStatus.ACTIVE
    with pytest.raises(Conflict):
        services.expert_rate(expert=e, lot=lot1, scores=poor, actor=sup)
    services.expert_rate(expert=e, lot=lot2, scores=poor, actor=op)
    e.refresh_from_db()
    assert e.status == ExpertStatus.SUSPENDED
    assert "自动暂停" in e.status_changes.last().reason


def test_a_rating_needs_committee_membership_and_valid_scores():
    op = helpers.operator()
    e = helpers.expert()
    lot = helpers.lot(op)
    with pytest.raises(InvalidInput) as exc:
        services.expert_rate(
            expert=e, lot=lot, scores={"punctuality": 5, "conduct": 5, "quality": 5}, actor=op
        )
    assert exc.value.code == "expert.not_on_committee"
    _on_committee(e, lot)
    with pytest.raises(InvalidInput) as exc:
        services.expert_rate(
            expert=e, lot=lot, scores={"punctuality": 6, "conduct": 0, "quality": "x"}, actor=op
        )
    assert exc.value.code == "expert.invalid_score" and len(exc.value.errors) == 3


def test_export_and_import_round_trip():
    for i in range(3):
        helpers.expert(specialties=["A010101", "A020101"][: 1 + i % 2])
    lines = list(selectors.pool_export(viewer=SYSTEM))
    assert json.loads(lines[0])["format"] == "ggzy-experts" and len(lines) == 4
    op = helpers.operator()
    # a fresh import into a pool that already holds them: all skipped
    assert services.expert_import(text="".join(lines), actor=op) == {"added": 0, "skipped": 3}
    row = json.loads(lines[1])
    row["id_number"] = helpers.id_number(999)
    added = services.expert_import(text=lines[0] + json.dumps(row, ensure_ascii=False), actor=op)
    assert added == {"added": 1, "skipped": 0}


def test_a_bad_import_line_writes_nothing():
    op = helpers.operator()
    lines = list(selectors.pool_export(viewer=SYSTEM))
    good = {**json.loads(json.dumps(helpers_row())), "id_number": helpers.id_number(1234)}
    bad = {**good, "id_number": "123"}
    before = counts()
    with pytest.raises(InvalidInput) as exc:
        services.expert_import(
            text=lines[0] + json.dumps(good, ensure_ascii=False) + "\n" + json.dumps(bad, ensure_ascii=False),
            actor=op,
        )
    assert "第3行" in exc.value.message
    assert counts() == before


def helpers_row() -> dict:
    return {
        "name": "李导入",
        "phone": "13900000009",
        "employer_uscc": factories.valid_uscc(7100),
        "employer_name": "外省设计院",
        "title": "高级工程师",
        "years": 12,
        "region_code": "110105",  # another province: allowed in an exchange file
        "specialties": ["A010101"],
        "status": "active",
    }
