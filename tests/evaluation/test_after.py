"""After the award: the 30-day contract check (idempotent, one warning per award), termination
with re-tender, a failed evaluation, supervisors' reads, lowest evaluated price with an adjustment."""

from __future__ import annotations

import datetime as dt

import pytest

from ggzy.core.errors import Conflict, InvalidInput, PermissionDenied
from ggzy.evaluation import selectors, services
from ggzy.evaluation.models import Status
from ggzy.supervision.models import Warning
from ggzy.trading.models import Notice
from tests.evaluation import helpers as h
from tests.experts import helpers as eh

pytestmark = pytest.mark.django_db


def _done(at, method="lowest_evaluated_price"):
    o = h.opened_lot(at)
    panel = h.experts(5)
    ev = services.evaluation_start(lot=o.lot, method=method, experts_codes=h.codes(panel), actor=o.op)
    h.qualify_all(ev, panel)
    return o, panel, ev


def test_lowest_evaluated_price_with_an_adjustment_then_the_contract_check(at):
    o, panel, ev = _done(at)
    assert ev.status == Status.SIGNING
    assert ev.report["candidates"][0]["uscc"] == o.bidder(1).uscc
    # the committee adds 100,000 to the lowest bid's evaluated price (a deviation priced in)
    services.adjustment_set(
        evaluation=ev, uscc=o.bidder(1).uscc, amount="100000.00", reason="工期偏差折价", actor=panel[0][1]
    )
    ev.refresh_from_db()
    assert [c["uscc"] for c in ev.report["candidates"]] == [
        o.bidder(0).uscc,
        o.bidder(1).uscc,
        o.bidder(2).uscc,
    ]
    h.sign_all(ev, panel)
    with pytest.raises(Conflict):
        services.adjustment_set(
            evaluation=ev, uscc=o.bidder(1).uscc, amount="0.00", reason="撤回", actor=panel[0][1]
        )
    services.publicity_publish(evaluation=ev, actor=o.op)
    at.shift(dt.timedelta(days=4))
    award = services.award_decide(
        evaluation=ev,
        passed_over=[{"uscc": o.bidder(0).uscc, "reason": "第一中标候选人放弃中标"}],
        actor=o.op,
    )
    assert (
        award.tenderer.uscc == o.bidder(1).uscc and award.passed_over[0]["reason"] == "第一中标候选人放弃中标"
    )
    # 30 days later without a contract: one warning for the supervisors, once
    at.shift(dt.timedelta(days=29))
    assert services.contracts_overdue() == 0
    at.shift(dt.timedelta(days=5))
    assert services.contracts_overdue() == 1
    assert services.contracts_overdue() == 0
    w = Warning.objects.get()
    assert (
        w.lot_ref == o.lot.code and "第四十六条" in w.message_zh and w.details["check"] == "contract_overdue"
    )
    # a late contract is recorded and flagged
    c = services.contract_record(award=award, contract_no="HT-9", amount="4850000.00",
                                 signed_on=(award.contract_due_on + dt.timedelta(days=1)).isoformat(), actor=o.op)  # fmt: skip
    assert c.late


def test_nobody_qualifies_the_lot_fails_with_a_termination_notice(at):
    o = h.opened_lot(at)
    panel = h.experts(5)
    ev = services.evaluation_start(
        lot=o.lot, method="lowest_evaluated_price", experts_codes=h.codes(panel), actor=o.op
    )
    for _e, u in panel:
        services.qualification_submit(
            evaluation=ev,
            votes={t.uscc: {"passed": False, "reason": "未按要求提交投标保证金"} for t in ev.tenderers.all()},
            actor=u,
        )
    ev.refresh_from_db()
    assert ev.status == Status.FAILED
    with pytest.raises(PermissionDenied):
        services.lot_terminate(lot=o.lot, reason="x", retender=True, actor=panel[0][1])
    notice = services.lot_terminate(
        lot=o.lot, reason="所有投标均被否决，依法重新招标", retender=True, actor=o.op
    )
    o.lot.refresh_from_db()
    ev.refresh_from_db()
    assert o.lot.status == "failed" and ev.status == Status.TERMINATED
    assert notice.kind == "termination" and notice.data["重新招标（采购）"] is True


def test_who_sees_what(at):
    o = h.opened_lot(at)
    panel = h.experts(5)
    ev = services.evaluation_start(lot=o.lot, method="comprehensive_scoring", scoring_table=h.SCORING_TABLE,
                                   experts_codes=h.codes(panel), actor=o.op)  # fmt: skip
    h.qualify_all(ev, panel)
    services.score_submit(
        evaluation=ev,
        scores={t.uscc: {"tech": "30", "biz": "10"} for t in ev.tenderers.all()},
        actor=panel[0][1],
    )
    sup = eh.supervisor("140100", "housing")
    assert len(selectors.score_view(ev, sup)["sheets"]) == 1  # supervisors read everything, at any time
    with pytest.raises(PermissionDenied):
        selectors.score_view(ev, o.bidder(0).user)
    with pytest.raises(PermissionDenied):
        selectors.room(ev, h.experts(1)[0][1])  # an expert of another committee
    view = selectors.room(ev, o.op)
    assert view["staff"] and view["scores"]["sheets"] == []
    assert sum(m["done"] for m in view["scores"]["submitted"]) == 1
    assert not Notice.objects.filter(lot=o.lot, kind="candidate_publicity").exists()


def test_a_drawn_committee_is_the_committee(at):
    from ggzy.experts import selectors as xs
    from ggzy.experts import services as xservices

    o = h.opened_lot(at)
    pool = h.experts(4)
    users = {e.code: u for e, u in pool}
    d = xservices.draw_run(
        draw=xservices.draw_commit(
            lot=o.lot, region_rule="any", wanted=[{"code": "A010101", "count": 3}], actor=o.op
        ),
        actor=o.op,
    )
    for _e, u in pool:
        for inv in xs.invitations_for(u):
            xservices.invitation_answer(invitation_id=inv["id"], accept=True, actor=u)
    committee = xservices.committee_form(draw=d, actor=o.op)
    drawn = sorted(m.expert.code for m in committee.members.all())
    with pytest.raises(InvalidInput) as err:
        services.evaluation_start(
            lot=o.lot, method="lowest_evaluated_price", experts_codes=h.codes(pool[:3]), actor=o.op
        )
    assert err.value.code == "evaluation.committee_drawn"
    ev = services.evaluation_start(lot=o.lot, method="lowest_evaluated_price", actor=o.op)
    assert ev.committee_source == "draw" and sorted(m.expert_code for m in ev.members.all()) == drawn
    for code in drawn:
        services.qualification_submit(evaluation=ev, votes=h.all_pass(ev), actor=users[code])
    ev.refresh_from_db()
    assert ev.status == Status.SIGNING


def test_the_tick_command_runs_the_contract_check(at):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("tick", stdout=out)
    assert "合同订立期限检查：新增预警0条；异议答复期限检查：新增预警0条" in out.getvalue()


def test_an_objection_unanswered_for_three_days_is_flagged_once(at):
    o, panel, ev = _done(at)
    h.sign_all(ev, panel)
    services.publicity_publish(evaluation=ev, actor=o.op)
    services.objection_file(evaluation=ev, text="报价计算有误", actor=o.bidder(2).user)
    at.shift(dt.timedelta(days=3))
    assert services.objections_overdue() == 0  # 3 days from the filing: still in time
    at.shift(dt.timedelta(minutes=1))
    assert services.deadlines_check() == (0, 1)
    assert services.deadlines_check() == (0, 0)
    w = Warning.objects.get()
    assert w.details["check"] == "objection_overdue" and "第五十四条" in w.message_zh
