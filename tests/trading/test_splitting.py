"""Splitting to avoid tendering (招标投标法第四条): a warning for the supervisors of the category."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ggzy.accounts.models import DepartmentKind, Role
from ggzy.core.errors import InvalidInput
from ggzy.supervision import selectors as supervision
from ggzy.supervision.models import Warning
from ggzy.trading import selectors, services
from tests import factories
from tests.trading import helpers

pytestmark = pytest.mark.django_db


def _just_under(*, new, recent):
    """Stand-in rule: each under 4,000,000 yuan, together over it."""
    under = [p for p in recent if p.estimate < Decimal("4000000") and p.item_kind == new.item_kind]
    total = new.estimate + sum(p.estimate for p in under)
    if new.estimate < Decimal("4000000") and under and total >= 4000000:
        return selectors.Splitting(
            related=under, total=total, explanation="疑似化整为零规避招标（《招标投标法》第四条）。"
        )
    return None


def test_splitting_raises_a_warning_for_the_supervisors(monkeypatch):
    calls = []

    def spy(*, new, recent):
        calls.append((new, recent))
        return _just_under(new=new, recent=recent)

    monkeypatch.setattr(selectors, "splitting_suspects", spy)
    op = helpers.operator()
    first = services.project_register(data=helpers.data(name="道路一期", estimate="3900000"), actor=op)
    assert not Warning.objects.exists()
    assert calls == []  # nothing earlier to compare with
    second = services.project_register(data=helpers.data(name="道路二期", estimate="3800000"), actor=op)
    warning = Warning.objects.get()
    assert calls[-1][0].code == second.code and [p.code for p in calls[-1][1]] == [first.code]
    assert (warning.kind, warning.category, warning.region_code) == ("splitting", "engineering", "140105")
    assert (warning.project_ref, warning.entity_uscc) == (second.code, second.tenderer_uscc)
    assert (
        first.code in warning.message_zh
        and "化整为零" in warning.message_zh
        and "第四条" in warning.message_zh
    )
    assert "7,700,000.00" in warning.message_zh

    housing = factories.user(
        Role.SUPERVISOR, department=factories.department("140100", DepartmentKind.HOUSING)
    )
    finance = factories.user(
        Role.SUPERVISOR, department=factories.department("140100", DepartmentKind.FINANCE)
    )
    datong = factories.user(
        Role.SUPERVISOR, department=factories.department("140200", DepartmentKind.HOUSING)
    )
    assert list(supervision.open_warnings_for(housing)) == [warning]
    assert list(supervision.open_warnings_for(finance)) == []  # procurement only
    assert list(supervision.open_warnings_for(datong)) == []  # another city
    assert list(supervision.open_warnings_for(op)) == []


def test_a_refused_registration_raises_no_warning(monkeypatch):
    monkeypatch.setattr(selectors, "splitting_suspects", _just_under)
    op = helpers.operator()
    services.project_register(data=helpers.data(estimate="3900000"), actor=op)
    with pytest.raises(InvalidInput):
        services.project_register(data=helpers.data(estimate="3800000", item_kind="bad"), actor=op)
    assert not Warning.objects.exists()


def test_the_mandatory_scope_decision_is_recorded(monkeypatch):
    monkeypatch.setattr(
        selectors,
        "mandatory_scope",
        lambda **facts: selectors.ScopeDecision(
            facts["estimate"] >= 4000000, "施工单项合同估算价400万元人民币以上"
        ),
    )
    project = services.project_register(data=helpers.data(estimate="5000000"), actor=helpers.operator())
    assert project.mandatory is True and "400万元" in project.mandatory_basis
