"""Draws through the services: commitment, draw, answers, committee, reveal and verification;
avoidance that no role can bypass; confidentiality."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from ggzy.accounts.models import Role
from ggzy.audit.models import AuditEvent
from ggzy.core import clock
from ggzy.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ggzy.crypto import sealing
from ggzy.experts import draw as drawing
from ggzy.experts import selectors, services
from ggzy.experts.models import Draw, DrawStatus, Expert, Invitation, Notification
from ggzy.experts.notify import LoggingSmsBackend
from tests import factories
from tests.experts import helpers

pytestmark = pytest.mark.django_db
WANTED = [{"code": "A010101", "count": 2, "reserves": 1}]


@pytest.fixture(autouse=True)
def _specialties():
    helpers.specialties()


@pytest.fixture
def op():
    return helpers.operator()


@pytest.fixture
def lot(op):
    return helpers.lot(op)


def pool(n=6, **kw):
    return [helpers.expert(**kw) for _ in range(n)]


def drawn_codes(d: Draw) -> list[str]:
    result = sealing.unseal_json(d.sealed_result, context=selectors.result_context(d))
    return [c for ids in result["selected"].values() for c in ids]


def test_full_flow_commit_draw_answer_form_reveal_verify(op, lot, django_capture_on_commit_callbacks):
    experts = pool(6)
    users = {e.code: helpers.expert_user(e) for e in experts}
    d = services.draw_commit(lot=lot, region_rule="any", wanted=WANTED, actor=op)
    assert d.status == DrawStatus.COMMITTED and d.pool_size == 6 and len(d.commitment) == 64
    commit_event = AuditEvent.objects.get(seq=d.commit_seq)
    assert d.commitment in commit_event.summary
    with django_capture_on_commit_callbacks(execute=True):
        d = services.draw_run(draw=d, actor=op)
    run_event = AuditEvent.objects.get(seq=d.draw_seq)
    assert d.public_value == run_event.prev_hash and run_event.seq > commit_event.seq
    first = drawn_codes(d)
    assert len(first) == 2
    assert Invitation.objects.filter(draw=d).count() == 2
    assert Notification.objects.filter(ref=d.code, status="sent").count() == 2  # sent on commit
    # the first expert accepts, the second declines: the reserve is invited
    inv = {
        i["draw_code"] + i["specialty"] + str(i["id"]): i
        for c in first
        for i in selectors.invitations_for(users[c])
    }
    assert len(inv) == 2
    a_inv = selectors.invitations_for(users[first[0]])[0]
    b_inv = selectors.invitations_for(users[first[1]])[0]
    services.invitation_answer(invitation_id=a_inv["id"], accept=True, actor=users[first[0]])
    with pytest.raises(NotFound):  # nobody answers another expert's invitation
        services.invitation_answer(invitation_id=b_inv["id"], accept=True, actor=users[first[0]])
    services.invitation_answer(invitation_id=b_inv["id"], accept=False, actor=users[first[1]])
    d.refresh_from_db()
    now_selected = drawn_codes(d)
    assert first[0] in now_selected and first[1] not in now_selected
    third = next(c for c in now_selected if c != first[0])
    with pytest.raises(InvalidInput) as exc:
        services.committee_form(draw=d, actor=op)
    assert exc.value.code == "committee.unconfirmed"
    with pytest.raises(InvalidInput) as exc:  # the answer window has not passed
        services.invitation_no_answer(draw=d, actor=op)
    assert exc.value.code == "draw.too_early"
    c_inv = selectors.invitations_for(users[third])[0]
    services.invitation_answer(invitation_id=c_inv["id"], accept=True, actor=users[third])
    committee = services.committee_form(draw=d, actor=op)
    assert sorted(m.expert.code for m in committee.members.all()) == sorted([first[0], third])
    assert selectors.committee_of_lot(lot) == committee
    assert selectors.is_committee_member(lot, users[third])
    d.refresh_from_db()
    with pytest.raises(InvalidInput) as exc:  # no opening yet, evaluation not ended
        services.draw_reveal(draw=d, actor=op)
    assert exc.value.code == "draw.too_early"
    services.committee_end(committee=committee, actor=op)
    d = services.draw_reveal(draw=d, actor=op)
    assert d.status == DrawStatus.REVEALED
    result = selectors.verify_draw(d.code)
    assert result["ok"], result["problems"]
    assert d.revealed["declined"] == [first[1]]
    # the command and the file verifier agree
    out = StringIO()
    call_command("experts", "verify-draw", d.code, stdout=out)
    assert "验证通过" in out.getvalue()
    # anyone can see the result now, with names
    assert {m["name"] for m in selectors.draw_result(d, None)["members"] if m["role"] == "selected"} == {
        Expert.objects.get(code=first[0]).name,
        Expert.objects.get(code=third).name,
    }


def _revealed_draw(op, lot) -> Draw:
    experts = pool(4)
    users = {e.code: helpers.expert_user(e) for e in experts}
    d = services.draw_run(
        draw=services.draw_commit(
            lot=lot, region_rule="any", wanted=[{"code": "A010101", "count": 2}], actor=op
        ),
        actor=op,
    )
    for c in drawn_codes(d):
        services.invitation_answer(
            invitation_id=selectors.invitations_for(users[c])[0]["id"], accept=True, actor=users[c]
        )
    committee = services.committee_form(draw=d, actor=op)
    services.committee_end(committee=committee, actor=op)
    return services.draw_reveal(draw=d, actor=op)


def test_changing_any_revealed_part_makes_verification_fail(op, lot, tmp_path):
    d = _revealed_draw(op, lot)
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(d.revealed, ensure_ascii=False))
    assert drawing.verify(json.loads(path.read_text())).ok
    for change in ("seed", "snapshot", "selected", "public_value"):
        rec = json.loads(path.read_text())
        if change == "seed":
            rec["seed"] = "00" + rec["seed"][2:]
        elif change == "snapshot":
            rec["snapshot"][0]["region"] = "140202"
        elif change == "selected":
            rec["selected"]["A010101"].reverse()
        else:
            rec["public_value"] = "ff" * 32
        Draw.objects.filter(pk=d.pk).update(revealed=rec)
        assert not selectors.verify_draw(d.code)["ok"], change
        if change == "public_value":
            # offline, a changed public value is caught only when it changes the order (the file
            # verifier cannot see the audit chain; the database check above compares the two)
            continue
        bad = tmp_path / f"{change}.json"
        bad.write_text(json.dumps(rec))
        with pytest.raises(SystemExit) as exc:
            call_command("experts", "verify-draw", "--file", str(bad), stdout=StringIO())
        assert exc.value.code == 1


def test_a_pool_row_changed_after_the_commitment_does_not_change_the_draw(op, lot):
    experts = pool(5)
    d = services.draw_commit(lot=lot, region_rule="any", wanted=[{"code": "A010101", "count": 2}], actor=op)
    snap_before = sealing.unseal_json(d.sealed_snapshot, context=selectors.snapshot_context(d))
    Expert.objects.filter(pk=experts[0].pk).update(region_code="140202")
    d = services.draw_run(draw=d, actor=op)
    snap = sealing.unseal_json(d.sealed_snapshot, context=selectors.snapshot_context(d))
    assert snap == snap_before  # the draw uses the committed snapshot only
    # a snapshot rewritten to the new row no longer opens the commitment
    changed = [dict(r, region="140202") if r["id"] == experts[0].code else r for r in snap]
    criteria = sealing.unseal_json(d.sealed_criteria, context=selectors.criteria_context(d))
    seed = sealing.unseal(d.sealed_seed, context=selectors.seed_context(d))
    assert drawing.commitment(seed, changed, criteria) != d.commitment


def test_too_few_experts_names_the_specialty_and_writes_nothing(op, lot):
    pool(2)
    before = (Draw.objects.count(), AuditEvent.objects.count())
    with pytest.raises(InvalidInput) as exc:
        services.draw_commit(
            lot=lot, region_rule="any",
            wanted=[{"code": "A010101", "count": 2, "reserves": 1}, {"code": "A020101", "count": 1}], actor=op,
        )  # fmt: skip
    assert exc.value.code == "draw.too_few_experts"
    assert "A010101" in exc.value.message and "缺1人" in exc.value.message
    assert "A020101" in exc.value.message
    assert exc.value.details["missing"] == {"A010101": 1, "A020101": 1}
    assert (Draw.objects.count(), AuditEvent.objects.count()) == before


def test_every_avoidance_rule_holds(op, settings):
    settings.GGZY_EXPERT_MAX_DRAWS = 1
    lot = helpers.lot(op)
    project = lot.project
    from tests.trading import helpers as th

    agency = th.agency()
    project.agency_uscc = agency.uscc
    project.save(update_fields=["agency_uscc"])
    bidder = factories.valid_uscc(8888)
    dept = factories.department("140100", "housing")  # supervises engineering in 太原
    avoided = {
        "tenderer": helpers.expert(employer=project.tenderer_uscc),
        "agency": helpers.expert(employer=agency.uscc),
        "bidder": helpers.expert(employer=bidder),
        "declared": helpers.expert(declarations=[{"uscc": bidder, "kind": "interest"}]),
        "department": helpers.expert(department=dept),
        "penalised": helpers.expert(),
        "suspended": helpers.expert(status="suspended"),
        "offsite": helpers.expert(region="140202"),
    }
    services.expert_penalise(
        expert=avoided["penalised"], reason="评标中违规", basis="评标专家和评标专家库管理办法",
        starts_on=clock.today(), ends_on=None, actor=helpers.supervisor(),
    )  # fmt: skip
    ok = pool(3)
    d = services.draw_commit(lot=lot, region_rule="local", wanted=[{"code": "A010101", "count": 1}],
                             avoid_usccs=[bidder], actor=op)  # fmt: skip
    snap = {r["id"] for r in sealing.unseal_json(d.sealed_snapshot, context=selectors.snapshot_context(d))}
    assert snap == {e.code for e in ok}
    assert not snap & {e.code for e in avoided.values()}
    d = services.draw_run(draw=d, actor=op)
    picked = drawn_codes(d)[0]
    # K = 1 within N days: the expert just drawn is left out of the next draw for another tenderer
    lot2 = helpers.lot(op, name="另一个工程", tenderer_uscc=th.entity(120, ["tenderer"]).uscc)
    d2 = services.draw_commit(
        lot=lot2, region_rule="local", wanted=[{"code": "A010101", "count": 1}], actor=op
    )
    snap2 = {r["id"] for r in sealing.unseal_json(d2.sealed_snapshot, context=selectors.snapshot_context(d2))}
    assert picked not in snap2 and snap2 >= {e.code for e in ok} - {picked}


def test_same_tenderer_within_n_days_is_avoided(op, settings):
    settings.GGZY_EXPERT_MAX_DRAWS = 99
    lot = helpers.lot(op)
    pool(3)
    d = services.draw_run(
        draw=services.draw_commit(
            lot=lot, region_rule="any", wanted=[{"code": "A010101", "count": 1}], actor=op
        ),
        actor=op,
    )
    picked = drawn_codes(d)[0]
    lot2 = helpers.lot(op, name="同一招标人的另一个工程")
    d2 = services.draw_commit(lot=lot2, region_rule="any", wanted=[{"code": "A010101", "count": 1}], actor=op)
    snap2 = {r["id"] for r in sealing.unseal_json(d2.sealed_snapshot, context=selectors.snapshot_context(d2))}
    assert picked not in snap2 and len(snap2) == 2
    # after N days the expert may evaluate for that tenderer again
    later = clock.now() + dt.timedelta(days=settings.GGZY_EXPERT_SAME_TENDERER_DAYS + 1)
    with time_machine.travel(later, tick=False):
        lot3 = helpers.lot(op, name="同一招标人的第三个工程")
        d3 = services.draw_commit(
            lot=lot3, region_rule="any", wanted=[{"code": "A010101", "count": 1}], actor=op
        )
    snap3 = {r["id"] for r in sealing.unseal_json(d3.sealed_snapshot, context=selectors.snapshot_context(d3))}
    assert picked in snap3


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.SUPERVISOR, Role.INSPECTOR, Role.AUDITOR, Role.PLATFORM_ADMIN,
                                  Role.EXPERT, Role.ENTITY_ADMIN])  # fmt: skip
def test_no_role_can_draw_for_a_lot_outside_its_platform_or_name_an_expert(role, lot):
    pool(3)
    actor = factories.user(role, service_center=factories.service_center("140200")) if role == Role.OPERATOR else (
        factories.user(role))  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.draw_commit(
            lot=lot, region_rule="any", wanted=[{"code": "A010101", "count": 1}], actor=actor
        )
    # the services take no expert: there is no parameter through which one could be named
    import inspect

    for name in ("draw_commit", "draw_run", "committee_form", "invitation_no_answer"):
        params = set(inspect.signature(getattr(services, name)).parameters)
        assert not params & {"expert", "experts", "expert_code", "member", "members", "include"}, name


def test_results_are_confidential_until_the_evaluation_starts(op, lot, client):
    pool(4)
    d = services.draw_run(
        draw=services.draw_commit(
            lot=lot, region_rule="any", wanted=[{"code": "A010101", "count": 2}], actor=op
        ),
        actor=op,
    )
    codes = drawn_codes(d)
    names = list(Expert.objects.filter(code__in=codes).values_list("name", flat=True))
    # stored sealed: no expert code in the draw's or invitations' stored bytes
    raw = (
        bytes(d.sealed_result)
        + bytes(d.sealed_snapshot)
        + b"".join(bytes(i.sealed) for i in d.invitations.all())
    )
    for c in codes:
        assert c.encode() not in raw
        assert not Invitation.objects.filter(expert_tag__contains=c).exists()
    assert selectors.draw_result(d, op)["members"]
    assert selectors.draw_result(d, helpers.supervisor())["members"]  # 住建 supervises engineering
    other_op = factories.user(Role.OPERATOR, service_center=op.service_center)
    for viewer in (other_op, factories.user(Role.INSPECTOR), helpers.supervisor(kind="finance"), None):
        with pytest.raises(PermissionDenied):
            selectors.draw_result(d, viewer)
    # the public page and the API show the commitment but no name or code
    for url in (f"/experts/draws/{d.code}/", f"/api/experts/draws/{d.code}"):
        body = client.get(url).content.decode()
        assert d.commitment in body
        for text in codes + names:
            assert text not in body, url
    with pytest.raises(Conflict):
        services.draw_run(draw=d, actor=op)


def test_notifications_go_through_the_outbox_backend(op, lot, settings, django_capture_on_commit_callbacks):
    pool(3)
    LoggingSmsBackend.sent.clear()
    settings.GGZY_SMS_BACKEND = "ggzy.experts.notify.FailingSmsBackend"
    with django_capture_on_commit_callbacks(execute=True):
        d = services.draw_run(
            draw=services.draw_commit(
                lot=lot, region_rule="any", wanted=[{"code": "A010101", "count": 1}], actor=op
            ),
            actor=op,
        )
    n = Notification.objects.get(ref=d.code)
    assert n.status == "pending" and n.attempts == 1 and "短信网关不可用" in n.error
    phone = Expert.objects.get(code=drawn_codes(d)[0]).phone
    assert phone.encode() not in bytes(n.sealed)
    settings.GGZY_SMS_BACKEND = "ggzy.experts.notify.LoggingSmsBackend"
    assert services.notifications_dispatch() == 1
    assert LoggingSmsBackend.sent[-1][0] == phone and d.code in LoggingSmsBackend.sent[-1][1]


def test_the_audit_trail_does_not_name_a_drawn_expert_before_the_reveal(op, lot):
    experts = pool(3)
    users = {e.code: helpers.expert_user(e) for e in experts}
    d = services.draw_run(
        draw=services.draw_commit(
            lot=lot, region_rule="any", wanted=[{"code": "A010101", "count": 1}], actor=op
        ),
        actor=op,
    )
    code = drawn_codes(d)[0]
    inv = selectors.invitations_for(users[code])[0]
    services.invitation_answer(invitation_id=inv["id"], accept=True, actor=users[code])
    e = Expert.objects.get(code=code)
    for ev in AuditEvent.objects.all():
        text = f"{ev.actor_label}|{ev.summary}|{ev.object_id}|{ev.actor_id}"
        assert e.name not in text and code not in text and users[code].username not in text
        assert ev.actor_id != users[code].pk


def test_the_invitation_tags_give_the_same_history_as_the_sealed_results(op, settings):
    """eligible_pool reads the K-in-N and same-tenderer facts from the invitations' keyed tags; the
    sealed results of every recent draw (the reference) say the same, declines and cancels included."""
    settings.GGZY_EXPERT_MAX_DRAWS = 99
    from tests.trading import helpers as th

    experts = pool(10)
    users = {e.code: helpers.expert_user(e) for e in experts}
    wanted = [{"code": "A010101", "count": 2, "reserves": 1}]
    lot1 = helpers.lot(op)
    d1 = services.draw_run(
        draw=services.draw_commit(lot=lot1, region_rule="any", wanted=wanted, actor=op), actor=op
    )
    a, b = drawn_codes(d1)
    services.invitation_answer(
        invitation_id=selectors.invitations_for(users[a])[0]["id"], accept=True, actor=users[a]
    )
    services.invitation_answer(
        invitation_id=selectors.invitations_for(users[b])[0]["id"], accept=False, actor=users[b]
    )
    other = th.entity(121, ["tenderer"]).uscc
    lot2 = helpers.lot(op, name="另一个招标人的工程", tenderer_uscc=other)
    services.draw_run(
        draw=services.draw_commit(lot=lot2, region_rule="any", wanted=wanted, actor=op), actor=op
    )
    lot3 = helpers.lot(op, name="同一招标人的另一个工程")
    d3 = services.draw_run(
        draw=services.draw_commit(lot=lot3, region_rule="any", wanted=wanted, actor=op), actor=op
    )
    services.draw_cancel(draw=d3, reason="标段终止", actor=op)
    codes = [e.code for e in experts]
    now = clock.now()
    ref_times, ref_by_tenderer = selectors.recent_draw_history(now)
    for tenderer in (lot1.project.tenderer_uscc, other):
        times, same = selectors._recent_invitations(codes, tenderer, now)
        assert dict(times) == {c: n for c, n in ref_times.items() if n}
        assert same == ref_by_tenderer.get(tenderer, set())
    assert b not in selectors._recent_invitations(codes, lot1.project.tenderer_uscc, now)[1]  # declined
    assert a in selectors._recent_invitations(codes, lot1.project.tenderer_uscc, now)[1]


def test_a_draw_committed_before_the_faster_sealing_still_runs_and_verifies(op, lot):
    """Draws committed before 2026-11-26 sealed the snapshot with seal_json (other separators): they
    run, and reveal with the same commitment."""
    experts = pool(4)
    users = {e.code: helpers.expert_user(e) for e in experts}
    d = services.draw_commit(lot=lot, region_rule="any", wanted=[{"code": "A010101", "count": 2}], actor=op)
    snap = sealing.unseal_json(d.sealed_snapshot, context=selectors.snapshot_context(d))
    Draw.objects.filter(pk=d.pk).update(
        sealed_snapshot=sealing.seal_json(snap, context=selectors.snapshot_context(d))
    )
    d = services.draw_run(draw=Draw.objects.get(pk=d.pk), actor=op)
    for c in drawn_codes(d):
        services.invitation_answer(
            invitation_id=selectors.invitations_for(users[c])[0]["id"], accept=True, actor=users[c]
        )
    services.committee_end(committee=services.committee_form(draw=d, actor=op), actor=op)
    d = services.draw_reveal(draw=d, actor=op)
    assert selectors.verify_draw(d.code)["ok"]
