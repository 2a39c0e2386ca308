"""Pages and API: one test per endpoint family; confidential results do not leak."""

from __future__ import annotations

import pytest

from ggzy.accounts.models import Role
from ggzy.experts import selectors
from ggzy.experts.models import Expert, Invitation
from tests import factories
from tests.experts import helpers
from tests.experts.test_draws import _revealed_draw, drawn_codes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _specialties():
    helpers.specialties()


def test_api_commit_run_and_result_visibility(client):
    op = helpers.operator()
    lot = helpers.lot(op)
    for _ in range(4):
        helpers.expert()
    client.force_login(op)
    r = client.post(
        "/api/experts/draws",
        {
            "lot_code": lot.code,
            "region_rule": "any",
            "wanted": [{"code": "A010101", "count": 2, "reserves": 1}],
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    code = r.json()["code"]
    assert client.post(f"/api/experts/draws/{code}/run").status_code == 200
    result = client.get(f"/api/experts/draws/{code}/result").json()
    assert len([m for m in result["members"] if m["role"] == "selected"]) == 2
    client.force_login(factories.user(Role.OPERATOR, service_center=op.service_center))
    r = client.get(f"/api/experts/draws/{code}/result")
    assert r.status_code == 403 and r.json()["code"] == "draw.confidential"
    client.logout()
    assert client.get(f"/api/experts/draws/{code}/verification").json()["code"] == "draw.not_revealed"
    # bad input: a clear code, nothing written
    client.force_login(op)
    r = client.post(
        "/api/experts/draws",
        {"lot_code": lot.code, "region_rule": "any", "wanted": [{"code": "A010101", "count": 9}]},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["code"] == "draw.too_few_experts"


def test_expert_answers_through_the_api(client):
    op = helpers.operator()
    lot = helpers.lot(op)
    experts = [helpers.expert() for _ in range(3)]
    users = {e.code: helpers.expert_user(e) for e in experts}
    from ggzy.experts import services

    d = services.draw_run(
        draw=services.draw_commit(
            lot=lot, region_rule="any", wanted=[{"code": "A010101", "count": 1}], actor=op
        ),
        actor=op,
    )
    user = users[drawn_codes(d)[0]]
    client.force_login(user)
    rows = client.get("/api/experts/invitations").json()
    assert len(rows) == 1 and rows[0]["status"] == "sent"
    r = client.post(
        f"/api/experts/invitations/{rows[0]['id']}/answer", {"accept": True}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    other = next(u for c, u in users.items() if u != user)
    client.force_login(other)
    assert client.get("/api/experts/invitations").json() == []
    assert Invitation.objects.get().status == "accepted"


def test_public_pages_show_commitment_then_verification(client):
    op = helpers.operator()
    d = _revealed_draw(op, helpers.lot(op))
    assert client.get("/experts/draws/").status_code == 200
    body = client.get(f"/experts/draws/{d.code}/").content.decode()
    assert d.commitment in body and "验证通过" in body
    names = Expert.objects.filter(code__in=d.revealed["selected"]["A010101"]).values_list("name", flat=True)
    for n in names:
        assert n in body
    r = client.get(f"/experts/draws/{d.code}/export.json")
    assert r.json()["seed"] == d.revealed["seed"]
    r = client.get(f"/api/experts/draws/{d.code}/verification")
    assert r.json()["ok"] is True
    assert client.get("/api/experts/specialties").json()[0]["code"] == "A01"


def test_console_pages(client):
    op = helpers.operator()
    helpers.expert()
    client.force_login(op)
    assert "评标专家库" in client.get("/experts/console/").content.decode()
    assert "发起抽取" in client.get("/experts/console/draws/").content.decode()
    expert_user = factories.user(Role.EXPERT)
    client.force_login(expert_user)
    assert client.get("/experts/console/").status_code == 403
    assert "申请入选评标专家库" in client.get("/experts/apply/").content.decode()
    assert selectors.invitations_for(expert_user) == []


def test_console_draw_page_runs_the_draw_and_hides_the_result_from_other_operators(client):
    op = helpers.operator()
    lot = helpers.lot(op)
    for _ in range(3):
        helpers.expert()
    client.force_login(op)
    r = client.post(
        "/experts/console/draws/",
        {"lot_code": lot.code, "region_rule": "any", "wanted": "A010101,1,1", "avoid_usccs": ""},
    )
    assert r.status_code == 302
    from ggzy.experts.models import Draw

    d = Draw.objects.get()
    url = f"/experts/console/draws/{d.code}/"
    client.post(url, {"action": "run"})
    client.post(url, {"action": "end"})  # no committee yet: a message, not an error page
    d.refresh_from_db()
    names = list(Expert.objects.filter(code__in=drawn_codes(d)).values_list("name", flat=True))
    assert names and names[0] in client.get(url).content.decode()
    client.force_login(factories.user(Role.OPERATOR, service_center=op.service_center))
    body = client.get(url).content.decode()
    assert "仅抽取人和监督人员可见" in body and names[0] not in body
    # a bad request on the page: the Chinese message, nothing written
    client.force_login(op)
    r = client.post(
        "/experts/console/draws/", {"lot_code": lot.code, "region_rule": "any", "wanted": "A010101,9"}
    )
    assert "专家不足" in r.content.decode() and Draw.objects.count() == 1


def test_review_rate_and_check_in_through_the_api(client):
    op = helpers.operator()
    d = _revealed_draw(op, helpers.lot(op))
    client.force_login(op)
    code = d.revealed["selected"]["A010101"][0]
    from ggzy.experts.models import CommitteeMember

    member = CommitteeMember.objects.get(expert__code=code)
    r = client.post(
        f"/api/experts/committee-members/{member.pk}/check-in",
        {"remote": True},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["remote"] is True
    r = client.post(
        f"/api/experts/committee-members/{member.pk}/check-in", {}, content_type="application/json"
    )
    assert r.status_code == 409 and r.json()["code"] == "committee.already_checked_in"
    r = client.post(
        f"/api/experts/experts/{code}/ratings",
        {"lot_code": d.lot_code, "punctuality": 5, "conduct": 5, "quality": 4},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["status"] == "active"
    r = client.post(
        f"/api/experts/experts/{code}/status",
        {"status": "suspended", "reason": ""},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["code"] == "expert.reason_required"
    r = client.post(
        f"/api/experts/experts/{code}/status",
        {"status": "suspended", "reason": "本人申请"},
        content_type="application/json",
    )
    assert r.json()["status"] == "suspended"
