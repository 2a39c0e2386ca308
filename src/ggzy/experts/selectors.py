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
    InvitationStatus,
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
    drawn for it within GGZY_EXPERT_SAME_TENDERER_DAYS), read from the sealed results of every
    recent draw. Not used by the draw (``eligible_pool`` reads the same facts from the invitations'
    keyed tags, restricted to the candidates); kept as the independent reference the tests compare
    with."""
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
                c for c, s in result["answers"].items() if s in ("sent", "accepted")
            }
    return times, by_tenderer


def eligible_pool(
    *,
    lot_region: str,
    category: str,
    tenderer_uscc: str,
    region_rule: str,
    wanted: list[str],
    avoid_orgs: set[str],
    codes: list[str] | None = None,
) -> Pool:
    """Every active expert holding a wanted specialty (or one below it) who passes every avoidance
    rule. Each rule is applied here and nowhere else, and no caller can pass an exception.

    Three statements (bench/expert_draw.py, docs/benchmarks.md (g)): the wanted specialties with the
    codes below them; the candidates — experts holding one, active, meeting the region rule, with
    whether a penalty runs and whether they sat on a committee of the tenderer within N days (two
    indexed EXISTS); and the recent invitations of the candidates who are left, found by their keyed
    tags (drawn = invited: the K-in-N rule; invited and not declined, for the same tenderer). The
    supervising departments are read only when a candidate works for a department.

    ``codes``: the wanted codes with those below them when the caller has read them already
    (``specialty_codes_below``); the rows come out in canonical form (``draw.canonical_snapshot``:
    sorted by id, sorted unique lists), so ``draw.prepare_canonical`` takes them as they are."""
    now = clock.now()
    today = clock.local_now().date()
    pool = Pool(rows=[])
    if codes is None:
        codes = specialty_codes_below(wanted)
    if not codes:
        return pool
    candidates = _candidates(codes, region_rule, lot_region, today, tenderer_uscc, now)
    if not candidates:
        return pool
    departments: set[int] = set()
    if any(c[3] is not None for c in candidates.values()):
        departments = supervising_department_ids(lot_region, category)
    left: list[tuple[str, str, list[str], list[str], bool]] = []
    for code, (region, employer, declarations, dept, specs, penalised, sat) in sorted(candidates.items()):
        if declarations:
            orgs = sorted({employer, *(d.get("uscc", "") for d in declarations)} - {""})
        else:  # most experts: the employer only (no set to build)
            orgs = [employer] if employer else []
        if not avoid_orgs.isdisjoint(orgs):
            pool.avoided["organisation"] += 1
        elif dept is not None and dept in departments:
            pool.avoided["department"] += 1
        elif penalised:
            pool.avoided["penalty"] += 1
        else:
            left.append((code, region, sorted(specs) if len(specs) > 1 else specs, orgs, sat))
    times, same = _recent_invitations([r[0] for r in left], tenderer_uscc, now)
    limit = settings.GGZY_EXPERT_MAX_DRAWS
    for code, region, specs, orgs, sat in left:
        if times.get(code, 0) >= limit:
            pool.avoided["frequency"] += 1
        elif sat or code in same:
            pool.avoided["same_tenderer"] += 1
        else:
            pool.rows.append({"id": code, "region": region, "specialties": specs, "orgs": orgs})
    return pool


def specialty_codes_below(wanted: list[str]) -> list[str]:
    """The wanted codes that exist and every code below them (one plain query)."""
    if not wanted:
        return []
    table = connection.ops.quote_name(Specialty._meta.db_table)
    where = " OR ".join(["code LIKE %s"] * len(wanted))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT code FROM {table} WHERE {where}", [f"{w}%" for w in wanted])
        return [c for (c,) in cursor.fetchall() if any(c.startswith(w) for w in wanted)]


def _candidates(
    codes: list[str], region_rule: str, lot_region: str, today: dt.date, tenderer_uscc: str, now: dt.datetime
) -> dict[str, list]:
    """expert code -> [region, employer, declarations, department id, held wanted codes, penalised,
    sat on a committee of the tenderer within N days] for the active experts holding one of
    ``codes`` and meeting the region rule: one join through the (specialty, expert) index, plain
    SQL (no model instances for hundreds of rows). The penalty and committee rules are correlated
    ``EXISTS`` through the expert indexes: their cost grows with the candidates, not with the
    penalty or committee tables (uncorrelated ``IN`` subqueries were tried: 6 % faster with 200
    running penalties, 35 % slower with 3,000, SQLite, 100,000 experts)."""
    q = connection.ops.quote_name
    e, s = q(Expert._meta.db_table), q(ExpertSpecialty._meta.db_table)
    p = q(ExpertPenalty._meta.db_table)
    cm, c, d = q(CommitteeMember._meta.db_table), q(Committee._meta.db_table), q(Draw._meta.db_table)
    region_sql = {"local": " AND e.region_code LIKE %s", "offsite": " AND e.region_code NOT LIKE %s"}.get(
        region_rule, ""
    )
    same_from = now - dt.timedelta(days=settings.GGZY_EXPERT_SAME_TENDERER_DAYS)
    codes_sql, codes_params = _in_list("s.specialty_id", codes)
    sql = (
        f"SELECT e.code, e.region_code, e.employer_uscc, e.declarations, e.department_id, s.specialty_id, "
        f"EXISTS (SELECT 1 FROM {p} p WHERE p.expert_id = e.id AND p.starts_on <= %s "
        f"AND (p.ends_on IS NULL OR p.ends_on >= %s)), "
        f"EXISTS (SELECT 1 FROM {cm} m JOIN {c} c ON c.id = m.committee_id JOIN {d} d ON d.id = c.draw_id "
        f"WHERE m.expert_id = e.id AND d.tenderer_uscc = %s AND c.formed_at >= %s) "
        f"FROM {s} s JOIN {e} e ON e.id = s.expert_id "
        f"WHERE {codes_sql} AND e.status = %s{region_sql}"
    )
    day = today if connection.vendor == "postgresql" else today.isoformat()
    params: list[Any] = [day, day, tenderer_uscc, _db_datetime(same_from), *codes_params, ExpertStatus.ACTIVE]
    if region_sql:
        params.append(lot_region[:4] + "%")
    out: dict[str, list] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for code, region, employer, declarations, dept, spec, penalised, sat in cursor.fetchall():
            row = out.get(code)
            if row is None:
                if isinstance(declarations, str):  # SQLite returns the JSON text
                    declarations = json.loads(declarations) if declarations != "[]" else []
                out[code] = [region, employer, declarations or [], dept, [spec], bool(penalised), bool(sat)]
            else:
                row[4].append(spec)
    return out


def _in_list(column: str, values: list[str]) -> tuple[str, list[Any]]:
    """``column IN (values)`` for hundreds of short strings without commas (specialty codes, hex
    tags). On PostgreSQL one text parameter split by the server (``= ANY(string_to_array(…))``):
    the statement text stays the same whatever the count (psycopg parses it once) and the client
    does not quote every element of an array; on SQLite one placeholder per value."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(string_to_array(%s, ','))", [",".join(values)]
    return f"{column} IN ({','.join(['%s'] * len(values))})", list(values)


def _db_datetime(value: dt.datetime) -> Any:
    return value if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(value)


def _recent_invitations(
    codes: list[str], tenderer_uscc: str, now: dt.datetime
) -> tuple[dict[str, int], set[str]]:
    """(expert code -> invitations in draws made within GGZY_EXPERT_MAX_DRAWS_DAYS, the codes invited
    and not declined in draws for ``tenderer_uscc`` made within GGZY_EXPERT_SAME_TENDERER_DAYS),
    cancelled draws left out. Invitations name experts by keyed tag only, so the candidates' tags are
    computed and looked up (the index on ``expert_tag``)."""
    if not codes:
        return {}, set()
    tags = sealing.tags("expert", codes)
    code_of = dict(zip(tags, codes, strict=True))
    freq_from = now - dt.timedelta(days=settings.GGZY_EXPERT_MAX_DRAWS_DAYS)
    same_from = now - dt.timedelta(days=settings.GGZY_EXPERT_SAME_TENDERER_DAYS)
    q = connection.ops.quote_name
    i, d = q(Invitation._meta.db_table), q(Draw._meta.db_table)
    tag_sql, tag_params = _in_list("i.expert_tag", tags)
    sql = (
        f"SELECT i.expert_tag, "
        f"CASE WHEN d.drawn_at >= %s THEN 1 ELSE 0 END, "
        f"CASE WHEN d.tenderer_uscc = %s AND d.drawn_at >= %s AND i.status IN (%s, %s) THEN 1 ELSE 0 END "
        f"FROM {i} i JOIN {d} d ON d.id = i.draw_id "
        f"WHERE {tag_sql} AND d.status <> %s AND d.drawn_at >= %s"
    )
    params = [
        _db_datetime(freq_from),
        tenderer_uscc,
        _db_datetime(same_from),
        InvitationStatus.SENT,
        InvitationStatus.ACCEPTED,
        *tag_params,
        DrawStatus.CANCELLED,
        _db_datetime(min(freq_from, same_from)),
    ]
    times: Counter = Counter()
    same: set[str] = set()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for tag, in_freq, in_same in cursor.fetchall():
            if in_freq:
                times[code_of[tag]] += 1
            if in_same:
                same.add(code_of[tag])
    return times, same


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
