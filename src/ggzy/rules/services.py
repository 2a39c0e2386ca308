"""Writes of rule sets: loading the shipped ones, publishing a new version, defining an "other" one.

Every write validates the whole rule set first (``validate.validate``): a rule set that fails is
refused and nothing is written. Stored versions never change; the SM3 digest of the canonical JSON
is kept with each so the published text can be checked.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction

from ggzy.audit.services import record
from ggzy.core import clock
from ggzy.core.errors import Conflict, DomainError, FieldError, InvalidInput, NotFound, invalid
from ggzy.core.permissions import SYSTEM, require
from ggzy.crypto.sm import sm3_hex
from ggzy.rules import selectors, validate
from ggzy.rules.models import RuleSetSource, RuleSetVersion
from ggzy.rules.schema import RuleSet

DATA_DIR = Path(__file__).with_name("data")
NOT_RULESETS = {"mandatory_scope.json"}
OTHER_CODE = re.compile(r"^other\.([a-z][a-z0-9_]{1,39})$")

# The stages an administrator's "other" procedure gets unless it lists its own.
DEFAULT_STAGES = {
    "sealed_bids": [
        {"code": "notice", "label": "交易公告", "event": "notice_published"},
        {"code": "bidding", "label": "投标", "event": "documents_issued"},
        {"code": "opening", "label": "开标", "event": "opening"},
        {"code": "evaluation", "label": "评审", "event": None},
        {"code": "publicity", "label": "结果公示", "event": "publicity_start"},
        {"code": "award", "label": "确定成交人", "event": None},
        {"code": "contract", "label": "签订合同", "event": None},
    ],
    "auction": [
        {"code": "notice", "label": "交易公告", "event": "notice_published"},
        {"code": "listing", "label": "挂牌报价", "event": "listing_start"},
        {"code": "auction", "label": "竞价", "event": "auction_start"},
        {"code": "result", "label": "交易结果公示", "event": "result_published"},
        {"code": "contract", "label": "签订合同", "event": None},
    ],
}
DEFAULT_METHODS = {"sealed_bids": ["comprehensive_scoring"], "auction": ["highest_price"]}
DEFAULT_MIN_BIDDERS = {"sealed_bids": 3, "auction": 1}


def _label(actor: Any) -> str:
    return actor.audit_label() if hasattr(actor, "audit_label") else str(actor)


def digest_of(data: dict[str, Any]) -> str:
    return sm3_hex(validate.canonical_json(data))


def _summary(row: RuleSetVersion) -> dict[str, Any]:
    return {
        "code": row.code,
        "version": row.version,
        "effective_from": row.effective_from.isoformat(),
        "digest": row.digest,
        "source": row.source,
    }


def _store(rs: RuleSet, data: dict[str, Any], *, source: str, actor: Any) -> RuleSetVersion:
    try:
        with transaction.atomic():
            return RuleSetVersion.objects.create(
                code=rs.code,
                category=rs.category,
                procedure=rs.procedure,
                name=rs.name,
                version=rs.version,
                effective_from=rs.effective_from,
                data=data,
                digest=digest_of(data),
                source=source,
                published_at=clock.now(),
                created_by=_label(actor),
            )
    except IntegrityError:
        raise Conflict(
            "rules.version_exists", f"交易规则“{rs.code}”第{rs.version}版已存在，已发布的版本不能更改"
        ) from None


# --- shipped rule sets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ShippedFile:
    path: Path
    ruleset: RuleSet
    data: dict[str, Any]
    digest: str


def shipped_files() -> list[Path]:
    return sorted(p for p in DATA_DIR.glob("*.json") if p.name not in NOT_RULESETS)


def load_shipped() -> list[ShippedFile]:
    """Every shipped file, validated; one InvalidInput naming each bad file otherwise."""
    out, errors = [], []
    for path in shipped_files():
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            rs, data = validate.normalise(raw)
        except json.JSONDecodeError as e:
            errors.append(
                FieldError("rules.invalid_json", f"{path.name}：不是有效的 JSON（{e.msg}）", path.name)
            )
            continue
        except InvalidInput as e:
            errors += [FieldError(x.code, f"{path.name}：{x.message}", x.field) for x in e.errors] or [
                FieldError(e.code, f"{path.name}：{e.message}", e.field)
            ]
            continue
        if path.stem != rs.code:
            errors.append(
                FieldError("rules.code_mismatch", f"{path.name}：文件名应为“{rs.code}.json”", "code")
            )
            continue
        out.append(ShippedFile(path, rs, data, digest_of(data)))
    if errors:
        raise invalid(errors, "随平台发布的规则集")
    return out


@dataclass
class SyncReport:
    created: list[RuleSetVersion] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@transaction.atomic
def ruleset_sync_shipped(*, actor: Any, record_audit: bool = True) -> SyncReport:
    """Store every shipped rule-set version not stored yet. Idempotent: a second run stores nothing
    and writes no audit event. A shipped file whose content differs from the stored same version
    is refused (a published version never changes: ship a new version instead) and nothing is stored.

    ``record_audit=False`` only for the test database (see ``sync_after_migrate``)."""
    require(actor, "rules.define")
    files = load_shipped()
    existing = {(r.code, r.version): r for r in RuleSetVersion.objects.select_for_update()}
    report = SyncReport()
    changed = []
    for f in files:
        row = existing.get((f.ruleset.code, f.ruleset.version))
        if row is None:
            continue
        if row.digest != f.digest:
            changed.append(
                FieldError(
                    "rules.shipped_changed",
                    f"{f.path.name}：与已发布的第{row.version}版内容不同（已发布摘要 {row.digest[:16]}…，"
                    f"文件摘要 {f.digest[:16]}…）。已发布的版本不能更改，请增加版本号并设定新的生效日期",
                    f.ruleset.code,
                )
            )
        else:
            report.unchanged.append(f.ruleset.code)
    if changed:
        e = invalid(changed, "随平台发布的规则集")
        raise Conflict(e.code, e.message, errors=e.errors)
    for f in files:
        if (f.ruleset.code, f.ruleset.version) not in existing:
            report.created.append(_store(f.ruleset, f.data, source=RuleSetSource.SHIPPED, actor=actor))
    if report.created and record_audit:
        record(
            actor=actor,
            action="rules.sync_shipped",
            object_type="ruleset",
            object_id="shipped",
            summary={"created": [_summary(r) for r in report.created], "unchanged": len(report.unchanged)},
        )
    return report


def sync_after_migrate(sender: Any = None, using: str = "default", **kwargs: Any) -> None:
    """post_migrate handler: ``ggzy migrate``, ``make run`` and the test database get the shipped
    rule sets. The test database's sync is not audited, so audit tests start from an empty chain."""
    from django.conf import settings
    from django.db import DEFAULT_DB_ALIAS, connections

    if using != DEFAULT_DB_ALIAS:
        return
    if RuleSetVersion._meta.db_table not in connections[using].introspection.table_names():
        return
    try:
        ruleset_sync_shipped(actor=SYSTEM, record_audit=getattr(settings, "ENV", "") != "test")
    except DomainError as e:
        lines = [e.message] + [f"  - {x.message}" for x in e.errors if len(e.errors) > 1]
        sys.stderr.write("交易规则未能全部载入：\n" + "\n".join(lines) + f"\n[{e.code}]\n")


# --- new versions and "other" procedures ---------------------------------------------------------


def _effective(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(
            "rules.invalid_date", f"生效日期“{value}”应写成 YYYY-MM-DD", field="effective_from"
        ) from None


@transaction.atomic
def ruleset_publish_version(*, data: dict[str, Any], effective_from: Any, actor: Any) -> RuleSetVersion:
    """Publish the next version of an existing rule set. It applies to projects registered on or
    after ``effective_from``, which must be later than the current latest version's and not past."""
    require(actor, "rules.define")
    if not isinstance(data, dict):
        raise InvalidInput("rules.invalid", "规则集应为 JSON 对象")
    code = data.get("code")
    latest = RuleSetVersion.objects.select_for_update().filter(code=code).order_by("-version").first()
    if latest is None:
        raise NotFound(
            "rules.not_found",
            f"没有代码为“{code}”的交易规则；新的其他公共资源交易方式请用“定义”功能",
            field="code",
        )
    day = _effective(effective_from)
    if day <= latest.effective_from:
        raise InvalidInput(
            "rules.effective_not_later",
            f"新版本的生效日期须晚于第{latest.version}版的生效日期（{selectors.cn_date(latest.effective_from)}）",
            field="effective_from",
        )
    if day < clock.today():
        raise InvalidInput(
            "rules.effective_in_past",
            "生效日期不能早于今天：新规则只适用于此后登记的项目",
            field="effective_from",
        )
    proposed = copy.deepcopy(data)
    expected = latest.version + 1
    if proposed.get("version", expected) not in (
        latest.version,
        expected,
    ):  # a copy being edited, or the next
        raise InvalidInput("rules.invalid_version", f"新版本号应为{expected}", field="version")
    proposed["version"] = expected
    proposed["effective_from"] = day.isoformat()
    rs, canonical = validate.normalise(proposed)
    if rs.category != latest.category or rs.procedure != latest.procedure:
        raise InvalidInput("rules.code_mismatch", "新版本不能改变交易类别或交易方式", field="code")
    row = _store(rs, canonical, source=RuleSetSource.ADMIN, actor=actor)
    record(
        actor=actor,
        action="rules.publish_version",
        object_type="ruleset",
        object_id=row.code,
        summary=_summary(row),
    )
    return row


@transaction.atomic
def ruleset_define_other(*, data: dict[str, Any], actor: Any) -> RuleSetVersion:
    """An administrator defines a procedure of the "other" category (排污权, 碳排放权, 药品集中采购 …)
    without code: a code ``other.<slug>``, a name, a mechanism (sealed bids or auction) and its
    periods; stages, evaluation methods and the minimum number of bidders default by mechanism."""
    require(actor, "rules.define")
    if not isinstance(data, dict):
        raise InvalidInput("rules.invalid", "规则集应为 JSON 对象")
    proposed = copy.deepcopy(data)
    code = str(proposed.get("code", ""))
    m = OTHER_CODE.match(code)
    if not m:
        raise InvalidInput(
            "rules.invalid_code",
            "其他公共资源交易方式的代码应为“other.英文代码”，英文代码为2至40位小写字母、数字或下划线，以字母开头",
            field="code",
        )
    mechanism = proposed.get("mechanism")
    if mechanism not in DEFAULT_STAGES:
        raise InvalidInput(
            "rules.other_mechanism",
            "其他公共资源的交易机制应选择密封投标（sealed_bids）或竞价（auction）",
            field="mechanism",
        )
    proposed.setdefault("category", "other")
    proposed.setdefault("procedure", m.group(1))
    proposed.setdefault("version", 1)
    proposed.setdefault("stages", copy.deepcopy(DEFAULT_STAGES[mechanism]))
    proposed.setdefault("evaluation_methods", list(DEFAULT_METHODS[mechanism]))
    proposed.setdefault("min_bidders", DEFAULT_MIN_BIDDERS[mechanism])
    day = _effective(proposed.get("effective_from") or clock.today())
    if day < clock.today():
        raise InvalidInput("rules.effective_in_past", "生效日期不能早于今天", field="effective_from")
    proposed["effective_from"] = day.isoformat()
    if proposed["version"] != 1:
        raise InvalidInput("rules.invalid_version", "新定义的交易方式从第1版开始", field="version")
    if proposed["category"] != "other":
        raise InvalidInput(
            "rules.code_mismatch", "只能定义其他公共资源（other）类别的交易方式", field="category"
        )
    rs, canonical = validate.normalise(proposed)
    if RuleSetVersion.objects.filter(code=rs.code).exists():
        raise Conflict("rules.exists", f"交易方式“{rs.code}”已存在；修改规则请发布新版本", field="code")
    row = _store(rs, canonical, source=RuleSetSource.ADMIN, actor=actor)
    record(
        actor=actor,
        action="rules.define_other",
        object_type="ruleset",
        object_id=row.code,
        summary=_summary(row),
    )
    return row
