"""Validation refuses a bad rule set with every problem's stable code and a Chinese message."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ggzy.core.errors import InvalidInput
from ggzy.rules import validate

from .helpers import shipped


def codes(data) -> set[str]:
    with pytest.raises(InvalidInput) as err:
        validate.validate(data)
    assert err.value.message and all(e.message for e in err.value.errors)
    return {e.code for e in err.value.errors}


def period(data, code):
    return next(p for p in data["periods"] if p["code"] == code)


def test_a_shipped_rule_set_validates():
    rs = validate.validate(shipped())
    assert rs.code == "engineering.open_tendering" and rs.stage_codes()[0] == "notice"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda d: d.update(category="fishing"), "rules.unknown_category"),
        (lambda d: d.update(procedure="lottery"), "rules.unknown_procedure"),
        (lambda d: d.update(code="engineering.other"), "rules.code_mismatch"),
        (lambda d: d.update(mechanism="lottery"), "rules.unknown_mechanism"),
        (lambda d: d.update(version=0), "rules.invalid_version"),
        (lambda d: d.update(effective_from="2026-02-30"), "rules.invalid_date"),
        (lambda d: d.update(name=" "), "rules.name_required"),
        (lambda d: d.pop("stages"), "rules.field_required"),
        (lambda d: d.update(stages=[]), "rules.no_stages"),
        (lambda d: d.update(colour="red"), "rules.unknown_field"),
        (lambda d: d["stages"].append(dict(d["stages"][0])), "rules.stage_duplicate"),
        (lambda d: d["stages"].reverse(), "rules.stage_order"),
        (
            lambda d: d["stages"].__setitem__(0, {"code": "draft", "label": "草稿", "event": None}),
            "rules.stage_reserved",
        ),
        (lambda d: d["stages"][0].update(event="kickoff"), "rules.unknown_event"),
        (lambda d: d["stages"][0].update(event="listing_start"), "rules.event_mechanism"),
        (lambda d: period(d, "bid_preparation").update(start_event="kickoff"), "rules.unknown_event"),
        (lambda d: period(d, "bid_preparation").update(days=-1), "rules.invalid_period"),
        (lambda d: period(d, "bid_preparation").update(days="20"), "rules.invalid_period"),
        (lambda d: period(d, "bid_preparation").update(days=0), "rules.invalid_period"),
        (lambda d: period(d, "bid_preparation").update(kind="lunar"), "rules.unknown_day_kind"),
        (lambda d: period(d, "bid_preparation").update(relation="about"), "rules.unknown_relation"),
        (lambda d: period(d, "bid_preparation").update(start_event="opening"), "rules.period_order"),
        (lambda d: d["periods"].append(dict(d["periods"][0])), "rules.period_duplicate"),
        (lambda d: period(d, "bid_preparation")["basis"].update(article="第九百条"), "rules.unknown_article"),
        (lambda d: period(d, "bid_preparation")["basis"].update(article="24"), "rules.invalid_citation"),
        (lambda d: period(d, "bid_preparation")["basis"].update(law="某某办法"), "rules.unconfirmed_law"),
        (lambda d: d["threshold_basis"].update(note=""), "rules.note_required"),
        (lambda d: d.update(min_bidders=0), "rules.min_bidders"),
        (lambda d: d.update(evaluation_methods=["coin_toss"]), "rules.unknown_evaluation_method"),
        (lambda d: d.update(evaluation_methods=[]), "rules.evaluation_method_required"),
        (lambda d: d.update(evaluation_methods=["negotiated_price"]), "rules.method_mechanism"),
        (lambda d: d["deposit"].update(cap_percent="-1"), "rules.invalid_deposit"),
        (lambda d: d["deposit"].update(cap_percent=2.0), "rules.invalid_deposit"),
        (lambda d: d["deposit"].update(cap_percent="150"), "rules.invalid_deposit"),
        (lambda d: d["deposit"].update(refund_days=-5), "rules.invalid_deposit"),
        (lambda d: d["thresholds"].update(works="-4"), "rules.invalid_threshold"),
        (lambda d: d.update(publicity_days=0), "rules.invalid_publicity"),
    ],
)
def test_refusals(change, code):
    data = shipped()
    change(data)
    assert code in codes(data)


def test_every_problem_is_reported_in_chinese_with_its_field():
    data = shipped()
    period(data, "bid_preparation").update(days=-3)
    data["stages"][0].update(event="kickoff")
    with pytest.raises(InvalidInput) as err:
        validate.validate(data)
    e = err.value
    assert {x.field for x in e.errors} == {"periods[1].days", "stages[0].event"}
    assert "规则集有2处错误" in e.message and "不是已知的时间节点" in e.message


def test_not_a_dict():
    assert codes(["not", "a", "dict"]) == {"rules.invalid"}


@given(st.integers(max_value=-1))
def test_negative_days_are_always_refused(days):
    data = shipped()
    period(data, "documents_sale")["days"] = days
    assert "rules.invalid_period" in codes(data)


@given(
    st.integers(min_value=1, max_value=3650),
    st.sampled_from(["calendar", "working"]),
    st.sampled_from(["min", "max", "exact"]),
)
def test_any_sane_period_validates_and_round_trips(days, kind, relation):
    data = shipped("procurement.open_tendering")
    period(data, "bid_preparation").update(days=days, kind=kind, relation=relation)
    rs = validate.validate(data)
    assert rs.period("bid_preparation").days == days
    again = validate.to_data(rs)
    assert validate.validate(again) == rs
    assert validate.canonical_json(again) == validate.canonical_json(
        validate.to_data(validate.validate(again))
    )


@given(st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False))
def test_deposit_caps_are_decimals(cap):
    data = shipped()
    data["deposit"]["cap_percent"] = str(cap)
    assert validate.validate(data).deposit.cap_percent == cap
