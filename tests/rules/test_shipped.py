"""Every shipped rule set validates, and every confirmed figure is stated by the article it cites."""

from __future__ import annotations

import pytest

from ggzy.rules import lawtext, numerals, scope, validate
from ggzy.rules.schema import Citation

from .helpers import all_shipped

SHIPPED = {code: validate.validate(data) for code, data in all_shipped().items()}
REQUIRED = {
    "engineering.open_tendering",
    "engineering.open_tendering_prequal",
    "engineering.invited_tendering",
    "engineering.invited_tendering_prequal",
    "procurement.open_tendering",
    "procurement.invited_tendering",
    "procurement.competitive_negotiation",
    "procurement.competitive_consultation",
    "procurement.request_for_quotation",
    "procurement.single_source",
    "land.tender",
    "land.auction",
    "land.listing",
    "mining.tender",
    "mining.auction",
    "mining.listing",
    "property.listed_transfer",
}
PERIODS = [(code, p) for code, rs in SHIPPED.items() for p in rs.periods]
CONFIRMED = [(code, p) for code, p in PERIODS if p.basis.confirmed]


def test_every_category_and_procedure_of_the_issue_is_shipped():
    assert set(SHIPPED) == REQUIRED
    for rs in SHIPPED.values():
        assert rs.version == 1 and rs.effective_from.isoformat() == "2026-01-01"
        assert rs.periods, rs.code
        assert validate.validate(validate.to_data(rs)) == rs


def test_a_sealed_bid_procedure_with_prequalification_has_its_periods():
    rs = SHIPPED["engineering.open_tendering_prequal"]
    assert rs.prequalification and rs.mechanism == "sealed_bids"
    assert {"prequal_documents_sale", "prequal_application", "bid_preparation", "amendment"} <= {
        p.code for p in rs.periods
    }
    assert rs.period("bid_preparation").days == 20


@pytest.mark.parametrize(("code", "period"), CONFIRMED, ids=[f"{c}:{p.code}" for c, p in CONFIRMED])
def test_confirmed_period_is_stated_by_its_article(code, period):
    text = lawtext.article(period.basis.law, period.basis.article)
    assert text is not None, f"{period.basis.label()} is not in rules/law"
    assert numerals.states_days(text, period.days, period.kind), (
        f"{code} {period.code}: {period.basis.label()} does not state "
        f"{numerals.day_phrases(period.days, period.kind)}: {text}"
    )


def _basis_cases():
    for code, rs in SHIPPED.items():
        d = rs.deposit
        if d and d.basis and d.basis.confirmed and d.cap_percent is not None:
            yield code, "deposit_cap", d.basis, lambda t, d=d: numerals.states_percent(t, d.cap_percent)
        if d and d.refund_basis and d.refund_basis.confirmed:
            yield (
                code,
                "deposit_refund",
                d.refund_basis,
                lambda t, d=d: numerals.states_days(t, d.refund_days, d.refund_kind),
            )
        b = rs.min_bidders_basis
        if b and b.confirmed and rs.min_bidders > 1:
            yield code, "min_bidders", b, lambda t, n=rs.min_bidders: numerals.states_count(t, n)


BASIS = list(_basis_cases())


@pytest.mark.parametrize(("code", "what", "basis", "check"), BASIS, ids=[f"{c}:{w}" for c, w, _, _ in BASIS])
def test_confirmed_deposit_and_bidder_figures_are_stated(code, what, basis, check):
    text = lawtext.article(basis.law, basis.article)
    assert text is not None and check(text), f"{code} {what}: {basis.label()}"


def test_the_key_figures_of_the_brief():
    eng = SHIPPED["engineering.open_tendering"]
    assert (eng.period("bid_preparation").days, eng.period("bid_preparation").basis.article) == (
        20,
        "第二十四条",
    )
    assert eng.period("amendment").days == 15 and eng.period("amendment").basis.article == "第二十三条"
    assert eng.period("candidate_publicity").days == 3 and eng.publicity_days == 3
    assert eng.period("contract").days == 30 and eng.period("contract").relation == "max"
    assert eng.deposit.cap_percent == 2 and eng.deposit.basis.article == "第二十六条"
    gp = SHIPPED["procurement.open_tendering"]
    assert gp.period("documents_provision").kind == "working" and gp.period("documents_provision").days == 5
    assert gp.period("bid_preparation").basis == Citation("政府采购法", "第三十五条")
    assert gp.deposit.refund_kind == "working"
    ss = SHIPPED["procurement.single_source"].period("single_source_publicity")
    assert (ss.days, ss.kind, ss.basis.article) == (5, "working", "第三十八条")


def test_unconfirmed_figures_are_exactly_those_whose_law_is_not_in_the_library():
    seen_unconfirmed = set()
    for rs in SHIPPED.values():
        for c in rs.all_citations():
            assert c.confirmed == lawtext.has_law(c.law), c
            if not c.confirmed:
                assert c.note, c
                seen_unconfirmed.add(c.law)
    assert {
        "招标拍卖挂牌出让国有建设用地使用权规定",
        "矿业权出让交易规则",
        "企业国有资产交易监督管理办法",
        "政府采购非招标采购方式管理办法",
        "政府采购竞争性磋商采购方式管理暂行办法",
        "必须招标的工程项目规定",
    } <= seen_unconfirmed
    land = SHIPPED["land.listing"]
    assert (
        land.period("listing").basis.confirmed is False and "未核实" in land.period("listing").basis.label()
    )


def test_engineering_thresholds_agree_with_the_scope_file():
    s = scope.default_scope()
    for code in ("engineering.open_tendering", "engineering.invited_tendering_prequal"):
        rs = SHIPPED[code]
        assert rs.thresholds == {k: t.amount for k, t in s.thresholds.items()}
        assert (rs.threshold_basis.law, rs.threshold_basis.article) == (
            s.threshold_citation.law,
            s.threshold_citation.article,
        )
        assert rs.threshold_basis.confirmed is s.threshold_citation.confirmed is False


def test_docs_list_every_shipped_rule_set_and_period():
    from pathlib import Path

    docs = (Path(__file__).parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")
    for rs in SHIPPED.values():
        assert f"`{rs.code}` — {rs.name}" in docs
        for p in rs.periods:
            assert (
                f"| `{p.code}` {p.label} | `{p.start_event}` → `{p.end_event}` | {validate.period_text(p)} |"
                in docs
            )
