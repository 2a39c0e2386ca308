"""Reads of the expert pool and draws, and who may see what.

- The pool's personal data (identity number, phone, employer) only with ``expert.view_pool``;
  the expert sees its own record.
- A draw's commitment, lot, specialties and counts are public from the start.
- Who was drawn (DESIGN invariant 7, 招标投标法第三十七条: 评标委员会成员的名单在中标结果确定前应当保密):
  before the committee is formed (the evaluation starts) only the operator who ran the draw and the
  lot's supervisors; after that also staff who may read the lot's confidential data; everyone once
  the draw is revealed with the result.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet

from ggzy.core import clock
from ggzy.core.errors import NotFound, PermissionDenied
from ggzy.core.permissions import SYSTEM, allowed, require
from ggzy.crypto import sealing
from ggzy.experts import draw as drawing
from ggzy.experts import identity
from ggzy.experts.models import (
    Committee,
    CommitteeMember,
    Draw,
    DrawStatus,
    Expert,
    ExpertPenalty,
    ExpertSpecialty,
    ExpertStatus,
    Invitation,
    Specialty,
)


# --- specialties and the pool ----------------------------------------------------------------------
def specialty_tree() -> list[dict[str, Any]]:
    rows = list(Specialty.objects.order_by("code").values("code", "name", "level", "parent_id"))
    return rows


def specialty_names(codes: Iterable[str]) -> dict[str, str]:
    return dict(Specialty.objects.filter(code__in=list(codes)).values_list("code", "name"))


def expert_get(code: str) -> Expert:
    found = Expert.objects.filter(code=(code or "").strip().upper()).first()
    if found is None:
        raise NotFound("expert.not_found", f"未找到编号为“{code}”的评标专家")
    return found


def expert_of_user(user: Any) -> Expert | None:
    if not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None:
        return None
    return Expert.objects.filter(user_id=user.pk).first()


def can_view_pool(viewer: Any) -> bool:
    return allowed(viewer, "expert.view_pool")


def expert_search(*, viewer: Any, q: str = "", status: str = "", specialty: str = "") -> QuerySet[Expert]:
    require(viewer, "expert.view_pool")
    qs = Expert.objects.all()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__icontains=q) | Q(employer_name__contains=q))
    if status:
        qs = qs.filter(status=status)
    if specialty:
        qs = qs.filter(expert_specialties__specialty__code__startswith=specialty.upper()).distinct()
    return qs.order_by("code")


def expert_view(expert: Expert, viewer: Any) -> dict[str, Any]:
    """The expert's record; identity and contact details masked unless the viewer may see them."""
    full = can_view_pool(viewer) or (
        expert.user_id is not None and expert.user_id == getattr(viewer, "pk", None)
    )
    names = specialty_names(expert.expert_specialties.values_list("specialty_id", flat=True))
    return {
        "code": expert.code,
        "name": expert.name,
        "id_number": expert.id_number if full else identity.masked(expert.id_number),
        "phone": expert.phone if full else "",
        "employer_uscc": expert.employer_uscc,
        "employer_name": expert.employer_name,
        "title": expert.title,
        "years": expert.years,
        "region_code": expert.region_code,
        "specialties": [{"code": c, "name": n} for c, n in sorted(names.items())],
        "declarations": expert.declarations if full else [],
        "status": expert.status,
        "status_label": expert.get_status_display(),
        "review_reason": expert.review_reason if full else "",
        "next_assessment_on": expert.next_assessment_on,
        "history": [
            {"from": c.from_status, "to": c.to_status, "reason": c.reason, "actor": c.actor_label, "at": c.at}
            for c in expert.status_changes.all()
        ]
        if full
        else [],
    }


EXPORT_FIELDS = (
    "name",
    "id_number",
    "phone",
    "employer_uscc",
    "employer_name",
    "title",
    "years",
    "region_code",
)


def pool_export(*, viewer: Any, statuses: Iterable[str] = (ExpertStatus.ACTIVE,)) -> Iterable[str]:
    """The pool as JSON Lines (docs/experts.md): a header line, then one expert per line."""
    require(viewer, "expert.manage")
    yield json.dumps({"format": "ggzy-experts", "version": 1, "exported_at": clock.now().isoformat()}) + "\n"
    specs: dict[int, list[str]] = defaultdict(list)
    qs = Expert.objects.filter(status__in=list(statuses)).order_by("code")
    for eid, code in ExpertSpecialty.objects.filter(expert__in=qs).values_list("expert_id", "specialty_id"):
        specs[eid].append(code)
    for e in qs.iterator(chunk_size=2000):
        row = {f: getattr(e, f) for f in EXPORT_FIELDS}
        row.update(code=e.code, status=e.status, specialties=sorted(specs[e.pk]), declarations=e.declarations)
        yield json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n"


# --- avoidance: the eligible pool ----------------------------------------------------------------------
@dataclass
class Pool:
    rows: list[dict[str, Any]]  # snapshot rows (draw.canonical_snapshot shape)
    avoided: Counter = field(default_factory=Counter)  # reason -> how many experts were left out


AVOID_LABELS = {
    "organisation": "与招标人、代理机构、投标人等有关单位存在任职或利害关系",
    "department": "任职于该项目的行政监督部门",
    "penalty": "处于处理期",
    "frequency": "近期抽中次数已达上限",
    "same_tenderer": "近期为同一招标人评标",
}


def supervising_department_ids(region_code: str, category: str) -> set[int]:
    """Departments supervising an object of ``category`` in ``region_code``: those of the region
    and of the regions above it whose categories include it."""
    from ggzy.accounts.models import Department

    chain = {region_code[:2] + "0000", region_code[:4] + "00", region_code}
    return {
        pk
        for pk, categories in Department.objects.filter(region_id__in=chain).values_list("pk", "categories")
        if category in (categories or [])
    }


def recent_draw_history(now: dt.datetime) -> tuple[Counter, dict[str, set[str]]]:
    """(expert code -> times drawn within GGZY_EXPERT_MAX_DRAWS_DAYS, tenderer USCC -> expert codes
    drawn for it within GGZY_EXPERT_SAME_TENDERER_DAYS). Read from the sealed results."""
    days = max(settings.GGZY_EXPERT_MAX_DRAWS_DAYS, settings.GGZY_EXPERT_SAME_TENDERER_DAYS)
    freq_from = now - dt.timedelta(days=settings.GGZY_EXPERT_MAX_DRAWS_DAYS)
    same_from = now - dt.timedelta(days=settings.GGZY_EXPERT_SAME_TENDERER_DAYS)
    times: Counter = Counter()
    by_tenderer: dict[str, set[str]] = defaultdict(set)
    recent = Draw.objects.filter(drawn_at__gte=now - dt.timedelta(days=days)).exclude(
        status=DrawStatus.CANCELLED
    )
    for d in recent.only("pk", "code", "drawn_at", "tenderer_uscc", "sealed_result"):
        if d.sealed_result is None:
            continue
        result = sealing.unseal_json(d.sealed_result, context=result_context(d))
        drawn = set(result["invited"])
        if d.drawn_at >= freq_from:
            times.update(drawn)
        if d.drawn_at >= same_from:
            by_tenderer[d.tenderer_uscc] |= {
                c for c, s in result["answers"].items() if s == "accepted"
            } | set(c for ids in result["selected"].values() for c in ids)
    return times, by_tenderer


def eligible_pool(
    *,
    lot_region: str,
    category: str,
    tenderer_uscc: str,
    region_rule: str,
    wanted: list[str],
    avoid_orgs: set[str],
) -> Pool:
    """Every active expert holding a wanted specialty (or one below it) who passes every avoidance
    rule. Each rule is applied here and nowhere else, and no caller can pass an exception."""
    now = clock.now()
    today = clock.local_now().date()
    q = Q()
    for code in wanted:
        q |= Q(code__startswith=code)
    codes = list(Specialty.objects.filter(q).values_list("code", flat=True))
    # the specialty index first (a few hundred rows), then those experts by primary key, where the
    # status and region rules apply
    specs: dict[int, list[str]] = defaultdict(list)
    for eid, code in ExpertSpecialty.objects.filter(specialty_id__in=codes).values_list(
        "expert_id", "specialty_id"
    ):
        specs[eid].append(code)
    pool = Pool(rows=[])
    if not specs:
        return pool
    penalised = set(
        ExpertPenalty.objects.filter(starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .values_list("expert_id", flat=True)
    )
    departments = supervising_department_ids(lot_region, category)
    times, by_tenderer = recent_draw_history(now)
    same_tenderer = by_tenderer.get(tenderer_uscc, set()) | set(
        CommitteeMember.objects.filter(
            committee__draw__tenderer_uscc=tenderer_uscc,
            committee__formed_at__gte=now - dt.timedelta(days=settings.GGZY_EXPERT_SAME_TENDERER_DAYS),
        ).values_list("expert__code", flat=True)
    )
    rows = _expert_rows(list(specs), region_rule, lot_region)
    rows.sort(key=lambda r: r[1])
    for pk, code, region, employer, dept, declarations in rows:
        orgs = {employer} | {d.get("uscc", "") for d in declarations or []}
        if orgs & avoid_orgs:
            pool.avoided["organisation"] += 1
        elif dept is not None and dept in departments:
            pool.avoided["department"] += 1
        elif pk in penalised:
            pool.avoided["penalty"] += 1
        elif times[code] >= settings.GGZY_EXPERT_MAX_DRAWS:
            pool.avoided["frequency"] += 1
        elif code in same_tenderer:
            pool.avoided["same_tenderer"] += 1
        else:
            pool.rows.append(
                {
                    "id": code,
                    "region": region,
                    "specialties": sorted(specs[pk]),
                    "orgs": sorted(o for o in orgs if o),
                }
            )
    return pool


def _expert_rows(ids: list[int], region_rule: str, lot_region: str) -> list[tuple]:
    """(pk, code, region, employer, department, declarations) of the active experts among ``ids``
    that meet the region rule. Plain SQL with the integer keys inlined: building a 500-parameter
    ``pk__in`` through the ORM cost more than running it (bench/expert_draw.py)."""
    table = connection.ops.quote_name(Expert._meta.db_table)
    out: list[tuple] = []
    city = lot_region[:4] + "%"
    region_sql = {"local": " AND region_code LIKE %s", "offsite": " AND region_code NOT LIKE %s"}.get(
        region_rule, ""
    )
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 5000):
            keys = ",".join(str(int(i)) for i in ids[start : start + 5000])
            cursor.execute(
                f"SELECT id, code, region_code, employer_uscc, department_id, declarations FROM {table} "
                f"WHERE id IN ({keys}) AND status = %s{region_sql}",
                [ExpertStatus.ACTIVE, city] if region_sql else [ExpertStatus.ACTIVE],
            )
            for pk, code, region, employer, dept, declarations in cursor.fetchall():
                if isinstance(declarations, str):  # SQLite returns the JSON text
                    declarations = json.loads(declarations)
                out.append((pk, code, region, employer, dept, declarations or []))
    return out


# --- draws ----------------------------------------------------------------------------------------------
def result_context(d: Draw) -> str:
    return f"experts.draw:{d.code}:result"


def seed_context(d: Draw) -> str:
    return f"experts.draw:{d.code}:seed"


def snapshot_context(d: Draw) -> str:
    return f"experts.draw:{d.code}:snapshot"


def criteria_context(d: Draw) -> str:
    return f"experts.draw:{d.code}:criteria"


def draw_get(code: str) -> Draw:
    found = (
        Draw.objects.select_related("lot", "lot__project").filter(code=(code or "").strip().upper()).first()
    )
    if found is None:
        raise NotFound("draw.not_found", f"未找到编号为“{code}”的专家抽取")
    return found


def draws_of_lot(lot: Any) -> QuerySet[Draw]:
    return Draw.objects.filter(lot=lot).order_by("committed_at", "id")


def draws_public() -> QuerySet[Draw]:
    return Draw.objects.select_related("lot", "lot__project").order_by("-committed_at", "-id")


def draws_for_console(viewer: Any) -> list[Draw]:
    return [
        d
        for d in Draw.objects.select_related("lot", "lot__project").order_by("-committed_at", "-id")[:200]
        if allowed(viewer, "expert.draw", d.lot) or allowed(viewer, "trade.supervise", d.lot)
    ]


def can_see_result(d: Draw, viewer: Any) -> bool:
    if d.status == DrawStatus.REVEALED:
        return True
    if viewer is SYSTEM:
        return True
    if (
        d.operator_id is not None
        and d.operator_id == getattr(viewer, "pk", None)
        and allowed(viewer, "expert.draw", d.lot)
    ):
        return True
    if allowed(viewer, "trade.supervise", d.lot):
        return True
    return d.status == DrawStatus.FORMED and allowed(viewer, "trade.read_confidential", d.lot)


def public_view(d: Draw) -> dict[str, Any]:
    names = specialty_names(s["code"] for s in d.wanted)
    return {
        "code": d.code,
        "lot_code": d.lot_code,
        "lot_name": d.lot.name,
        "project_name": d.lot.project.name,
        "region_rule": d.region_rule,
        "region_rule_label": drawing.REGION_RULES.get(d.region_rule, d.region_rule),
        "wanted": [{**s, "name": names.get(s["code"], "")} for s in d.wanted],
        "status": d.status,
        "status_label": d.get_status_display(),
        "pool_size": d.pool_size,
        "commitment": d.commitment,
        "committed_at": d.committed_at,
        "commit_seq": d.commit_seq,
        "public_value": d.public_value,
        "drawn_at": d.drawn_at,
        "draw_seq": d.draw_seq,
        "revealed_at": d.revealed_at,
    }


def draw_result(d: Draw, viewer: Any) -> dict[str, Any]:
    """Who was drawn, with names and answers. Raises PermissionDenied when confidential."""
    if not can_see_result(d, viewer):
        raise PermissionDenied("draw.confidential", "评标开始前，专家抽取结果仅抽取人和监督人员可见")
    if d.status == DrawStatus.REVEALED:
        result = {
            "selected": d.revealed["selected"],
            "reserves": d.revealed["reserves"],
            "answers": d.revealed.get("answers", {}),
            "missing": {},
        }
    elif d.sealed_result is None:
        return {"selected": {}, "reserves": {}, "members": [], "missing": {}}
    else:
        result = sealing.unseal_json(d.sealed_result, context=result_context(d))
    codes = {c for ids in result["selected"].values() for c in ids} | {
        c for ids in result["reserves"].values() for c in ids
    }
    experts = {e.code: e for e in Expert.objects.filter(code__in=codes)}
    names = specialty_names(result["selected"])

    def person(code: str, spec: str, role: str) -> dict[str, Any]:
        e = experts.get(code)
        return {
            "code": code,
            "name": e.name if e else "",
            "employer_name": e.employer_name if e else "",
            "specialty": spec,
            "specialty_name": names.get(spec, ""),
            "role": role,
            "answer": result.get("answers", {}).get(code, ""),
        }

    members = [person(c, s, "selected") for s, ids in result["selected"].items() for c in ids]
    members += [person(c, s, "reserve") for s, ids in result["reserves"].items() for c in ids]
    return {"members": members, "missing": result.get("missing", {})}


def invitations_for(user: Any) -> list[dict[str, Any]]:
    """The expert's own invitations (found by its keyed tag)."""
    expert = expert_of_user(user)
    if expert is None:
        return []
    tag = sealing.tag("expert", expert.code)
    out = []
    for inv in Invitation.objects.filter(expert_tag=tag).select_related(
        "draw", "draw__lot", "draw__lot__project"
    ):
        payload = sealing.unseal_json(inv.sealed, context=f"experts.invitation:{inv.draw.code}")
        out.append(
            {
                "id": inv.pk,
                "draw_code": inv.draw.code,
                "lot_code": inv.draw.lot_code,
                "lot_name": inv.draw.lot.name,
                "specialty": payload["specialty"],
                "status": inv.status,
                "status_label": inv.get_status_display(),
                "sent_at": inv.sent_at,
                "answered_at": inv.answered_at,
            }
        )
    return out


def committee_of_lot(lot: Any) -> Committee | None:
    """The lot's evaluation committee (the latest formed), for the evaluation of bids."""
    return Committee.objects.filter(lot=lot).order_by("-formed_at", "-id").first()


def committee_of_draw(d: Draw) -> Committee:
    found = Committee.objects.filter(draw=d).first()
    if found is None:
        raise NotFound("committee.not_found", "该次抽取尚未组建评标委员会")
    return found


def committee_members(committee: Committee, viewer: Any) -> list[dict[str, Any]]:
    d = committee.draw
    if not can_see_result(d, viewer):
        raise PermissionDenied("draw.confidential", "评标委员会名单在中标结果确定前保密")
    return [
        {
            "id": m.pk,
            "code": m.expert.code,
            "name": m.expert.name,
            "employer_name": m.expert.employer_name,
            "specialty": m.specialty_code,
            "checked_in_at": m.checked_in_at,
            "remote": m.remote,
        }
        for m in committee.members.select_related("expert")
    ]


def is_committee_member(lot: Any, user: Any) -> bool:
    """For the evaluation: is ``user`` an expert on the lot's committee?"""
    committee = committee_of_lot(lot)
    expert = expert_of_user(user)
    return bool(committee and expert and committee.members.filter(expert=expert).exists())


def verify_draw(code: str) -> dict[str, Any]:
    """Recompute a revealed draw from the revealed data, and check its public value against the
    audit chain (the head just before the draw's event)."""
    from ggzy.audit import selectors as audit

    d = draw_get(code)
    if d.status != DrawStatus.REVEALED or not d.revealed:
        raise PermissionDenied("draw.not_revealed", "该次抽取尚未公开验证数据（评标结束后公开）")
    result = drawing.verify(d.revealed).as_dict()
    problems = result["problems"]
    if d.revealed.get("commitment") != d.commitment:
        problems.append("公开数据中的承诺值与抽取前公布的承诺值不一致")
    event = audit.get_event(actor=SYSTEM, seq=d.draw_seq) if d.draw_seq else None
    if event is None or event.prev_hash != d.revealed.get("public_value"):
        problems.append("公开随机值与审计链中抽取时的链头哈希不一致")
    commit_event = audit.get_event(actor=SYSTEM, seq=d.commit_seq)
    if commit_event is None or d.commitment not in commit_event.summary:
        problems.append("审计链中未找到抽取前公布承诺值的记录")
    if event is not None and commit_event is not None and event.seq <= commit_event.seq:
        problems.append("抽取发生在承诺值公布之前")
    result["ok"] = not problems
    return result
