"""Procurement procedures through the same machinery, configured by their rule sets: competitive
negotiation (several quote rounds, the final one counts), request for quotation (one final quote),
single source (only after the reason's publicity of 5 working days), no candidate publicity."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ggzy.core.errors import Conflict, InvalidInput, PermissionDenied
from ggzy.evaluation import services
from ggzy.evaluation.models import Status
from ggzy.trading import services as trading
from ggzy.trading.models import Lot, LotEvent, Notice
from tests.evaluation import helpers as h
from tests.trading import helpers as th

pytestmark = pytest.mark.django_db


def _lot(ruleset: str, status: str) -> Lot:
    op = h.operator()
    project = trading.project_register(data=th.data(ruleset_code=ruleset), actor=op)
    lt = project.lots.get()
    Lot.objects.filter(pk=lt.pk).update(status=status)  # the tick entered it at the response deadline
    lt.refresh_from_db()
    return lt


def _suppliers(n: int):
    out = []
    for i in range(n):
        e = th.entity(700 + i, ["bidder"], f"山西测试供应商{i}")
        out.append((e, h.entity_user(e)))
    return out


def _qualified(lt, ruleset_method, panel, sups):
    ev = services.evaluation_start(
        lot=lt,
        method=ruleset_method,
        experts_codes=h.codes(panel),
        suppliers=[e.uscc for e, _ in sups],
        actor=h.operator(),
    )
    h.qualify_all(ev, panel)
    assert ev.status == Status.QUOTING and ev.current_round == 1
    return ev


def test_request_for_quotation_one_final_quote_lowest_wins_no_publicity(at):
    lt = _lot("procurement.request_for_quotation", "review")
    panel, sups, op = h.experts(3), _suppliers(3), h.operator()
    with pytest.raises(InvalidInput) as err:
        services.evaluation_start(lot=lt, method="lowest_quote", experts_codes=h.codes(panel),
                                  suppliers=[e.uscc for e, _ in sups[:2]], actor=op)  # fmt: skip
    assert err.value.code == "evaluation.too_few_suppliers"
    ev = _qualified(lt, "lowest_quote", panel, sups)
    for (_e, u), price in zip(sups, ("98000.00", "95000.00", "99000.00"), strict=True):
        services.quote_submit(evaluation=ev, price=price, actor=u)
    with pytest.raises(Conflict) as err:  # 一次报出不得更改的价格
        services.quote_submit(evaluation=ev, price="90000.00", actor=sups[0][1])
    assert err.value.code == "evaluation.quoted"
    with pytest.raises(Conflict):
        services.round_next(evaluation=ev, final=True, actor=panel[0][1])
    with pytest.raises(PermissionDenied):
        services.quotes_close(evaluation=ev, actor=op)
    services.quotes_close(evaluation=ev, actor=panel[0][1])
    ev.refresh_from_db()
    assert ev.status == Status.SIGNING
    assert [c["uscc"] for c in ev.report["candidates"]] == [sups[1][0].uscc, sups[0][0].uscc, sups[2][0].uscc]
    h.sign_all(ev, panel)
    with pytest.raises(Conflict) as err:
        services.publicity_publish(evaluation=ev, actor=op)
    assert err.value.code == "evaluation.no_publicity"
    award = services.award_decide(evaluation=ev, actor=op)  # at once: no candidate publicity
    assert award.price == Decimal("95000.00")
    lt.refresh_from_db()
    assert lt.status == "award"
    assert Notice.objects.get(number=award.notice_number).data["winning_price"] == "95000.00"


def test_competitive_negotiation_rounds_the_final_quote_counts(at):
    lt = _lot("procurement.competitive_negotiation", "review")
    panel, sups = h.experts(3), _suppliers(3)
    ev = _qualified(lt, "lowest_quote", panel, sups)
    with pytest.raises(InvalidInput) as err:
        services.quote_submit(evaluation=ev, price=99000.5, actor=sups[0][1])
    assert err.value.code == "scoring.number_invalid"
    for (_e, u), price in zip(sups, ("90000.00", "95000.00", "97000.00"), strict=True):
        services.quote_submit(evaluation=ev, price=price, actor=u)
    with pytest.raises(Conflict) as err:
        services.quotes_close(evaluation=ev, actor=panel[0][1])
    assert err.value.code == "evaluation.no_final_round"
    services.round_next(evaluation=ev, final=True, actor=panel[1][1])
    services.quote_submit(evaluation=ev, price="93000.00", actor=sups[0][1])
    services.quote_submit(evaluation=ev, price="91000.00", actor=sups[1][1])  # the third gives no final quote
    services.quotes_close(evaluation=ev, actor=panel[0][1])
    ev.refresh_from_db()
    ranking = ev.report["ranking"]
    assert [(r["uscc"], r["price"]) for r in ranking] == [
        (sups[1][0].uscc, "91000.00"),
        (sups[0][0].uscc, "93000.00"),
    ]
    dropped = ev.tenderers.get(uscc=sups[2][0].uscc)
    assert dropped.qualified is False and "最后报价" in dropped.reasons[-1]
    assert len(ev.report["quotes"]) == 5


def test_single_source_waits_for_five_working_days_of_publicity(at):
    lt = _lot("procurement.single_source", "negotiation")
    panel, sups, op = h.experts(3), _suppliers(1), h.operator()
    start = dt.datetime(2026, 10, 29, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # Thursday
    LotEvent.objects.create(lot=lt, event="publicity_start", at=start)
    LotEvent.objects.create(lot=lt, event="publicity_end", at=start + dt.timedelta(days=4))
    with pytest.raises(Conflict) as err:
        services.evaluation_start(lot=lt, method="negotiated_price", experts_codes=h.codes(panel),
                                  suppliers=[sups[0][0].uscc], actor=op)  # fmt: skip
    assert err.value.code == "evaluation.publicity_short" and "5个工作日" in err.value.message
    LotEvent.objects.filter(lot=lt, event="publicity_end").update(
        at=dt.datetime(2026, 11, 5, 9, 0, tzinfo=start.tzinfo)
    )
    with pytest.raises(Conflict) as err:
        services.evaluation_start(lot=lt, method="negotiated_price", experts_codes=h.codes(panel),
                                  suppliers=[sups[0][0].uscc], actor=op)  # fmt: skip
    assert err.value.code == "evaluation.publicity_running"
    at.shift(dt.timedelta(days=3))
    ev = services.evaluation_start(lot=lt, method="negotiated_price", experts_codes=h.codes(panel),
                                   suppliers=[sups[0][0].uscc], actor=op)  # fmt: skip
    h.qualify_all(ev, panel)
    services.quote_submit(evaluation=ev, price="500000.00", actor=sups[0][1])
    services.quotes_close(evaluation=ev, actor=panel[2][1])
    h.sign_all(ev, panel)
    award = services.award_decide(evaluation=ev, actor=op)
    assert award.tenderer.uscc == sups[0][0].uscc


def test_competitive_consultation_scores_the_final_quotes(at):
    lt = _lot("procurement.competitive_consultation", "review")
    panel, sups, op = h.experts(3), _suppliers(3), h.operator()
    with pytest.raises(InvalidInput) as err:  # the rule set allows comprehensive scoring only
        services.evaluation_start(lot=lt, method="lowest_quote", experts_codes=h.codes(panel),
                                  suppliers=[e.uscc for e, _ in sups], actor=op)  # fmt: skip
    assert err.value.code == "evaluation.method_not_allowed"
    ev = services.evaluation_start(lot=lt, method="comprehensive_scoring", scoring_table=h.SCORING_TABLE,
                                   experts_codes=h.codes(panel), suppliers=[e.uscc for e, _ in sups], actor=op)  # fmt: skip
    h.qualify_all(ev, panel)
    for (_e, u), price in zip(sups, ("100000.00", "90000.00", "95000.00"), strict=True):
        services.quote_submit(evaluation=ev, price=price, actor=u)
    services.round_next(evaluation=ev, final=True, actor=panel[0][1])
    for (_e, u), price in zip(sups, ("80000.00", "88000.00", "94000.00"), strict=True):
        services.quote_submit(evaluation=ev, price=price, actor=u)
    services.quotes_close(evaluation=ev, actor=panel[0][1])
    ev.refresh_from_db()
    assert ev.status == Status.SCORING
    for _e, u in panel:
        services.score_submit(
            evaluation=ev, scores={e.uscc: {"tech": "30", "biz": "15"} for e, _ in sups}, actor=u
        )
    ev.refresh_from_db()
    first = ev.report["ranking"][0]
    assert (
        first["uscc"] == sups[0][0].uscc and first["price"] == "80000.00" and first["price_score"] == "40.00"
    )
