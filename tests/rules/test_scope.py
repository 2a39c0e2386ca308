"""Mandatory scope (必须招标的工程项目规定 thresholds) and splitting detection (招标投标法第四条)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ggzy.core.errors import InvalidInput
from ggzy.rules.scope import ProjectRef, default_scope, must_trade_on_platform, splitting_suspects

THRESHOLDS = {"works": Decimal(4_000_000), "goods": Decimal(2_000_000), "services": Decimal(1_000_000)}
DAY = dt.date(2026, 6, 1)
USCC = "91140100MA0000001X"


def test_thresholds_are_data():
    s = default_scope()
    assert {k: t.amount for k, t in s.thresholds.items()} == THRESHOLDS
    assert s.threshold_citation.confirmed is False and "16号" in s.threshold_citation.note
    assert (s.window_days, s.ratio) == (90, Decimal("0.8"))


@pytest.mark.parametrize(("kind", "amount"), list(THRESHOLDS.items()))
def test_at_the_threshold_a_public_project_must_tender(kind, amount):
    d = must_trade_on_platform("engineering", kind, amount, True)
    assert d.must and d.threshold == amount and "必须在平台上招标" in d.reason_zh
    assert d.citation.article == "第五条" and not d.citation.confirmed
    below = must_trade_on_platform("engineering", kind, amount - Decimal("0.01"), True)
    assert not below.must and "低于" in below.reason_zh and "第四条" in below.reason_zh


def test_a_private_project_need_not_tender():
    d = must_trade_on_platform("engineering", "works", Decimal(50_000_000), False)
    assert not d.must and d.citation.law == "招标投标法" and d.citation.article == "第三条"


@pytest.mark.parametrize("category", ["procurement", "land", "mining", "property", "other"])
def test_other_categories_always_trade_on_the_platform(category):
    d = must_trade_on_platform(category, "goods", Decimal(1), False)
    assert d.must and d.reason_zh


def test_bad_input():
    with pytest.raises(InvalidInput) as err:
        must_trade_on_platform("engineering", "furniture", Decimal(1), True)
    assert err.value.code == "scope.unknown_item_kind"
    with pytest.raises(InvalidInput) as err:
        must_trade_on_platform("fishing", "works", Decimal(1), True)
    assert err.value.code == "scope.unknown_category"
    with pytest.raises(InvalidInput) as err:
        must_trade_on_platform("engineering", "works", 4e6, True)
    assert err.value.code == "scope.invalid_estimate"
    with pytest.raises(InvalidInput) as err:
        must_trade_on_platform("engineering", "works", Decimal(-1), True)
    assert err.value.code == "scope.invalid_estimate"


@given(
    st.sampled_from(sorted(THRESHOLDS)),
    st.decimals(min_value=0, max_value=4_000_000, places=2, allow_nan=False, allow_infinity=False),
    st.booleans(),
)
def test_below_the_threshold_never_must(kind, amount, public):
    d = must_trade_on_platform("engineering", kind, amount, public)
    assert d.must is (public and amount >= THRESHOLDS[kind])
    if amount < THRESHOLDS[kind]:
        assert not d.must


def test_two_works_contracts_just_under_the_threshold_are_a_suspected_split():
    earlier = [(USCC, DAY, "works", Decimal("3500000"))]
    new = (USCC, DAY + dt.timedelta(days=30), "works", Decimal("3900000"))
    [s] = splitting_suspects(earlier, new)
    assert len(s.projects) == 2 and s.projects[-1].estimate == Decimal("3900000")
    assert s.total == Decimal("7400000") and s.threshold == THRESHOLDS["works"]
    assert "化整为零" in s.explanation_zh and "第四条" in s.explanation_zh and "740万元" in s.explanation_zh
    assert (s.citation.law, s.citation.article, s.citation.confirmed) == ("招标投标法", "第四条", True)


@pytest.mark.parametrize(
    ("other", "why"),
    [
        (("91140100MA0000002X", DAY, "works", Decimal("3500000")), "another tenderer"),
        ((USCC, DAY, "goods", Decimal("3500000")), "another kind"),
        ((USCC, DAY - dt.timedelta(days=91), "works", Decimal("3500000")), "outside the window"),
        ((USCC, DAY, "works", Decimal("3000000")), "not just under (75%)"),
        ((USCC, DAY, "works", Decimal("4000000")), "at the threshold: tendered anyway"),
    ],
)
def test_no_suspect(other, why):
    assert splitting_suspects([other], (USCC, DAY, "works", Decimal("3900000"))) == [], why


def test_the_window_and_ratio_are_configurable_and_a_lone_project_is_never_a_split():
    old = (USCC, DAY - dt.timedelta(days=100), "services", Decimal("700000"))
    new = (USCC, DAY, "services", Decimal("700000"))
    assert splitting_suspects([old], new) == []
    assert len(splitting_suspects([old], new, window_days=120, ratio="0.6")) == 1
    assert splitting_suspects([], (USCC, DAY, "works", Decimal("3999999"))) == []
    with pytest.raises(InvalidInput):
        splitting_suspects([old], new, ratio="1.5")


projects = st.lists(
    st.builds(
        ProjectRef,
        st.sampled_from([USCC, "91140100MA0000002X"]),
        st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2026, 12, 31)),
        st.sampled_from(sorted(THRESHOLDS)),
        st.decimals(min_value=0, max_value=5_000_000, places=2, allow_nan=False, allow_infinity=False),
    ),
    max_size=8,
)


@given(projects, projects.filter(bool))
def test_suspects_are_groups_of_at_least_two_related_near_threshold_projects(others, news):
    new = news[0]
    found = splitting_suspects(others, new)
    assert len(found) <= 1
    for s in found:
        t = THRESHOLDS[new.item_kind]
        assert len(s.projects) >= 2 and s.projects[-1] == new
        assert s.total >= t and s.total == sum(p.estimate for p in s.projects)
        for p in s.projects:
            assert p.tenderer_uscc == new.tenderer_uscc and p.item_kind == new.item_kind
            assert abs((p.registered_on - new.registered_on).days) <= 90
            assert t * Decimal("0.8") <= p.estimate < t
