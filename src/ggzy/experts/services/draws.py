"""Draws, invitations, committees and the reveal (招标投标法第三十七条; 招标投标法实施条例第四十六条:
评标委员会的专家成员应当从评标专家库内相关专业的专家名单中以随机抽取方式确定; 任何单位和个人不得以明示、
暗示等任何方式指定或者变相指定参加评标委员会的专家成员).

The flow, each step one audited service:
1. ``draw_commit``: the operator's request (specialties and counts, region rule, reserves, the
   organisations to avoid besides the tenderer and agency). The eligible pool is computed by the
   avoidance rules, a secret seed made, and the commitment published. A shortage is refused here.
2. ``draw_run``: the draw's audit event is written first; the chain head it follows is the public
   value. The order and the committee follow from the pure ``experts.draw`` module only.
3. ``invitation_answer`` (the expert) / ``invitation_no_answer`` (after the answer window): a decline
   moves the next in line up, by recomputing the allocation with the declines.
4. ``committee_form`` when the evaluation starts; ``committee_check_in``; ``committee_end``.
5. ``draw_reveal`` once the opening has passed or the evaluation has ended: seed, snapshot and
   result become public and anyone can verify.
There is no service that takes a chosen expert.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import transaction

from ggzy.audit import services as audit
from ggzy.core import clock
from ggzy.core.errors import Conflict, FieldError, InvalidInput, NotFound, PermissionDenied, invalid
from ggzy.core.permissions import SYSTEM, require
from ggzy.crypto import sealing
from ggzy.experts import draw as drawing
from ggzy.experts import selectors
from ggzy.experts.models import (
    Committee,
    CommitteeMember,
    Draw,
    DrawStatus,
    Expert,
    Invitation,
    InvitationStatus,
)
from ggzy.experts.services import notify
from ggzy.experts.services.rows import insert as insert_rows

CLOSED_LOT_STATUSES = ("terminated", "failed")
MAX_PER_SPECIALTY = 50


class _ConcealedExpert:
    """Who answers an invitation, as written to the audit trail: the expert's identity stays
    confidential until the draw is revealed (the trail is readable by inspectors and auditors).
    The invitation id in the event links it to the revealed answers afterwards."""

    pk = None
    is_authenticated = True

    def audit_label(self) -> str:
        return "评标专家（身份在评标结束后随抽取数据公开）"


def _label(actor: Any) -> str:
    return actor.audit_label() if hasattr(actor, "audit_label") else str(actor)


def _clean_wanted(wanted: Iterable[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The cleaned request, and the wanted codes with every code below them (one query for both)."""
    errors: list[FieldError] = []
    out: list[dict[str, Any]] = []
    rows = list(wanted or [])
    if not rows:
        raise InvalidInput("draw.no_specialty", "请至少填写一个抽取专业及人数", field="wanted")
    codes = [str(r.get("code", "")).strip().upper() for r in rows]
    below = selectors.specialty_codes_below([c for c in codes if c])
    known = set(codes) & set(below)
    for i, (r, code) in enumerate(zip(rows, codes, strict=True), start=1):
        if code not in known:
            errors.append(FieldError("draw.unknown_specialty", f"第{i}项：专业代码“{code}”不存在", "wanted"))
            continue
        try:
            count, reserves = int(r.get("count")), int(r.get("reserves", 0) or 0)
        except (TypeError, ValueError):
            errors.append(FieldError("draw.bad_count", f"第{i}项：人数和备选人数应为整数", "wanted"))
            continue
        if not 1 <= count <= MAX_PER_SPECIALTY or not 0 <= reserves <= MAX_PER_SPECIALTY:
            errors.append(
                FieldError(
                    "draw.bad_count",
                    f"第{i}项：抽取人数应为1至{MAX_PER_SPECIALTY}人，备选人数不能为负",
                    "wanted",
                )
            )
            continue
        out.append({"code": code, "count": count, "reserves": reserves})
    if len({r["code"] for r in out}) != len(out):
        errors.append(FieldError("draw.duplicate_specialty", "同一专业只能填写一次", "wanted"))
    for a in out:
        for b in out:
            if a is not b and b["code"].startswith(a["code"]):
                errors.append(
                    FieldError(
                        "draw.overlapping_specialty",
                        f"专业{b['code']}包含在{a['code']}之内，请合并填写",
                        "wanted",
                    )
                )
    if errors:
        raise invalid(errors, "抽取条件")
    return out, [c for c in below if any(c.startswith(w["code"]) for w in out)]


@lru_cache(maxsize=8192)
def _valid_uscc(code: str) -> bool:
    """``uscc.is_valid`` of a normalised code, remembered: a draw names ~50 organisations, most of
    them the same from one draw to the next (a pure function of the string)."""
    from ggzy.core import uscc

    return uscc.is_valid(code)


def _bidder_usccs(lot: Any) -> set[str]:
    """The lot's bidders, once the sealed-bid app provides them (see docs/experts.md)."""
    return set()


def _lock(draw: Draw) -> Draw:
    return Draw.objects.select_for_update().select_related("lot", "lot__project").get(pk=draw.pk)


def _require_runner(d: Draw, actor: Any) -> None:
    require(actor, "expert.draw", d.lot)
    if actor is not SYSTEM and d.operator_id != getattr(actor, "pk", None):
        raise PermissionDenied(
            "draw.not_runner", "只有发起本次抽取的工作人员可以办理（抽取结果对其他人保密）"
        )


# --- 1. commit ------------------------------------------------------------------------------------------
@transaction.atomic
def draw_commit(
    *,
    lot: Any,
    region_rule: str,
    wanted: Iterable[Mapping[str, Any]],
    avoid_usccs: Iterable[str] = (),
    actor: Any,
) -> Draw:
    require(actor, "expert.draw", lot)
    from ggzy.core import uscc

    project = lot.project
    if lot.status in CLOSED_LOT_STATUSES or lot.status == "draft":
        raise InvalidInput("draw.lot_not_open", f"标段（包）当前状态为“{lot.status}”，不能抽取评标专家")
    if region_rule not in drawing.REGION_RULES:
        raise InvalidInput(
            "draw.bad_region_rule", "地区规则应为本地、异地（其他设区市）或不限", field="region_rule"
        )
    clean, codes = _clean_wanted(wanted)
    extra = set()
    for raw in avoid_usccs or ():
        code = uscc.normalise(str(raw))
        if not code:
            continue
        if not _valid_uscc(code):
            raise InvalidInput(
                "draw.bad_avoid_uscc", f"回避单位的统一社会信用代码“{raw}”有误", field="avoid_usccs"
            )
        extra.add(code)
    avoid = {
        project.tenderer_uscc,
        *([project.agency_uscc] if project.agency_uscc else []),
        *_bidder_usccs(lot),
        *extra,
    }
    n = Draw.objects.filter(lot=lot).count() + 1
    code = f"{lot.code}-Z{n:02d}"
    criteria = {
        "request_id": code,
        "lot_region": project.region_code,
        "region_rule": region_rule,
        "specialties": clean,
        "avoid_orgs": sorted(avoid),
    }
    pool = selectors.eligible_pool(
        lot_region=project.region_code,
        category=project.category,
        tenderer_uscc=project.tenderer_uscc,
        region_rule=region_rule,
        wanted=[w["code"] for w in clean],
        avoid_orgs=avoid,
        codes=codes,
    )
    prepared = drawing.prepare_canonical(pool.rows, criteria)  # canonical JSON, once
    short = drawing.shortage_of(prepared)
    if short:
        names = selectors.specialty_names(short)
        parts = "；".join(f"专业{c}（{names.get(c, '')}）还缺{k}人" for c, k in short.items())
        raise InvalidInput(
            "draw.too_few_experts",
            f"符合条件（已执行回避）的专家不足，无法抽取：{parts}。请调整专业、地区规则或备选人数，本次未作任何记录。",
            field="wanted",
            details={"missing": short},
        )
    seed = secrets.token_bytes(32)
    commitment = drawing.commitment_of(seed, prepared)
    now = clock.now()
    d = Draw(
        code=code,
        lot=lot,
        lot_code=lot.code,
        tenderer_uscc=project.tenderer_uscc,
        region_rule=region_rule,
        wanted=clean,
        status=DrawStatus.COMMITTED,
        operator_id=getattr(actor, "pk", None),
        operator_label=_label(actor),
        pool_size=len(pool.rows),
        commitment=commitment,
        committed_at=now,
        commit_seq=0,
    )
    d.sealed_seed = sealing.seal(seed, context=selectors.seed_context(d))
    # the snapshot is sealed as the very bytes the commitment hashed (canonical JSON)
    d.sealed_snapshot = sealing.seal(prepared.data, context=selectors.snapshot_context(d))
    d.sealed_criteria = sealing.seal_json(prepared.criteria, context=selectors.criteria_context(d))
    event = audit.record(
        actor=actor,
        action="expert.draw_commit",
        object_type="experts.draw",
        object_id=code,
        summary={
            "commitment": commitment,
            "lot": lot.code,
            "region_rule": region_rule,
            "wanted": clean,
            "pool_size": len(pool.rows),
            "avoided": dict(pool.avoided),
        },
        project_ref=project.code,
    )
    d.commit_seq = event.seq
    d.save(force_insert=True)
    return d


# --- 2. run ---------------------------------------------------------------------------------------------
def _secrets(d: Draw) -> tuple[bytes, list, dict]:
    seed = sealing.unseal(d.sealed_seed, context=selectors.seed_context(d))
    snapshot = sealing.unseal_json(d.sealed_snapshot, context=selectors.snapshot_context(d))
    criteria = sealing.unseal_json(d.sealed_criteria, context=selectors.criteria_context(d))
    return seed, snapshot, criteria


def _allocate(d: Draw, declined: Iterable[str]) -> drawing.Allocation:
    # the sealed snapshot and criteria are the canonical forms the commitment covered, and SM4-GCM
    # authenticates them: they are not canonicalised again
    seed, snapshot, criteria = _secrets(d)
    return drawing.run_canonical(
        seed=seed, public_value=d.public_value, rows=snapshot, criteria=criteria, declined=declined
    )


def _invite_new(d: Draw, result: dict[str, Any], now: dt.datetime) -> list[str]:
    """Invite every selected expert not yet invited; returns their codes."""
    new: list[tuple[str, str]] = []
    for spec, codes in result["selected"].items():
        for code in codes:
            if code in result["answers"]:
                continue
            result["answers"][code] = InvitationStatus.SENT
            result["invited"].append(code)
            new.append((code, spec))
    if not new:
        return []
    context = f"experts.invitation:{d.code}"
    tags = sealing.tags("expert", [c for c, _ in new])
    insert_rows(
        Invitation,
        ("draw", "expert_tag", "sealed", "status", "sent_at"),
        [
            (
                d.pk,
                tag,
                sealing.seal_json({"expert": c, "specialty": spec}, context=context),
                InvitationStatus.SENT,
                now,
            )
            for (c, spec), tag in zip(new, tags, strict=True)
        ],
    )
    phones = dict(Expert.objects.filter(code__in=[c for c, _ in new]).values_list("code", "phone"))
    text = (
        f"【{settings.GGZY_SITE_NAME}】您已被随机抽取为评标专家（抽取编号{d.code}），"
        f"请在{settings.GGZY_EXPERT_ANSWER_MINUTES}分钟内登录平台“我的抽取通知”确认是否参加。"
    )
    notify.enqueue_many(
        purpose="expert.invitation", ref=d.code, messages=[(phones.get(c, ""), text) for c, _ in new], now=now
    )
    return [c for c, _ in new]


def _save_result(d: Draw, alloc: drawing.Allocation, result: dict[str, Any]) -> None:
    result.update(
        selected=alloc.selected, reserves=alloc.reserves, skipped=alloc.skipped, missing=alloc.missing
    )
    d.sealed_result = sealing.seal_json(result, context=selectors.result_context(d))


@transaction.atomic
def draw_run(*, draw: Draw, actor: Any) -> Draw:
    d = _lock(draw)
    _require_runner(d, actor)
    if d.status != DrawStatus.COMMITTED:
        raise Conflict("draw.already_run", f"抽取{d.code}当前状态为“{d.get_status_display()}”，不能再次抽取")
    event = audit.record(
        actor=actor,
        action="expert.draw_run",
        object_type="experts.draw",
        object_id=d.code,
        summary={"commitment": d.commitment, "lot": d.lot_code},
        project_ref=d.lot.project.code,
    )
    now = clock.now()
    d.public_value, d.draw_seq, d.drawn_at = event.prev_hash, event.seq, now
    alloc = _allocate(d, ())
    if alloc.missing:  # cannot happen: the commitment refused any shortage and the pool is frozen
        raise InvalidInput("draw.too_few_experts", "符合条件的专家不足，无法抽取")
    result: dict[str, Any] = {"declined": [], "answers": {}, "invited": []}
    result.update(selected=alloc.selected)
    _invite_new(d, result, now)
    _save_result(d, alloc, result)
    d.status = DrawStatus.DRAWN
    d.version += 1
    d.save(update_fields=["public_value", "draw_seq", "drawn_at", "sealed_result", "status", "version"])
    transaction.on_commit(notify.dispatch_later)
    return d


# --- 3. answers ---------------------------------------------------------------------------------------------
def _answer(d: Draw, code: str, status: str, now: dt.datetime) -> dict[str, Any]:
    result = sealing.unseal_json(d.sealed_result, context=selectors.result_context(d))
    result["answers"][code] = status
    if status != InvitationStatus.ACCEPTED:
        result["declined"] = sorted(set(result["declined"]) | {code})
    alloc = _allocate(d, result["declined"])
    result.update(selected=alloc.selected)
    _invite_new(d, result, now)
    _save_result(d, alloc, result)
    d.version += 1
    d.save(update_fields=["sealed_result", "version"])
    return result


def _invitation_payload(inv: Invitation) -> dict[str, Any]:
    return sealing.unseal_json(inv.sealed, context=f"experts.invitation:{inv.draw.code}")


@transaction.atomic
def invitation_answer(*, invitation_id: int, accept: bool, actor: Any) -> Invitation:
    """The invited expert accepts or declines (only its own invitation, only once)."""
    expert = selectors.expert_of_user(actor)
    inv = Invitation.objects.select_related("draw").filter(pk=invitation_id).first()
    if expert is None or inv is None or inv.expert_tag != sealing.tag("expert", expert.code):
        raise NotFound("invitation.not_found", "未找到您的这条抽取通知")
    d = _lock(inv.draw)
    inv = Invitation.objects.select_for_update().get(pk=inv.pk)
    if inv.status != InvitationStatus.SENT or d.status != DrawStatus.DRAWN:
        raise Conflict("invitation.closed", f"该通知已处理（{inv.get_status_display()}），不能再答复")
    now = clock.now()
    inv.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
    inv.answered_at = now
    inv.save(update_fields=["status", "answered_at"])
    result = _answer(d, expert.code, inv.status, now)
    audit.record(
        actor=_ConcealedExpert(),
        action="expert.invitation_answer",
        object_type="experts.draw",
        object_id=d.code,
        summary={"invitation": inv.pk, "accepted": accept, "missing": result["missing"]},
        project_ref=d.lot.project.code,
    )
    transaction.on_commit(notify.dispatch_later)
    return inv


@transaction.atomic
def invitation_no_answer(*, draw: Draw, actor: Any) -> int:
    """The runner records every invitation left unanswered past GGZY_EXPERT_ANSWER_MINUTES as
    "no answer": the next in line moves up. Earlier than that is refused."""
    d = _lock(draw)
    _require_runner(d, actor)
    if d.status != DrawStatus.DRAWN:
        raise Conflict("draw.not_drawn", "该次抽取不在等待专家确认的阶段")
    now = clock.now()
    limit = now - dt.timedelta(minutes=settings.GGZY_EXPERT_ANSWER_MINUTES)
    open_ = list(Invitation.objects.select_for_update().filter(draw=d, status=InvitationStatus.SENT))
    if not open_:
        raise InvalidInput("draw.nothing_open", "没有待确认的通知")
    late = [i for i in open_ if i.sent_at <= limit]
    if not late:
        raise InvalidInput(
            "draw.too_early",
            f"通知发出不满{settings.GGZY_EXPERT_ANSWER_MINUTES}分钟，不能记为未应答",
        )
    for inv in late:
        code = _invitation_payload(inv)["expert"]
        inv.status, inv.answered_at = InvitationStatus.NO_ANSWER, now
        inv.save(update_fields=["status", "answered_at"])
        result = _answer(d, code, InvitationStatus.NO_ANSWER, now)
    audit.record(
        actor=actor,
        action="expert.invitation_no_answer",
        object_type="experts.draw",
        object_id=d.code,
        summary={"no_answer": len(late), "missing": result["missing"]},
        project_ref=d.lot.project.code,
    )
    transaction.on_commit(notify.dispatch_later)
    return len(late)


# --- 4. committee -------------------------------------------------------------------------------------------
@transaction.atomic
def committee_form(*, draw: Draw, actor: Any) -> Committee:
    """When the evaluation starts: the confirmed experts form the lot's evaluation committee."""
    d = _lock(draw)
    _require_runner(d, actor)
    if d.status != DrawStatus.DRAWN:
        raise Conflict(
            "draw.not_drawn", f"抽取{d.code}当前状态为“{d.get_status_display()}”，不能组建评标委员会"
        )
    result = sealing.unseal_json(d.sealed_result, context=selectors.result_context(d))
    if result["missing"]:
        parts = "；".join(f"专业{c}缺{k}人" for c, k in result["missing"].items())
        raise InvalidInput("committee.missing", f"备选专家已用尽，{parts}，请另行发起补充抽取")
    pending = [
        c for ids in result["selected"].values() for c in ids if result["answers"].get(c) != "accepted"
    ]
    if pending:
        raise InvalidInput(
            "committee.unconfirmed", f"还有{len(pending)}位抽中的专家未确认参加，不能组建评标委员会"
        )
    now = clock.now()
    committee = Committee.objects.create(lot=d.lot, draw=d, formed_at=now, formed_by_label=_label(actor))
    experts = {
        e.code: e
        for e in Expert.objects.filter(code__in=[c for ids in result["selected"].values() for c in ids])
    }
    CommitteeMember.objects.bulk_create(
        [
            CommitteeMember(committee=committee, expert=experts[c], specialty_code=spec)
            for spec, ids in result["selected"].items()
            for c in ids
        ]
    )
    d.status = DrawStatus.FORMED
    d.version += 1
    d.save(update_fields=["status", "version"])
    audit.record(
        actor=actor,
        action="expert.committee_form",
        object_type="experts.committee",
        object_id=committee.pk,
        summary={
            "draw": d.code,
            "lot": d.lot_code,
            "members": sum(len(v) for v in result["selected"].values()),
        },
        project_ref=d.lot.project.code,
    )
    return committee


@transaction.atomic
def committee_check_in(*, member_id: int, remote: bool, actor: Any) -> CommitteeMember:
    """签到: at the venue, or from a remote evaluation room (远程异地评标)."""
    member = (
        CommitteeMember.objects.select_for_update()
        .select_related("committee__lot__project")
        .filter(pk=member_id)
        .first()
    )
    if member is None:
        raise NotFound("committee.member_not_found", "未找到该评标委员会成员")
    require(actor, "trade.operate", member.committee.lot)
    if member.checked_in_at is not None:
        raise Conflict("committee.already_checked_in", "该专家已签到")
    member.checked_in_at, member.remote = clock.now(), bool(remote)
    member.save(update_fields=["checked_in_at", "remote"])
    audit.record(
        actor=actor,
        action="expert.check_in",
        object_type="experts.committee",
        object_id=member.committee_id,
        summary={"member": member.pk, "remote": member.remote},
        project_ref=member.committee.lot.project.code,
    )
    return member


@transaction.atomic
def committee_end(*, committee: Committee, actor: Any) -> Committee:
    """The service center records the end of the evaluation."""
    committee = Committee.objects.select_for_update().select_related("lot__project").get(pk=committee.pk)
    require(actor, "trade.operate", committee.lot)
    if committee.evaluation_ended_at is not None:
        raise Conflict("committee.already_ended", "评标已结束")
    committee.evaluation_ended_at = clock.now()
    committee.save(update_fields=["evaluation_ended_at"])
    audit.record(
        actor=actor,
        action="expert.evaluation_end",
        object_type="experts.committee",
        object_id=committee.pk,
        summary={"lot": committee.lot.code},
        project_ref=committee.lot.project.code,
    )
    return committee


# --- 5. reveal -----------------------------------------------------------------------------------------------
@transaction.atomic
def draw_reveal(*, draw: Draw, actor: Any) -> Draw:
    """Publish seed, snapshot, criteria and result. Allowed once the committee is formed and the
    lot's opening has passed, or after the evaluation ended."""
    from ggzy.trading import selectors as trading

    d = _lock(draw)
    require(actor, "expert.draw", d.lot)
    if d.status != DrawStatus.FORMED:
        raise Conflict(
            "draw.not_formed", f"抽取{d.code}当前状态为“{d.get_status_display()}”，组建评标委员会后才能公开"
        )
    committee = Committee.objects.get(draw=d)
    opening = trading.lot_event_time(d.lot, "opening")
    now = clock.now()
    opened = opening is not None and not opening.provisional and opening.at <= now
    if not opened and committee.evaluation_ended_at is None:
        raise InvalidInput("draw.too_early", "开标时间未到且评标尚未结束，抽取数据不能公开")
    seed, snapshot, criteria = _secrets(d)
    result = sealing.unseal_json(d.sealed_result, context=selectors.result_context(d))
    alloc = drawing.Allocation(selected=result["selected"], reserves=result["reserves"])
    record = drawing.export(
        request_id=d.code,
        seed=seed,
        public_value=d.public_value,
        snapshot=snapshot,
        criteria=criteria,
        declined=result["declined"],
        commitment_hex=d.commitment,
        allocation=alloc,
    )
    record["answers"] = result["answers"]
    record["draw_seq"], record["commit_seq"] = d.draw_seq, d.commit_seq
    check = drawing.verify(record)
    if not check.ok:  # never publish a draw that does not verify: that is an incident
        raise Conflict("draw.verification_failed", "抽取数据自检未通过：" + "；".join(check.problems))
    d.revealed, d.revealed_at, d.status = record, now, DrawStatus.REVEALED
    d.version += 1
    d.save(update_fields=["revealed", "revealed_at", "status", "version"])
    audit.record(
        actor=actor,
        action="expert.draw_reveal",
        object_type="experts.draw",
        object_id=d.code,
        summary={"seed": record["seed"], "commitment": d.commitment},
        project_ref=d.lot.project.code,
    )
    return d


@transaction.atomic
def draw_cancel(*, draw: Draw, reason: str, actor: Any) -> Draw:
    """Cancel a draw before its committee is formed (e.g. the lot was terminated). It stays on record."""
    d = _lock(draw)
    _require_runner(d, actor)
    if not (reason or "").strip():
        raise InvalidInput("draw.reason_required", "请填写撤销原因", field="reason")
    if d.status not in (DrawStatus.COMMITTED, DrawStatus.DRAWN):
        raise Conflict("draw.not_cancellable", f"抽取{d.code}当前状态为“{d.get_status_display()}”，不能撤销")
    Invitation.objects.filter(draw=d, status=InvitationStatus.SENT).update(status=InvitationStatus.WITHDRAWN)
    d.status = DrawStatus.CANCELLED
    d.version += 1
    d.save(update_fields=["status", "version"])
    audit.record(
        actor=actor,
        action="expert.draw_cancel",
        object_type="experts.draw",
        object_id=d.code,
        summary={"reason": reason.strip()},
        project_ref=d.lot.project.code,
    )
    return d
