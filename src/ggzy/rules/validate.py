"""Validation of a rule-set dict into ``schema.RuleSet``, and its canonical form. Pure module.

``validate(data)`` checks every field and collects every problem, each with a stable code
(``rules.invalid_period``, ``rules.unknown_event``, ``rules.stage_order`` …) and a Chinese message,
then raises one ``InvalidInput`` (``ggzy.core.errors.invalid``) or returns the ``RuleSet``.
``to_data(ruleset)`` is the inverse; ``canonical_json`` is what the SM3 digest is taken of.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from ggzy.core.errors import FieldError, invalid
from ggzy.rules import events, lawtext
from ggzy.rules.schema import DAY_KINDS, MECHANISMS, RELATIONS, Citation, Deposit, Period, RuleSet, Stage

CATEGORIES = {
    "engineering": "工程建设",
    "procurement": "政府采购",
    "land": "土地使用权",
    "mining": "矿业权",
    "property": "国有产权",
    "other": "其他公共资源",
}

PROCEDURES: dict[str, dict[str, str]] = {
    "engineering": {
        "open_tendering": "公开招标",
        "open_tendering_prequal": "公开招标（资格预审）",
        "invited_tendering": "邀请招标",
        "invited_tendering_prequal": "邀请招标（资格预审）",
    },
    "procurement": {
        "open_tendering": "公开招标",
        "invited_tendering": "邀请招标",
        "competitive_negotiation": "竞争性谈判",
        "competitive_consultation": "竞争性磋商",
        "request_for_quotation": "询价",
        "single_source": "单一来源采购",
    },
    "land": {"tender": "招标出让", "auction": "拍卖出让", "listing": "挂牌出让"},
    "mining": {"tender": "招标出让", "auction": "拍卖出让", "listing": "挂牌出让"},
    "property": {"listed_transfer": "进场挂牌转让"},
    "other": {},  # defined by administrators: other.<slug>
}

EVALUATION_METHODS = {
    "lowest_evaluated_price": "经评审的最低投标价法",
    "comprehensive_scoring": "综合评估法（综合评分法）",
    "lowest_price": "最低评标价法",
    "lowest_quote": "最低报价法（满足需求且质量和服务相等时报价最低者成交）",
    "negotiated_price": "协商确定价格",
    "highest_price": "价高者得",
}
# which evaluation methods fit which mechanism
METHODS_BY_MECHANISM = {
    "sealed_bids": {"lowest_evaluated_price", "comprehensive_scoring", "lowest_price", "highest_price"},
    "negotiation": {"lowest_quote", "comprehensive_scoring", "negotiated_price"},
    "auction": {"highest_price", "negotiated_price"},
}

RESERVED_STAGES = {"draft", "terminated", "failed"}  # trading's own statuses
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_ARTICLE_NO = re.compile(r"^第[零一二三四五六七八九十百千]+条(之[一二三四五六七八九十]+)?$")
OTHER_SLUG = re.compile(r"^[a-z][a-z0-9_]{1,39}$")

FIELDS = {
    "code",
    "category",
    "procedure",
    "name",
    "version",
    "effective_from",
    "mechanism",
    "stages",
    "periods",
    "min_bidders",
    "evaluation_methods",
    "prequalification",
    "deposit",
    "publicity_days",
    "thresholds",
    "citations",
    "notes",
    "min_bidders_basis",
    "threshold_basis",
    "evaluation_basis",
}
REQUIRED = {"code", "category", "procedure", "name", "version", "effective_from", "mechanism", "stages"}


class _Errors:
    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, code: str, message: str, field: str | None) -> None:
        self.items.append(FieldError(code=code, message=message, field=field))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _decimal(value: Any, field: str, errs: _Errors, code: str, what: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool | float):
        errs.add(code, f'{what}不能用浮点数表示，请写成字符串（如 "2"）', field)
        return None
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errs.add(code, f"{what}“{value}”不是有效的数字", field)
        return None
    if not d.is_finite() or d < 0:
        errs.add(code, f"{what}不能为负数", field)
        return None
    return d


def _text(data: dict, key: str, field: str, errs: _Errors, code: str, what: str, max_len: int = 200) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        errs.add(code, f"请填写{what}", field)
        return ""
    if len(value) > max_len:
        errs.add(code, f"{what}过长（不超过{max_len}字）", field)
    return value.strip()


def citation(value: Any, field: str, errs: _Errors) -> Citation | None:
    """A citation dict: law, article, confirmed, note. A confirmed citation must name an article
    that exists in the law library (``rules/law``); an unconfirmed one must say why in ``note``."""
    if not isinstance(value, dict):
        errs.add("rules.invalid_citation", "法律依据应为包含 law、article 的对象", field)
        return None
    unknown = set(value) - {"law", "article", "confirmed", "note"}
    if unknown:
        errs.add("rules.unknown_field", f"法律依据中有无法识别的字段：{'、'.join(sorted(unknown))}", field)
    law = value.get("law")
    article = value.get("article", "")
    confirmed = value.get("confirmed", True)
    note = value.get("note", "")
    ok = True
    if not isinstance(law, str) or not law.strip():
        errs.add("rules.invalid_citation", "法律依据须写明法律、法规或规章的名称", f"{field}.law")
        return None
    law = law.strip().strip("《》")
    if not isinstance(article, str) or (article and not _ARTICLE_NO.match(article)):
        errs.add("rules.invalid_citation", f"条文编号“{article}”应写成“第二十四条”的形式", f"{field}.article")
        ok = False
    if not isinstance(confirmed, bool):
        errs.add("rules.invalid_citation", "confirmed 应为 true 或 false", f"{field}.confirmed")
        ok = False
    if not isinstance(note, str):
        errs.add("rules.invalid_citation", "note 应为文字", f"{field}.note")
        ok = False
    if not ok:
        return None
    if confirmed:
        if not lawtext.has_law(law):
            errs.add(
                "rules.unconfirmed_law",
                f"《{law}》不在平台法规库中，无法核实，应标注为未核实（confirmed: false）并说明原因",
                f"{field}.confirmed",
            )
            return None
        if not article:
            errs.add("rules.invalid_citation", f"引用《{law}》须写明条文编号", f"{field}.article")
            return None
        if lawtext.article(law, article) is None:
            errs.add("rules.unknown_article", f"《{law}》中没有{article}", f"{field}.article")
            return None
    elif not note.strip():
        errs.add("rules.note_required", f"未核实的依据《{law}》须在 note 中说明原因", f"{field}.note")
        return None
    return Citation(law=law, article=article, confirmed=confirmed, note=note.strip())


def _stages(value: Any, mechanism: str, errs: _Errors) -> tuple[Stage, ...]:
    if not isinstance(value, list) or not value:
        errs.add("rules.no_stages", "规则集至少要有一个交易阶段", "stages")
        return ()
    stages: list[Stage] = []
    seen_codes: set[str] = set()
    seen_events: set[str] = set()
    last_pos = -1
    for i, raw in enumerate(value):
        field = f"stages[{i}]"
        if not isinstance(raw, dict):
            errs.add("rules.invalid_stage", f"第{i + 1}个阶段应为对象", field)
            continue
        code = raw.get("code")
        label = raw.get("label")
        event = raw.get("event")
        if not isinstance(code, str) or not _CODE.match(code):
            errs.add(
                "rules.invalid_stage", f"第{i + 1}个阶段的代码应为小写字母、数字和下划线", f"{field}.code"
            )
            continue
        if code in RESERVED_STAGES:
            errs.add(
                "rules.stage_reserved", f"阶段代码“{code}”是交易系统保留的状态，不能用作阶段", f"{field}.code"
            )
        if code in seen_codes:
            errs.add("rules.stage_duplicate", f"阶段“{code}”重复出现", f"{field}.code")
        seen_codes.add(code)
        if not isinstance(label, str) or not label.strip():
            errs.add("rules.invalid_stage", f"请填写阶段“{code}”的中文名称", f"{field}.label")
            label = ""
        if event is not None:
            if event not in events.EVENTS:
                errs.add(
                    "rules.unknown_event", f"阶段“{code}”的事件“{event}”不是已知的时间节点", f"{field}.event"
                )
                event = None
            elif event not in events.allowed(mechanism):
                errs.add(
                    "rules.event_mechanism",
                    f"时间节点“{events.label(event)}”不适用于{MECHANISMS.get(mechanism, mechanism)}",
                    f"{field}.event",
                )
                event = None
            elif event in seen_events:
                errs.add(
                    "rules.stage_duplicate",
                    f"两个阶段不能由同一时间节点“{events.label(event)}”进入",
                    f"{field}.event",
                )
            else:
                seen_events.add(event)
                pos = events.position(mechanism, event)
                if pos is not None:
                    if pos <= last_pos:
                        errs.add(
                            "rules.stage_order",
                            f"阶段“{label or code}”（{events.label(event)}）排在了更晚的时间节点之后，阶段顺序不正确",
                            f"{field}.event",
                        )
                    last_pos = max(last_pos, pos)
        stages.append(Stage(code=code, label=(label or "").strip(), event=event))
    return tuple(stages)


def _periods(value: Any, mechanism: str, errs: _Errors) -> tuple[Period, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        errs.add("rules.invalid_period", "periods 应为列表", "periods")
        return ()
    periods: list[Period] = []
    seen: set[str] = set()
    for i, raw in enumerate(value):
        field = f"periods[{i}]"
        if not isinstance(raw, dict):
            errs.add("rules.invalid_period", f"第{i + 1}个期限应为对象", field)
            continue
        unknown = set(raw) - {
            "code",
            "label",
            "start_event",
            "end_event",
            "days",
            "kind",
            "relation",
            "basis",
            "minutes",
        }
        if unknown:
            errs.add(
                "rules.unknown_field", f"第{i + 1}个期限有无法识别的字段：{'、'.join(sorted(unknown))}", field
            )
        before = len(errs.items)
        code = raw.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            errs.add(
                "rules.invalid_period", f"第{i + 1}个期限的代码应为小写字母、数字和下划线", f"{field}.code"
            )
            code = f"#{i + 1}"
        elif code in seen:
            errs.add("rules.period_duplicate", f"期限“{code}”重复出现", f"{field}.code")
        seen.add(code)
        label = raw.get("label")
        if not isinstance(label, str) or not label.strip():
            errs.add("rules.invalid_period", f"请填写期限“{code}”的中文说明", f"{field}.label")
            label = ""
        ends = {}
        for key in ("start_event", "end_event"):
            ev = raw.get(key)
            if ev not in events.EVENTS:
                errs.add(
                    "rules.unknown_event", f"期限“{code}”的时间节点“{ev}”不是已知的时间节点", f"{field}.{key}"
                )
            elif ev not in events.allowed(mechanism):
                errs.add(
                    "rules.event_mechanism",
                    f"期限“{code}”的时间节点“{events.label(ev)}”不适用于{MECHANISMS.get(mechanism, mechanism)}",
                    f"{field}.{key}",
                )
            else:
                ends[key] = ev
        if len(ends) == 2:
            start, end = ends["start_event"], ends["end_event"]
            a, b = events.position(mechanism, start), events.position(mechanism, end)
            if start == end or (a is not None and b is not None and a >= b):
                errs.add(
                    "rules.period_order",
                    f"期限“{label or code}”的起点（{events.label(start)}）必须早于终点（{events.label(end)}）",
                    f"{field}.end_event",
                )
        days = raw.get("days")
        minutes = raw.get("minutes", 0)
        if not _is_int(days) or days < 0 or days > 3650:
            errs.add(
                "rules.invalid_period", f"期限“{label or code}”的天数应为0至3650之间的整数", f"{field}.days"
            )
        if not _is_int(minutes) or minutes < 0 or minutes > 24 * 60:
            errs.add(
                "rules.invalid_period",
                f"期限“{label or code}”的分钟数应为0至1440之间的整数",
                f"{field}.minutes",
            )
        kind = raw.get("kind")
        relation = raw.get("relation")
        if kind not in DAY_KINDS:
            errs.add(
                "rules.unknown_day_kind",
                f"期限“{label or code}”的计算单位应为 calendar（日）或 working（工作日）",
                f"{field}.kind",
            )
        if relation not in RELATIONS:
            errs.add(
                "rules.unknown_relation",
                f"期限“{label or code}”的关系应为 min（不少于）、max（不超过）或 exact（为）",
                f"{field}.relation",
            )
        if _is_int(days) and _is_int(minutes) and days == 0 and minutes == 0 and relation in ("min", "max"):
            errs.add(
                "rules.invalid_period",
                f"期限“{label or code}”为零时只能是“为”（exact），不能是不少于或不超过",
                f"{field}.days",
            )
        basis = citation(raw.get("basis"), f"{field}.basis", errs)
        if len(errs.items) == before and basis is not None:
            periods.append(
                Period(
                    code=code,
                    label=label.strip(),
                    start_event=ends["start_event"],
                    end_event=ends["end_event"],
                    days=days,
                    kind=kind,
                    relation=relation,
                    basis=basis,
                    minutes=minutes,
                )
            )
    return tuple(periods)


def _deposit(value: Any, errs: _Errors) -> Deposit | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        errs.add("rules.invalid_deposit", "保证金规则应为对象", "deposit")
        return None
    before = len(errs.items)
    unknown = set(value) - {
        "cap_percent",
        "cap_amount",
        "refund_days",
        "refund_kind",
        "basis",
        "refund_basis",
    }
    if unknown:
        errs.add(
            "rules.unknown_field", f"保证金规则中有无法识别的字段：{'、'.join(sorted(unknown))}", "deposit"
        )
    percent = _decimal(
        value.get("cap_percent"), "deposit.cap_percent", errs, "rules.invalid_deposit", "保证金比例上限"
    )
    if percent is not None and percent > 100:
        errs.add("rules.invalid_deposit", "保证金比例上限不能超过100%", "deposit.cap_percent")
    amount = _decimal(
        value.get("cap_amount"), "deposit.cap_amount", errs, "rules.invalid_deposit", "保证金金额上限"
    )
    refund_days = value.get("refund_days")
    if not _is_int(refund_days) or refund_days < 0:
        errs.add("rules.invalid_deposit", "保证金退还期限应为不小于0的整数", "deposit.refund_days")
    refund_kind = value.get("refund_kind", "calendar")
    if refund_kind not in DAY_KINDS:
        errs.add(
            "rules.unknown_day_kind", "保证金退还期限的单位应为 calendar 或 working", "deposit.refund_kind"
        )
    basis = citation(value["basis"], "deposit.basis", errs) if value.get("basis") is not None else None
    refund_basis = (
        citation(value["refund_basis"], "deposit.refund_basis", errs)
        if value.get("refund_basis") is not None
        else None
    )
    if len(errs.items) != before:
        return None
    return Deposit(
        cap_percent=percent,
        cap_amount=amount,
        refund_days=refund_days,
        refund_kind=refund_kind,
        basis=basis,
        refund_basis=refund_basis,
    )


def validate(data: Any) -> RuleSet:
    """Check a rule-set dict and build the ``RuleSet``; raise ``InvalidInput`` listing every problem."""
    errs = _Errors()
    if not isinstance(data, dict):
        raise invalid([FieldError("rules.invalid", "规则集应为 JSON 对象", None)], "规则集")
    unknown = set(data) - FIELDS
    if unknown:
        errs.add("rules.unknown_field", f"规则集中有无法识别的字段：{'、'.join(sorted(unknown))}", None)
    missing = sorted(REQUIRED - set(data))
    for key in missing:
        errs.add("rules.field_required", f"规则集缺少必填字段“{key}”", key)

    category = data.get("category")
    if "category" in data and category not in CATEGORIES:
        errs.add(
            "rules.unknown_category",
            f"交易类别“{category}”不存在（可选：{'、'.join(CATEGORIES)}）",
            "category",
        )
    procedure = data.get("procedure")
    if "procedure" in data:
        if category == "other":
            if not isinstance(procedure, str) or not OTHER_SLUG.match(procedure):
                errs.add(
                    "rules.invalid_code",
                    "其他公共资源的交易方式代码应为2至40位小写字母、数字或下划线，以字母开头",
                    "procedure",
                )
        elif category in PROCEDURES and procedure not in PROCEDURES[category]:
            errs.add(
                "rules.unknown_procedure",
                f"{CATEGORIES[category]}没有交易方式“{procedure}”（可选：{'、'.join(PROCEDURES[category])}）",
                "procedure",
            )
    code = data.get("code")
    if "code" in data and code != f"{category}.{procedure}":
        errs.add(
            "rules.code_mismatch",
            f"规则集代码“{code}”应为“交易类别.交易方式”，即“{category}.{procedure}”",
            "code",
        )
    name = (
        _text(data, "name", "name", errs, "rules.name_required", "规则集的中文名称") if "name" in data else ""
    )
    version = data.get("version")
    if "version" in data and (not _is_int(version) or version < 1):
        errs.add("rules.invalid_version", "版本号应为从1开始的整数", "version")
    effective: dt.date | None = None
    raw_date = data.get("effective_from")
    if isinstance(raw_date, dt.date):
        effective = raw_date
    elif "effective_from" in data:
        try:
            effective = dt.date.fromisoformat(str(raw_date))
        except ValueError:
            errs.add("rules.invalid_date", f"生效日期“{raw_date}”应写成 YYYY-MM-DD", "effective_from")
    mechanism = data.get("mechanism")
    mechanism_ok = mechanism in MECHANISMS
    if "mechanism" in data and not mechanism_ok:
        errs.add(
            "rules.unknown_mechanism",
            f"交易机制“{mechanism}”不存在（可选：sealed_bids 密封投标、auction 竞价、negotiation 谈判）",
            "mechanism",
        )
    stages = _stages(data.get("stages"), mechanism, errs) if mechanism_ok and "stages" in data else ()
    periods = _periods(data.get("periods"), mechanism, errs) if mechanism_ok else ()

    min_bidders = data.get("min_bidders", 1)
    if not _is_int(min_bidders) or min_bidders < 1:
        errs.add("rules.min_bidders", "最少投标（竞买）人数应为不小于1的整数", "min_bidders")
    methods = data.get("evaluation_methods", [])
    if not isinstance(methods, list) or not methods:
        errs.add("rules.evaluation_method_required", "请至少选择一种评标（成交）方法", "evaluation_methods")
        methods = []
    for i, m in enumerate(methods):
        if m not in EVALUATION_METHODS:
            errs.add(
                "rules.unknown_evaluation_method",
                f"评标方法“{m}”不存在（可选：{'、'.join(f'{k} {v}' for k, v in EVALUATION_METHODS.items())}）",
                f"evaluation_methods[{i}]",
            )
        elif mechanism_ok and m not in METHODS_BY_MECHANISM[mechanism]:
            errs.add(
                "rules.method_mechanism",
                f"“{EVALUATION_METHODS[m]}”不适用于{MECHANISMS[mechanism]}",
                f"evaluation_methods[{i}]",
            )
    if len(set(methods)) != len(methods):
        errs.add("rules.duplicate_evaluation_method", "评标方法重复", "evaluation_methods")
    prequal = data.get("prequalification", False)
    if not isinstance(prequal, bool):
        errs.add("rules.invalid", "prequalification 应为 true 或 false", "prequalification")
    deposit = _deposit(data.get("deposit"), errs)
    publicity = data.get("publicity_days")
    if publicity is not None and (not _is_int(publicity) or publicity < 1):
        errs.add("rules.invalid_publicity", "公示天数应为不小于1的整数", "publicity_days")
    thresholds: dict[str, Decimal] = {}
    raw_thresholds = data.get("thresholds", {})
    if not isinstance(raw_thresholds, dict):
        errs.add("rules.invalid_threshold", "thresholds 应为“名称: 金额（元）”的对象", "thresholds")
    else:
        for key, amount in raw_thresholds.items():
            d = _decimal(amount, f"thresholds.{key}", errs, "rules.invalid_threshold", f"限额“{key}”")
            if d is not None:
                thresholds[str(key)] = d
    citations = []
    raw_citations = data.get("citations", [])
    if not isinstance(raw_citations, list):
        errs.add("rules.invalid_citation", "citations 应为列表", "citations")
        raw_citations = []
    for i, c in enumerate(raw_citations):
        found = citation(c, f"citations[{i}]", errs)
        if found is not None:
            citations.append(found)
    bases = {}
    for key in ("min_bidders_basis", "threshold_basis", "evaluation_basis"):
        bases[key] = citation(data[key], key, errs) if data.get(key) is not None else None
    notes = data.get("notes", "")
    if not isinstance(notes, str) or len(notes) > 2000:
        errs.add("rules.invalid", "notes 应为不超过2000字的文字", "notes")
        notes = ""
    if errs.items:
        raise invalid(errs.items, "规则集")
    return RuleSet(
        code=code,
        category=category,
        procedure=procedure,
        name=name,
        version=version,
        effective_from=effective,
        mechanism=mechanism,
        stages=stages,
        periods=periods,
        min_bidders=min_bidders,
        evaluation_methods=tuple(methods),
        prequalification=prequal,
        deposit=deposit,
        publicity_days=publicity,
        thresholds=thresholds,
        citations=tuple(citations),
        notes=notes.strip(),
        min_bidders_basis=bases["min_bidders_basis"],
        threshold_basis=bases["threshold_basis"],
        evaluation_basis=bases["evaluation_basis"],
    )


def _citation_data(c: Citation | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"law": c.law, "article": c.article, "confirmed": c.confirmed, "note": c.note}


def _dec(d: Decimal | None) -> str | None:
    if d is None:
        return None
    text = format(d.normalize(), "f")
    return text


def to_data(rs: RuleSet) -> dict[str, Any]:
    """The canonical dict of a rule set (what is stored and hashed): every field, Decimals as text."""
    deposit = None
    if rs.deposit is not None:
        deposit = {
            "cap_percent": _dec(rs.deposit.cap_percent),
            "cap_amount": _dec(rs.deposit.cap_amount),
            "refund_days": rs.deposit.refund_days,
            "refund_kind": rs.deposit.refund_kind,
            "basis": _citation_data(rs.deposit.basis),
            "refund_basis": _citation_data(rs.deposit.refund_basis),
        }
    return {
        "code": rs.code,
        "category": rs.category,
        "procedure": rs.procedure,
        "name": rs.name,
        "version": rs.version,
        "effective_from": rs.effective_from.isoformat(),
        "mechanism": rs.mechanism,
        "stages": [{"code": s.code, "label": s.label, "event": s.event} for s in rs.stages],
        "periods": [
            {
                "code": p.code,
                "label": p.label,
                "start_event": p.start_event,
                "end_event": p.end_event,
                "days": p.days,
                "minutes": p.minutes,
                "kind": p.kind,
                "relation": p.relation,
                "basis": _citation_data(p.basis),
            }
            for p in rs.periods
        ],
        "min_bidders": rs.min_bidders,
        "evaluation_methods": list(rs.evaluation_methods),
        "prequalification": rs.prequalification,
        "deposit": deposit,
        "publicity_days": rs.publicity_days,
        "thresholds": {k: _dec(v) for k, v in sorted(rs.thresholds.items())},
        "citations": [_citation_data(c) for c in rs.citations],
        "notes": rs.notes,
        "min_bidders_basis": _citation_data(rs.min_bidders_basis),
        "threshold_basis": _citation_data(rs.threshold_basis),
        "evaluation_basis": _citation_data(rs.evaluation_basis),
    }


def canonical_json(data: dict[str, Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8: the same rule set always gives the same bytes."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def normalise(data: Any) -> tuple[RuleSet, dict[str, Any]]:
    """Validate, then the canonical dict of the result."""
    rs = validate(data)
    return rs, to_data(rs)


def period_text(p: Period) -> str:
    """Chinese: 不少于20日 / 不超过3个工作日 / 为0日（同一时间）."""
    unit = "个工作日" if p.kind == "working" else "日"
    amount = f"{p.days}{unit}" if p.days else ""
    if p.minutes:
        amount += f"{p.minutes}分钟"
    if not amount:
        amount = "同一时间"
        return amount
    return f"{RELATIONS[p.relation]}{amount}"
