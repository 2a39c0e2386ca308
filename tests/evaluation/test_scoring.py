"""The pure evaluation arithmetic (ggzy.evaluation.scoring): properties and worked examples."""

from __future__ import annotations

import itertools
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ggzy.evaluation import scoring as s

TABLE = s.parse_table(
    {
        "items": [
            {"code": "price", "label": "报价", "kind": "price", "max_score": "40"},
            {"code": "tech", "label": "技术", "kind": "technical", "max_score": "40"},
            {"code": "biz", "label": "商务", "kind": "commercial", "max_score": "20"},
        ]
    }
)

prices = st.decimals(min_value=D("1000.00"), max_value=D("99999999.99"), places=2)
score40 = st.decimals(min_value=D("0"), max_value=D("40"), places=2)
score20 = st.decimals(min_value=D("0"), max_value=D("20"), places=2)


@st.composite
def evaluations(draw):
    n = draw(st.integers(1, 6))
    experts = draw(st.integers(3, 7))
    bidders = [s.Bidder(f"B{i}", f"投标人{i}", draw(prices), i) for i in range(n)]
    sheets = {
        f"E{e}": {b.key: {"tech": draw(score40), "biz": draw(score20)} for b in bidders}
        for e in range(experts)
    }
    return bidders, sheets


@given(evaluations(), st.randoms())
@settings(max_examples=150, deadline=None)
def test_ranking_is_deterministic_whatever_the_input_order(ev, rnd):
    bidders, sheets = ev
    first = [r.as_dict() for r in s.rank_comprehensive(TABLE, bidders, sheets)]
    shuffled = list(bidders)
    rnd.shuffle(shuffled)
    experts = list(sheets.items())
    rnd.shuffle(experts)
    again = [r.as_dict() for r in s.rank_comprehensive(TABLE, shuffled, dict(experts))]
    assert first == again
    assert [r["rank"] for r in first] == list(range(1, len(bidders) + 1))
    totals = [D(r["total"]) for r in first]
    assert totals == sorted(totals, reverse=True)


@given(st.lists(prices, min_size=1, max_size=8, unique=True))
def test_price_score_is_monotone_and_the_lowest_gets_the_maximum(ps):
    scores = s.price_scores({f"B{i}": p for i, p in enumerate(ps)}, D("40"))
    pairs = sorted((p, scores[f"B{i}"]) for i, p in enumerate(ps))
    assert pairs[0][1] == D("40.00")
    for (p1, s1), (p2, s2) in itertools.pairwise(pairs):
        assert p1 < p2 and s1 >= s2
    assert all(D("0") <= v <= D("40") for v in scores.values())


def test_price_score_formula():
    assert s.price_scores({"a": D("100"), "b": D("125"), "c": D("300")}, D("40")) == {
        "a": D("40.00"),
        "b": D("32.00"),
        "c": D("13.33"),
    }


@given(evaluations())
@settings(max_examples=150, deadline=None)
def test_outlier_flags_are_exactly_the_scores_beyond_20_percent_of_the_maximum_from_the_median(ev):
    _bidders, sheets = ev
    flagged = {(o.expert, o.bidder, o.item) for o in s.outliers(TABLE, sheets)}
    expected = set()
    for b in next(iter(sheets.values())):
        for item, mx in (("tech", D(40)), ("biz", D(20))):
            vals = sorted(sheets[e][b][item] for e in sheets)
            n = len(vals)
            med = vals[n // 2] if n % 2 else (vals[n // 2 - 1] + vals[n // 2]) / 2
            for e in sheets:
                if abs(sheets[e][b][item] - med) * 5 > mx:  # > 20 % of the maximum
                    expected.add((e, b, item))
    assert flagged == expected


def test_outlier_limit_is_exclusive():
    sheets = {
        "E1": {"B": {"tech": D("20"), "biz": D("10")}},
        "E2": {"B": {"tech": D("20"), "biz": D("10")}},
        "E3": {"B": {"tech": D("28"), "biz": D("14.01")}},  # tech exactly 8 (= 20 % of 40) away
    }
    assert [(o.expert, o.item) for o in s.outliers(TABLE, sheets)] == [("E3", "biz")]


def test_ties_are_broken_by_price_then_technical_then_receipt_order():
    same = {"tech": D("30"), "biz": D("10")}
    bidders = [s.Bidder("late", "后", D("100"), 2), s.Bidder("early", "先", D("100"), 1)]
    sheets = {f"E{i}": {"late": same, "early": same} for i in range(3)}
    assert [r.key for r in s.rank_comprehensive(TABLE, bidders, sheets)] == ["early", "late"]
    # equal totals, different prices: the lower price first
    cheap = s.Bidder("cheap", "低", D("100"), 2)
    dear = s.Bidder("dear", "高", D("200"), 1)
    sheets = {
        f"E{i}": {"cheap": {"tech": D("10"), "biz": D("10")}, "dear": {"tech": D("30"), "biz": D("10")}}
        for i in range(3)
    }
    ranked = s.rank_comprehensive(TABLE, [dear, cheap], sheets)
    assert ranked[0].total == ranked[1].total == D("60.00")
    assert [r.key for r in ranked] == ["cheap", "dear"]


@given(st.lists(st.tuples(prices, st.integers(-1000, 1000)), min_size=1, max_size=8), st.randoms())
def test_price_ranking_lowest_evaluated_price_first_and_deterministic(rows, rnd):
    bidders = [s.Bidder(f"B{i}", "x", p, i, p + D(adj)) for i, (p, adj) in enumerate(rows)]
    ranked = s.rank_by_price(bidders)
    keys = [(r.evaluated_price, r.price) for r in ranked]
    assert keys == sorted(keys)
    shuffled = list(bidders)
    rnd.shuffle(shuffled)
    assert [r.key for r in s.rank_by_price(shuffled)] == [r.key for r in ranked]
    assert len(s.candidates(ranked)) == min(3, len(bidders))


def test_qualification_majority_and_a_tie_fails():
    votes = [
        s.Vote("E1", "A", True), s.Vote("E2", "A", False, "资质不符"), s.Vote("E3", "A", True),
        s.Vote("E1", "B", True), s.Vote("E2", "B", False, "未盖章"), s.Vote("E3", "B", False, "未签字"),
        s.Vote("E1", "C", True), s.Vote("E2", "C", False, "缺业绩"),
    ]  # fmt: skip
    r = s.qualification_result(["A", "B", "C"], votes)
    assert r["A"] == (True, ["资质不符"])
    assert r["B"] == (False, ["未盖章", "未签字"])
    assert r["C"][0] is False  # 1 of 2: not more than half


@pytest.mark.parametrize(
    "table, code",
    [
        (None, "scoring.table_required"),
        (
            {"items": [{"code": "t", "label": "技术", "kind": "technical", "max_score": "100"}]},
            "scoring.price_item",
        ),
        ({"items": [{"code": "p", "label": "价", "kind": "price", "max_score": "40"}]}, "scoring.total"),
        (
            {"items": [{"code": "p", "label": "价", "kind": "price", "max_score": 40.0}]},
            "scoring.number_invalid",
        ),
        ({"items": [{"code": "p", "label": "价", "kind": "bonus", "max_score": "100"}]}, "scoring.item_kind"),
        (
            {
                "items": [
                    {"code": "p", "label": "价", "kind": "price", "max_score": "50"},
                    {"code": "p", "label": "价", "kind": "technical", "max_score": "50"},
                ]
            },
            "scoring.item_duplicate",
        ),
    ],
)
def test_bad_tables_are_refused_with_a_stable_code(table, code):
    with pytest.raises(s.ScoringError) as err:
        s.parse_table(table)
    assert err.value.code == code and err.value.message


def test_sheet_checks():
    with pytest.raises(s.ScoringError, match="应在0至40"):
        s.check_sheet(TABLE, ["B"], {"B": {"tech": "41", "biz": "1"}})
    with pytest.raises(s.ScoringError) as err:
        s.check_sheet(TABLE, ["B"], {"B": {"tech": "10"}})
    assert err.value.code == "scoring.incomplete"
    with pytest.raises(s.ScoringError) as err:
        s.check_sheet(TABLE, ["B"], {"B": {"tech": "10.123", "biz": "1"}})
    assert err.value.code == "scoring.number_places"
    assert s.check_sheet(TABLE, ["B"], {"B": {"tech": "10.5", "biz": 3}}) == {
        "B": {"tech": D("10.5"), "biz": D("3")}
    }
