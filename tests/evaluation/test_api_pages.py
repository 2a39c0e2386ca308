"""The evaluation room page, the API (one call per endpoint family) and the public verification."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ggzy.audit.models import AuditEvent
from ggzy.evaluation import services
from ggzy.evaluation.models import Evaluation
from tests.evaluation import helpers as h

pytestmark = pytest.mark.django_db


def _text(resp) -> str:
    return resp.content.decode()


def _api(client, method, url, data=None):
    fn = getattr(client, method)
    if method == "get":
        return fn(f"/api/evaluation{url}")
    return fn(f"/api/evaluation{url}", data=json.dumps(data or {}), content_type="application/json")


def test_room_page_start_review_and_who_may_enter(client, at):
    o = h.opened_lot(at)
    panel = h.experts(5)
    url = f"/evaluation/lots/{o.lot.code}/"
    client.force_login(o.op)
    body = _text(client.get(url))
    assert "开始评标" in body and "综合评估法" in body
    before = AuditEvent.objects.count()
    resp = client.post(url, {"action": "start", "method": "comprehensive_scoring", "experts": ",".join(h.codes(panel)),
                             "scoring_table": "price,投标报价,价格分,40\ntech,技术,技术分,40"})  # fmt: skip
    assert resp.status_code == 422 and "scoring.total" in _text(resp) and 'role="alert"' in _text(resp)
    assert AuditEvent.objects.count() == before and not Evaluation.objects.exists()
    resp = client.post(url, {"action": "start", "method": "comprehensive_scoring", "experts": ",".join(h.codes(panel)),
                             "scoring_table": "price,投标报价,价格分,40\ntech,技术,技术分,40\nbiz,商务,商务分,20"})  # fmt: skip
    assert resp.status_code == 302
    ev = Evaluation.objects.get()
    # a member reviews through the page
    client.force_login(panel[0][1])
    body = _text(client.get(url))
    assert "资格审查（您的独立意见）" in body
    form = {"action": "qualification"}
    for t in ev.tenderers.all():
        form[f"pass_{t.uscc}"] = "1"
    assert client.post(url, form).status_code == 302
    assert "资格审查（您的独立意见）" not in _text(client.get(url))
    # an expert of no committee, and an anonymous visitor, are kept out; a bidder sees its own part
    client.force_login(h.experts(1)[0][1])
    assert client.get(url).status_code == 403
    client.force_login(o.bidder(0).user)
    body = _text(client.get(url))
    assert "资格审查" in body and "评标委员会" not in body
    client.logout()
    assert client.get(url).status_code == 302


def test_api_evaluation_to_award_and_public_verification(client, at):
    o = h.opened_lot(at)
    panel = h.experts(5)
    client.force_login(o.op)
    resp = _api(
        client, "post", f"/lots/{o.lot.code}/start", {"method": "lowest_quote", "experts": h.codes(panel)}
    )
    assert resp.status_code == 422 and resp.json()["code"] == "evaluation.method_not_allowed"
    resp = _api(
        client,
        "post",
        f"/lots/{o.lot.code}/start",
        {"method": "lowest_evaluated_price", "experts": h.codes(panel)},
    )
    assert resp.status_code == 201 and resp.json()["status"] == "qualification"
    ev = Evaluation.objects.get()
    votes = h.all_pass(ev)
    resp = _api(client, "post", f"/lots/{o.lot.code}/qualification", {"votes": votes})
    assert resp.status_code == 403  # staff never review
    for _e, u in panel:
        client.force_login(u)
        assert _api(client, "post", f"/lots/{o.lot.code}/qualification", {"votes": votes}).status_code == 200
    got = _api(client, "get", f"/lots/{o.lot.code}").json()
    assert got["status"] == "signing" and got["report"]["candidates"][0]["uscc"] == o.bidder(1).uscc
    bad = _api(client, "post", f"/lots/{o.lot.code}/sign", {"report_sm3": "x"})
    assert bad.status_code == 422 and bad.json()["code"] == "evaluation.report_changed"
    for _e, u in panel:
        client.force_login(u)
        assert (
            _api(client, "post", f"/lots/{o.lot.code}/sign", {"report_sm3": got["report_sm3"]}).status_code
            == 200
        )
    client.force_login(o.op)
    assert _api(client, "post", f"/lots/{o.lot.code}/publicity").json()["status"] == "publicity"
    client.force_login(o.bidder(2).user)
    resp = _api(client, "post", f"/lots/{o.lot.code}/objections", {"text": "评标价格计算有误"})
    assert resp.status_code == 201
    objection = resp.json()["id"]
    at.shift(dt.timedelta(days=3, minutes=1))
    client.force_login(o.op)  # a new session: the old one has expired
    assert _api(client, "post", f"/lots/{o.lot.code}/award").json()["code"] == "award.objection_pending"
    assert (
        _api(client, "post", f"/objections/{objection}/answer", {"answer": "经复核，计算无误"}).status_code
        == 200
    )
    resp = _api(client, "post", f"/lots/{o.lot.code}/award")
    assert resp.status_code == 201
    code = resp.json()["code"]
    client.logout()
    check = client.get(f"/api/evaluation/awards/{code}/verify").json()
    assert check["ok"] and check["winner_uscc"] == o.bidder(1).uscc
    page = client.get(f"/evaluation/awards/{code}/verify/")
    assert "验证通过" in _text(page)
    pdf = client.get(f"/evaluation/awards/{code}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    tampered = SimpleUploadedFile(
        "n.pdf", pdf.content.replace(b"%PDF", b"%PDX", 1), content_type="application/pdf"
    )
    assert "验证不通过" in _text(client.post(f"/evaluation/awards/{code}/verify/", {"pdf": tampered}))
    client.force_login(o.op)
    resp = _api(client, "post", f"/lots/{o.lot.code}/contract",
                {"contract_no": "HT-1", "amount": "4750000.00", "signed_on": "2026-11-05"})  # fmt: skip
    assert resp.status_code == 201
    resp = _api(client, "post", f"/lots/{o.lot.code}/performance",
                {"kind": "milestone", "occurred_on": "2026-11-05", "description": "开工"})  # fmt: skip
    assert resp.status_code == 201
    assert services.contracts_overdue() == 0
    # the room after the award, for staff, a member, a supervisor and the winner
    from tests.experts import helpers as eh

    url = f"/evaluation/lots/{o.lot.code}/"
    for user, expect in ((o.op, "登记履约信息"), (panel[0][1], "评标报告"), (eh.supervisor("140100", "housing"), "评分"),
                         (o.bidder(1).user, code)):  # fmt: skip
        client.force_login(user)
        resp = client.get(url)
        assert resp.status_code == 200 and expect in _text(resp)


def test_the_list_of_ones_evaluations_and_the_menu(client, at):
    o = h.opened_lot(at)
    panel = h.experts(5)
    services.evaluation_start(
        lot=o.lot, method="lowest_evaluated_price", experts_codes=h.codes(panel), actor=o.op
    )
    for user, shown in ((panel[0][1], True), (o.op, True), (h.experts(1)[0][1], False)):
        client.force_login(user)
        body = _text(client.get("/evaluation/"))
        assert (o.lot.code in body) is shown
        assert "/evaluation/" in body  # the console menu
    assert client.get("/evaluation/", {"code": o.lot.code}).status_code == 302
