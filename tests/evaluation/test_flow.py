"""Evaluation to contract on a sealed-bid engineering lot: committee, qualification, independent
scoring with outliers, the signed report, candidate publicity with an objection, the award with its
signed notice of award, the contract and performance records."""

from __future__ import annotations

import base64
import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest

from ggzy.audit.models import AuditEvent
from ggzy.core.errors import Conflict, InvalidInput, PermissionDenied
from ggzy.crypto import platform, sm
from ggzy.evaluation import selectors, services
from ggzy.evaluation.models import Evaluation, ScoreSheet, Status
from ggzy.trading.models import Notice
from tests.evaluation import helpers as h

pytestmark = pytest.mark.django_db


def _scores(ev, tech, biz="15"):
    return {t.uscc: {"tech": tech, "biz": biz} for t in ev.tenderers.filter(qualified=True)}


def _start(o, panel, method="comprehensive_scoring"):
    return services.evaluation_start(
        lot=o.lot, method=method, scoring_table=h.SCORING_TABLE if method == "comprehensive_scoring" else None,
        experts_codes=h.codes(panel), actor=o.op,
    )  # fmt: skip


def test_bad_start_writes_nothing(at):
    o = h.opened_lot(at)
    panel = h.experts(5)
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as err:
        services.evaluation_start(lot=o.lot, method="lowest_quote", experts_codes=h.codes(panel), actor=o.op)
    assert err.value.code == "evaluation.method_not_allowed" and "经评审的最低投标价法" in err.value.message
    with pytest.raises(InvalidInput) as err:
        services.evaluation_start(lot=o.lot, method="comprehensive_scoring", scoring_table={"items": []},
                                  experts_codes=h.codes(panel), actor=o.op)  # fmt: skip
    assert err.value.code == "scoring.table_required"
    with pytest.raises(InvalidInput) as err:
        _start(o, panel[:4])
    assert err.value.code == "evaluation.committee_size" and "第三十七条" in err.value.message
    with pytest.raises(PermissionDenied):
        _start(o, panel) if False else services.evaluation_start(
            lot=o.lot, method="comprehensive_scoring", scoring_table=h.SCORING_TABLE,
            experts_codes=h.codes(panel), actor=o.bidder(0).user,
        )  # fmt: skip
    assert AuditEvent.objects.count() == before and not Evaluation.objects.exists()
    o.lot.refresh_from_db()
    assert o.lot.status == "opening"


def _openssl_verifies(data: bytes, signature: bytes, tmp_path) -> None:
    """The notice of award's signature checks with the openssl command line and the public key only."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    (tmp_path / "k.pem").write_text(platform.public_pem())
    (tmp_path / "n.pdf").write_bytes(data)
    (tmp_path / "n.sig").write_bytes(signature)
    args = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / "k.pem"), "-rawin", "-digest", "sm3",
            "-pkeyopt", "distid:1234567812345678", "-in", str(tmp_path / "n.pdf"), "-sigfile", str(tmp_path / "n.sig")]  # fmt: skip
    ok = subprocess.run(args, capture_output=True, text=True)
    assert ok.returncode == 0 and "Success" in ok.stdout, ok.stdout + ok.stderr
    (tmp_path / "n.pdf").write_bytes(data + b" ")
    assert subprocess.run(args, capture_output=True, text=True).returncode != 0


def test_comprehensive_scoring_to_contract(at, tmp_path):
    o = h.opened_lot(at)
    panel = h.experts(5)
    ev = _start(o, panel)
    o.lot.refresh_from_db()
    assert o.lot.status == "evaluation" and ev.status == Status.QUALIFICATION
    assert [t.price for t in ev.tenderers.all()] == [Decimal(p) for p in h.PRICES]

    # only the committee's experts review; staff never
    with pytest.raises(PermissionDenied):
        services.qualification_submit(evaluation=ev, votes=h.all_pass(ev), actor=o.op)
    outsider = h.experts(1)[0][1]
    with pytest.raises(PermissionDenied) as err:
        services.qualification_submit(evaluation=ev, votes=h.all_pass(ev), actor=outsider)
    assert err.value.code == "evaluation.not_member"
    votes = h.all_pass(ev)
    third = o.bidder(2).uscc
    votes[third] = {"passed": False, "reason": ""}
    with pytest.raises(InvalidInput) as err:
        services.qualification_submit(evaluation=ev, votes=votes, actor=panel[0][1])
    assert err.value.code == "evaluation.reason_required"
    # three of five fail the third bidder: it is out, with the reasons
    for i, (_e, u) in enumerate(panel):
        v = h.all_pass(ev)
        if i < 3:
            v[third] = {"passed": False, "reason": f"项目经理资格不符{i}"}
        services.qualification_submit(evaluation=ev, votes=v, actor=u)
    with pytest.raises(Conflict):
        services.qualification_submit(evaluation=ev, votes=h.all_pass(ev), actor=panel[0][1])
    ev.refresh_from_db()
    assert ev.status == Status.SCORING
    out = ev.tenderers.get(uscc=third)
    assert out.qualified is False and len(out.reasons) == 3

    # independent scoring: an expert sees only its own sheet until all have submitted
    services.score_submit(evaluation=ev, scores=_scores(ev, "30"), actor=panel[0][1])
    assert selectors.score_view(ev, panel[1][1])["sheets"] == []
    assert len(selectors.score_view(ev, panel[0][1])["sheets"]) == 1
    assert selectors.score_view(ev, o.op)["sheets"] == []  # staff neither
    with pytest.raises(InvalidInput) as err:
        services.score_submit(evaluation=ev, scores=_scores(ev, "45"), actor=panel[1][1])
    assert err.value.code == "scoring.out_of_range"
    services.score_submit(evaluation=ev, scores=_scores(ev, "31"), actor=panel[1][1])
    services.score_submit(evaluation=ev, scores=_scores(ev, "29"), actor=panel[2][1])
    services.score_submit(evaluation=ev, scores=_scores(ev, "30"), actor=panel[3][1])
    services.score_submit(evaluation=ev, scores=_scores(ev, "10"), actor=panel[4][1])  # 20 below: flagged
    ev.refresh_from_db()
    assert ev.status == Status.SIGNING and ScoreSheet.objects.filter(evaluation=ev).count() == 5
    report = ev.report
    # equal technical scores: the lower price wins on the price score (40 × 4,750,000 / price)
    assert [c["uscc"] for c in report["candidates"]] == [o.bidder(1).uscc, o.bidder(0).uscc]
    first, second = report["ranking"]
    assert first["price_score"] == "40.00" and second["price_score"] == "39.58"
    assert first["total"] == str(Decimal("40.00") + Decimal("26.00") + Decimal("15.00"))
    assert {(x["expert"], x["item"]) for x in report["outliers"]} == {(panel[4][0].code, "tech")}
    assert ev.report_sm3 == sm.sm3_hex(
        __import__("ggzy.audit.chain", fromlist=["x"]).canonical_json(report).encode()
    )
    assert len(selectors.score_view(ev, panel[1][1])["sheets"]) == 5  # now everyone sees every sheet

    # signatures: the digest shown must be the report's
    with pytest.raises(InvalidInput) as err:
        services.report_sign(evaluation=ev, report_sm3="0" * 64, actor=panel[0][1])
    assert err.value.code == "evaluation.report_changed"
    services.report_sign(
        evaluation=ev, report_sm3=ev.report_sm3, dissent="第5位专家评分偏低，本人保留意见", actor=panel[0][1]
    )
    for _e, u in panel[1:]:
        services.report_sign(evaluation=ev, report_sm3=ev.report_sm3, actor=u)
    ev.refresh_from_db()
    assert ev.status == Status.DONE

    # candidate publicity: 3 days (实施条例第五十四条) on the statutory calendar
    services.publicity_publish(evaluation=ev, actor=o.op)
    ev.refresh_from_db()
    o.lot.refresh_from_db()
    assert o.lot.status == "publicity"
    assert ev.publicity_end - ev.publicity_start == dt.timedelta(days=3)
    notice = Notice.objects.get(number=ev.publicity_notice)
    assert notice.kind == "candidate_publicity" and notice.data["candidates"][0]["uscc"] == o.bidder(1).uscc

    # an objection from a bidder suspends the award until answered
    with pytest.raises(InvalidInput):
        services.objection_file(evaluation=ev, text="异议", actor=o.op)
    obj = services.objection_file(evaluation=ev, text="第一中标候选人业绩造假", actor=o.bidder(0).user)
    with pytest.raises(Conflict) as err:
        services.award_decide(evaluation=ev, actor=o.op)
    assert err.value.code == "award.publicity_running"
    at.shift(dt.timedelta(days=3, seconds=1))
    with pytest.raises(Conflict) as err:
        services.objection_file(evaluation=ev, text="迟到的异议", actor=o.bidder(0).user)
    assert err.value.code == "objection.out_of_time"
    with pytest.raises(Conflict) as err:
        services.award_decide(evaluation=ev, actor=o.op)
    assert err.value.code == "award.objection_pending"
    services.objection_answer(objection=obj, answer="经核查，业绩真实，异议不成立", actor=o.op)

    # passing over the first candidate needs its reason, in order
    with pytest.raises(InvalidInput) as err:
        services.award_decide(
            evaluation=ev, passed_over=[{"uscc": o.bidder(0).uscc, "reason": "放弃"}], actor=o.op
        )
    assert err.value.code == "award.order"
    award = services.award_decide(evaluation=ev, actor=o.op)
    assert award.tenderer.uscc == o.bidder(1).uscc and award.price == Decimal("4750000.00")
    o.lot.refresh_from_db()
    assert o.lot.status == "award"
    # the notice of award: a PDF, signed by the platform's SM2 key over its bytes
    pdf = bytes(award.pdf)
    assert pdf.startswith(b"%PDF") and award.pdf_sm3 == sm.sm3_hex(pdf)
    assert platform.public_key().verify(base64.b64decode(award.signature), pdf)
    check = selectors.award_verify(award.code)
    assert check["ok"] and check["winner"] == award.tenderer.name
    assert not selectors.award_verify(award.code, pdf[:-1] + b"x")["ok"]
    _openssl_verifies(pdf, base64.b64decode(award.signature), tmp_path)
    # 30 days from 2026-11-05 is Saturday 12-05: the period ends on the next working day
    assert award.contract_due_on == dt.date(2026, 12, 7)
    award_notice = Notice.objects.get(number=award.notice_number)
    assert award_notice.kind == "award"
    assert award_notice.data["winner"] == award.tenderer.name
    assert award_notice.data["winning_price"] == "4750000.00" and award_notice.data["bid_count"] == 3

    # the contract, then performance records, each a notice
    with pytest.raises(InvalidInput) as err:
        services.contract_record(
            award=award, contract_no="HT-1", amount="4750000.00", signed_on="2026-11-01", actor=o.op
        )
    assert err.value.code == "contract.date_range"
    c = services.contract_record(
        award=award, contract_no="HT-2026-001", amount="4750000.00", signed_on="2026-11-05", actor=o.op
    )
    assert not c.late and Notice.objects.get(number=c.notice_number).kind == "contract"
    o.lot.refresh_from_db()
    assert o.lot.status == "contract"
    at.shift(dt.timedelta(days=40))
    p = services.performance_record(contract=c, kind="payment", occurred_on="2026-12-01", amount="1000000.00",
                                    description="支付首期进度款", actor=o.op)  # fmt: skip
    assert Notice.objects.get(number=p.notice_number).kind == "performance"
    services.performance_record(
        contract=c, kind="completion", occurred_on="2026-12-10", description="竣工验收合格", actor=o.op
    )
    with pytest.raises(Conflict):
        services.performance_record(
            contract=c, kind="completion", occurred_on="2026-12-11", description="再次验收", actor=o.op
        )
    assert services.contracts_overdue() == 0  # a contract was recorded: nothing to flag
