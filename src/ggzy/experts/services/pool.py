"""Writes to the expert pool: specialties, applications, review, status, ratings, penalties,
re-assessment, import (评标专家和评标专家库管理办法; 招标投标法实施条例第四十五条).

Every service checks the actor's permission, validates everything before writing, keeps the
history and writes one audit event, in one transaction. Bad input raises and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction

from ggzy.audit import services as audit
from ggzy.core import clock, uscc
from ggzy.core.errors import Conflict, FieldError, InvalidInput, PermissionDenied, invalid
from ggzy.core.models import Region
from ggzy.core.permissions import SYSTEM, require
from ggzy.experts import identity, specialties_file
from ggzy.experts.models import (
    Expert,
    ExpertPenalty,
    ExpertRating,
    ExpertSpecialty,
    ExpertStatus,
    ExpertStatusChange,
    RaterKind,
    Specialty,
)

REASSESS_YEARS = 2  # periodic re-assessment (评标专家和评标专家库管理办法第十八条: 动态管理)

# The explicit table of allowed status moves (from -> to).
MOVES: dict[str, tuple[str, ...]] = {
    ExpertStatus.APPLIED: (ExpertStatus.ACTIVE, ExpertStatus.REJECTED),
    ExpertStatus.REJECTED: (),
    ExpertStatus.ACTIVE: (ExpertStatus.SUSPENDED, ExpertStatus.RETIRED, ExpertStatus.REMOVED),
    ExpertStatus.SUSPENDED: (ExpertStatus.ACTIVE, ExpertStatus.RETIRED, ExpertStatus.REMOVED),
    ExpertStatus.RETIRED: (),
    ExpertStatus.REMOVED: (),
}

FIELD_LABELS = {
    "name": "姓名",
    "id_number": "身份证号码",
    "phone": "手机号",
    "employer_uscc": "工作单位统一社会信用代码",
    "employer_name": "工作单位名称",
    "title": "职称",
    "years": "从业年限",
    "region_code": "常住地区划代码",
    "specialties": "评标专业",
    "declarations": "利害关系申报",
}


def _actor_label(actor: Any) -> str:
    return actor.audit_label() if hasattr(actor, "audit_label") else str(actor)


# --- specialties ---------------------------------------------------------------------------------
@transaction.atomic
def specialty_import(*, text: str, actor: Any) -> dict[str, Any]:
    """Import the three-level classification. New codes are added; a code already stored with
    another name, and every code the file holds twice, are reported and left alone."""
    if actor is not SYSTEM:
        require(actor, "expert.manage")
    parsed = specialties_file.parse(text)
    existing = dict(Specialty.objects.values_list("code", "name"))
    added, unchanged, conflicts = [], 0, []
    for row in parsed.rows:
        if row.code in existing:
            if existing[row.code] == row.name:
                unchanged += 1
            else:
                conflicts.append(
                    f"专业代码{row.code}已存为“{existing[row.code]}”，文件第{row.line}行为“{row.name}”，未改动"
                )
            continue
        added.append(Specialty(code=row.code, name=row.name, level=row.level, parent_id=row.parent or None))
    Specialty.objects.bulk_create(added, batch_size=500)
    report = {
        "added": len(added),
        "unchanged": unchanged,
        "duplicates": {
            code: [{"line": r.line, "name": r.name} for r in rows]
            for code, rows in sorted(parsed.duplicates.items())
        },
        "report": parsed.report_lines() + conflicts,
    }
    audit.record(
        actor=actor,
        action="expert.specialty_import",
        object_type="experts.specialty",
        object_id="classification",
        summary={"added": len(added), "unchanged": unchanged, "duplicates": sorted(parsed.duplicates)},
    )
    return report


# --- validation ----------------------------------------------------------------------------------
def _clean(data: Mapping[str, Any], *, for_import: bool = False) -> dict[str, Any]:
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    for f in ("name", "id_number", "phone", "employer_uscc", "title", "region_code"):
        v = str(data.get(f) or "").strip()
        if not v:
            errors.append(FieldError("field.required", f"请填写{FIELD_LABELS[f]}", f))
        out[f] = v
    out["id_number"] = identity.normalise(out["id_number"])
    if out["id_number"]:
        why = identity.problem(out["id_number"], clock.today())
        if why:
            errors.append(FieldError("expert.invalid_identity", why, "id_number"))
    if out["phone"] and not (out["phone"].isdigit() and len(out["phone"]) == 11 and out["phone"][0] == "1"):
        errors.append(FieldError("expert.invalid_phone", "手机号应为以1开头的11位数字", "phone"))
    out["employer_uscc"] = uscc.normalise(out["employer_uscc"])
    out["employer_name"] = str(data.get("employer_name") or "").strip()
    if out["employer_uscc"]:
        try:
            uscc.validate(out["employer_uscc"], field="employer_uscc")
        except InvalidInput as e:
            errors.append(
                FieldError(
                    "expert.invalid_employer_uscc",
                    "工作单位统一社会信用代码有误：" + e.message,
                    "employer_uscc",
                )
            )
        else:
            out["employer_name"] = _employer_name(out["employer_uscc"]) or out["employer_name"]
            if not out["employer_name"]:
                errors.append(
                    FieldError("field.required", "工作单位未在平台注册，请填写工作单位名称", "employer_name")
                )
    try:
        out["years"] = int(data.get("years"))
        if not 0 <= out["years"] <= 70:
            raise ValueError
    except (TypeError, ValueError):
        errors.append(FieldError("expert.invalid_years", "从业年限应为0至70之间的整数", "years"))
    code = out["region_code"]
    outside_ok = for_import and len(code) == 6 and code.isdigit() and code[:2] in uscc.PROVINCES
    if code and not outside_ok and not Region.objects.filter(code=code).exists():
        errors.append(
            FieldError("expert.invalid_region", f"区划代码“{code}”不是本省现行的行政区划代码", "region_code")
        )
    codes = [str(c).strip().upper() for c in (data.get("specialties") or []) if str(c).strip()]
    if not codes:
        errors.append(FieldError("field.required", "请至少选择一个评标专业", "specialties"))
    else:
        known = dict(Specialty.objects.filter(code__in=codes).values_list("code", "level"))
        unknown = [c for c in codes if c not in known]
        if unknown:
            errors.append(
                FieldError(
                    "expert.unknown_specialty", f"评标专业代码{'、'.join(unknown)}不存在", "specialties"
                )
            )
        shallow = [c for c in codes if known.get(c, 3) != 3]
        if shallow:
            errors.append(
                FieldError(
                    "expert.specialty_level",
                    f"请选择三级专业，{'、'.join(shallow)}不是三级专业",
                    "specialties",
                )
            )
    out["specialties"] = sorted(set(codes))
    out["declarations"] = []
    for i, d in enumerate(data.get("declarations") or []):
        code = uscc.normalise(str((d or {}).get("uscc", "")))
        kind = str((d or {}).get("kind", "relationship"))
        if kind not in ("relationship", "interest") or not uscc.is_valid(code):
            errors.append(
                FieldError(
                    "expert.invalid_declaration",
                    f"第{i + 1}项利害关系申报有误：应填写有关单位的统一社会信用代码，类型为亲属关系或利益关系",
                    "declarations",
                )
            )
            continue
        out["declarations"].append(
            {
                "uscc": code,
                "name": str(d.get("name", ""))[:200],
                "kind": kind,
                "note": str(d.get("note", ""))[:200],
            }
        )
    if errors:
        raise invalid(errors, "专家信息")
    return out


def _employer_name(code: str) -> str:
    from ggzy.core.errors import NotFound
    from ggzy.entities import selectors as entities

    try:
        return entities.entity_get(code).name
    except NotFound:
        return ""


def _next_code() -> str:
    year = clock.today().year
    prefix = f"E{year}"
    last = (
        Expert.objects.filter(code__startswith=prefix)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    n = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{n:06d}"


def _set_specialties(expert: Expert, codes: list[str]) -> None:
    ExpertSpecialty.objects.filter(expert=expert).exclude(specialty_id__in=codes).delete()
    have = set(ExpertSpecialty.objects.filter(expert=expert).values_list("specialty_id", flat=True))
    ExpertSpecialty.objects.bulk_create(
        [ExpertSpecialty(expert=expert, specialty_id=c) for c in codes if c not in have]
    )


def _move(expert: Expert, to: str, reason: str, actor: Any, now: dt.datetime) -> str:
    before = expert.status
    if to not in MOVES.get(before, ()):
        allowed = "、".join(ExpertStatus(s).label for s in MOVES.get(before, ())) or "无"
        raise InvalidInput(
            "expert.bad_status_move",
            f"专家状态不能从“{ExpertStatus(before).label}”改为“{ExpertStatus(to).label}”（可改为：{allowed}）",
            field="status",
        )
    expert.status = to
    expert.version += 1
    ExpertStatusChange.objects.create(
        expert=expert,
        from_status=before,
        to_status=to,
        reason=reason,
        actor_label=_actor_label(actor),
        at=now,
    )
    return before


def _profile(e: Expert) -> dict[str, Any]:
    return {
        "code": e.code,
        "status": e.status,
        "employer_uscc": e.employer_uscc,
        "region_code": e.region_code,
        "title": e.title,
        "years": e.years,
        "specialties": sorted(e.expert_specialties.values_list("specialty_id", flat=True)),
        "declarations": len(e.declarations),
    }


# --- application and review -------------------------------------------------------------------------
@transaction.atomic
def expert_apply(*, data: Mapping[str, Any], actor: Any) -> Expert:
    """An expert applies online with an expert account (one application per account)."""
    require(actor, "expert.apply")
    if Expert.objects.filter(user=actor).exists():
        raise Conflict("expert.already_applied", "该账户已提交过专家申请，如需修改请联系交易服务中心")
    clean = _clean(data)
    if Expert.objects.filter(id_number=clean["id_number"]).exists():
        raise Conflict("expert.duplicate_identity", "该身份证号码已在专家库中登记", field="id_number")
    now = clock.now()
    expert = Expert.objects.create(
        code=_next_code(),
        user=actor,
        status=ExpertStatus.APPLIED,
        applied_at=now,
        **{k: v for k, v in clean.items() if k != "specialties"},
    )
    _set_specialties(expert, clean["specialties"])
    ExpertStatusChange.objects.create(
        expert=expert, from_status="", to_status=ExpertStatus.APPLIED, reason="网上申请",
        actor_label=_actor_label(actor), at=now,
    )  # fmt: skip
    audit.record(
        actor=actor,
        action="expert.apply",
        object_type="experts.expert",
        object_id=expert.code,
        summary=_profile(expert),
    )
    return expert


@transaction.atomic
def expert_review(*, expert: Expert, approve: bool, reason: str, actor: Any) -> Expert:
    """Staff review of an application: approve or reject, always with reasons."""
    require(actor, "expert.manage")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("expert.reason_required", "请填写审核意见（通过或不通过的理由）", field="reason")
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    if expert.status != ExpertStatus.APPLIED:
        raise InvalidInput(
            "expert.not_pending", f"该专家当前状态为“{expert.get_status_display()}”，不是待审核"
        )
    if expert.user_id is not None and expert.user_id == getattr(actor, "pk", None):
        raise PermissionDenied("expert.self_review", "不能审核本人的申请")
    now = clock.now()
    to = ExpertStatus.ACTIVE if approve else ExpertStatus.REJECTED
    _move(expert, to, reason, actor, now)
    expert.reviewed_at, expert.reviewed_by_label, expert.review_reason = now, _actor_label(actor), reason
    if approve:
        expert.next_assessment_on = _years_later(clock.today(), REASSESS_YEARS)
    expert.save(
        update_fields=[
            "status",
            "version",
            "reviewed_at",
            "reviewed_by_label",
            "review_reason",
            "next_assessment_on",
        ]
    )
    audit.record(
        actor=actor,
        action="expert.review",
        object_type="experts.expert",
        object_id=expert.code,
        summary={"approved": approve, "reason": reason},
    )
    return expert


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def expert_status_set(*, expert: Expert, status: str, reason: str, actor: Any) -> Expert:
    """Suspend, reinstate, retire or remove an expert, with a reason."""
    require(actor, "expert.manage")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("expert.reason_required", "请填写原因", field="reason")
    if status not in ExpertStatus.values:
        raise InvalidInput("expert.unknown_status", f"未知的专家状态“{status}”", field="status")
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    before = _move(expert, status, reason, actor, clock.now())
    expert.save(update_fields=["status", "version"])
    audit.record(
        actor=actor,
        action="expert.status_set",
        object_type="experts.expert",
        object_id=expert.code,
        summary={"status": [before, status], "reason": reason},
    )
    return expert


@transaction.atomic
def expert_reassess(*, expert: Expert, passed: bool, reason: str, actor: Any) -> Expert:
    """Periodic re-assessment: passed sets the next date; failed suspends the expert."""
    require(actor, "expert.manage")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("expert.reason_required", "请填写考核意见", field="reason")
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    if expert.status not in (ExpertStatus.ACTIVE, ExpertStatus.SUSPENDED):
        raise InvalidInput("expert.not_in_pool", f"该专家当前状态为“{expert.get_status_display()}”，无需考核")
    fields = ["next_assessment_on", "version"]
    if passed:
        expert.next_assessment_on = _years_later(clock.today(), REASSESS_YEARS)
        expert.version += 1
    elif expert.status == ExpertStatus.ACTIVE:
        _move(expert, ExpertStatus.SUSPENDED, f"考核不合格：{reason}", actor, clock.now())
        fields.append("status")
    expert.save(update_fields=fields)
    audit.record(
        actor=actor,
        action="expert.reassess",
        object_type="experts.expert",
        object_id=expert.code,
        summary={"passed": passed, "reason": reason, "status": expert.status},
    )
    return expert


# --- ratings and penalties -----------------------------------------------------------------------------
@transaction.atomic
def expert_rate(
    *, expert: Expert, lot: Any, scores: Mapping[str, Any], comment: str = "", actor: Any
) -> ExpertRating:
    """The service center or the supervisor rates an expert who evaluated ``lot``. Poor ratings
    (mean below ``GGZY_EXPERT_POOR_SCORE``), ``GGZY_EXPERT_POOR_COUNT`` of them within
    ``GGZY_EXPERT_POOR_WINDOW_DAYS`` days, suspend the expert automatically."""
    require(actor, "expert.rate", lot)
    role = getattr(actor, "role", "")
    kind = RaterKind.SUPERVISOR if role == "supervisor" else RaterKind.CENTER
    from ggzy.experts.models import CommitteeMember

    if not CommitteeMember.objects.filter(expert=expert, committee__lot=lot).exists():
        raise InvalidInput(
            "expert.not_on_committee", f"专家{expert.code}不是该标段（包）评标委员会成员，不能评价"
        )
    errors = []
    values = {}
    for f, label in (("punctuality", "守时"), ("conduct", "评标纪律"), ("quality", "评审质量")):
        try:
            values[f] = int(scores.get(f))
            if not 1 <= values[f] <= 5:
                raise ValueError
        except (TypeError, ValueError):
            errors.append(FieldError("expert.invalid_score", f"“{label}”的评分应为1至5的整数", f))
    if errors:
        raise invalid(errors, "评价")
    if ExpertRating.objects.filter(expert=expert, lot=lot, rater_kind=kind).exists():
        raise Conflict("expert.already_rated", f"{RaterKind(kind).label}已评价过该专家在本标段（包）的表现")
    now = clock.now()
    rating = ExpertRating.objects.create(
        expert=expert, lot=lot, rater_kind=kind, comment=(comment or "")[:500],
        rated_by_label=_actor_label(actor), at=now, **values,
    )  # fmt: skip
    suspended = False
    window = now - dt.timedelta(days=settings.GGZY_EXPERT_POOR_WINDOW_DAYS)
    poor = [
        r
        for r in ExpertRating.objects.filter(expert=expert, at__gte=window)
        if r.mean < settings.GGZY_EXPERT_POOR_SCORE
    ]
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    if len(poor) >= settings.GGZY_EXPERT_POOR_COUNT and expert.status == ExpertStatus.ACTIVE:
        _move(
            expert,
            ExpertStatus.SUSPENDED,
            f"{settings.GGZY_EXPERT_POOR_WINDOW_DAYS}日内评价较差{len(poor)}次（平均分低于"
            f"{settings.GGZY_EXPERT_POOR_SCORE}），自动暂停抽取",
            SYSTEM,
            now,
        )
        expert.save(update_fields=["status", "version"])
        suspended = True
    audit.record(
        actor=actor,
        action="expert.rate",
        object_type="experts.expert",
        object_id=expert.code,
        summary={"lot": lot.code, "rater": kind, **values, "suspended": suspended},
        project_ref=lot.project.code,
    )
    return rating


@transaction.atomic
def expert_penalise(
    *, expert: Expert, reason: str, basis: str, starts_on: dt.date, ends_on: dt.date | None, actor: Any
) -> ExpertPenalty:
    """A supervisory department's decision: the expert is not drawn while it runs."""
    require(actor, "expert.penalise")
    if not (reason or "").strip() or not (basis or "").strip():
        raise InvalidInput("expert.reason_required", "请填写处理事由和依据", field="reason")
    if ends_on is not None and ends_on < starts_on:
        raise InvalidInput("expert.bad_period", "处理截止日期不能早于起始日期", field="ends_on")
    penalty = ExpertPenalty.objects.create(
        expert=expert, reason=reason.strip(), basis=basis.strip(), starts_on=starts_on, ends_on=ends_on,
        recorded_by_label=_actor_label(actor), at=clock.now(),
    )  # fmt: skip
    audit.record(
        actor=actor,
        action="expert.penalise",
        object_type="experts.expert",
        object_id=expert.code,
        summary={
            "reason": penalty.reason,
            "basis": penalty.basis,
            "from": str(starts_on),
            "until": str(ends_on),
        },
    )
    return penalty


# --- exchange with the national pool (docs/experts.md: JSON Lines) -----------------------------------
EXCHANGE_FORMAT = "ggzy-experts"
EXCHANGE_VERSION = 1


@transaction.atomic
def expert_import(*, text: str, actor: Any) -> dict[str, Any]:
    """Import experts from a JSON Lines file (first line a header). All or nothing: any bad line
    and nothing is written; the error names every line. Known identity numbers are skipped."""
    require(actor, "expert.manage")
    lines = [ln for ln in (text or "").splitlines() if ln.strip()]
    if not lines:
        raise InvalidInput("expert.import_empty", "导入文件为空")
    try:
        header = json.loads(lines[0])
    except json.JSONDecodeError:
        header = {}
    if header.get("format") != EXCHANGE_FORMAT or header.get("version") != EXCHANGE_VERSION:
        raise InvalidInput(
            "expert.import_format", f'第1行应为文件头 {{"format": "{EXCHANGE_FORMAT}", "version": 1}}'
        )
    errors: list[FieldError] = []
    records = []
    seen: set[str] = set()
    for n, line in enumerate(lines[1:], start=2):
        try:
            row = json.loads(line)
            clean = _clean(row, for_import=True)
        except json.JSONDecodeError:
            errors.append(FieldError("expert.import_json", f"第{n}行不是有效的JSON", f"line {n}"))
            continue
        except InvalidInput as e:
            errors.append(FieldError(e.code, f"第{n}行：{e.message}", f"line {n}"))
            continue
        status = str(row.get("status", "active"))
        if status not in (
            ExpertStatus.ACTIVE,
            ExpertStatus.SUSPENDED,
            ExpertStatus.RETIRED,
            ExpertStatus.REMOVED,
        ):
            errors.append(
                FieldError("expert.unknown_status", f"第{n}行：未知的专家状态“{status}”", f"line {n}")
            )
            continue
        if clean["id_number"] in seen:
            errors.append(
                FieldError("expert.duplicate_identity", f"第{n}行：身份证号码在文件中重复", f"line {n}")
            )
            continue
        seen.add(clean["id_number"])
        records.append((clean, status, str(row.get("national_code", ""))[:40]))
    if errors:
        raise invalid(errors, "导入文件")
    known = set(Expert.objects.filter(id_number__in=seen).values_list("id_number", flat=True))
    now = clock.now()
    added = 0
    for clean, status, _national in records:
        if clean["id_number"] in known:
            continue
        expert = Expert.objects.create(
            code=_next_code(), status=status, applied_at=now, source="import",
            reviewed_at=now, reviewed_by_label=_actor_label(actor), review_reason="从交换文件导入",
            next_assessment_on=_years_later(clock.today(), REASSESS_YEARS),
            **{k: v for k, v in clean.items() if k != "specialties"},
        )  # fmt: skip
        _set_specialties(expert, clean["specialties"])
        ExpertStatusChange.objects.create(
            expert=expert, from_status="", to_status=status, reason="从交换文件导入",
            actor_label=_actor_label(actor), at=now,
        )  # fmt: skip
        added += 1
    audit.record(
        actor=actor,
        action="expert.import",
        object_type="experts.expert",
        object_id="import",
        summary={"added": added, "skipped": len(records) - added},
    )
    return {"added": added, "skipped": len(records) - added}


@transaction.atomic
def expert_account_link(*, expert: Expert, user: Any, actor: Any) -> Expert:
    """Link an imported expert to its expert account (so it can answer invitations online)."""
    require(actor, "expert.manage")
    if getattr(user, "role", "") != "expert":
        raise InvalidInput("expert.not_expert_account", "只能关联评标专家角色的账户")
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    if expert.user_id is not None or Expert.objects.filter(user=user).exists():
        raise Conflict("expert.account_linked", "该专家或该账户已关联")
    expert.user = user
    expert.version += 1
    expert.save(update_fields=["user", "version"])
    audit.record(
        actor=actor,
        action="expert.account_link",
        object_type="experts.expert",
        object_id=expert.code,
        summary={"user": user.pk},
    )
    return expert
