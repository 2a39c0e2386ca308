"""Mandatory scope: which projects must trade on the platform, and splitting to avoid it. Pure module.

The figures are data (``rules/data/mandatory_scope.json``): the scale thresholds of 必须招标的工程项目规定
(国家发展改革委令第16号 第五条: works ≥ 400万元, important goods ≥ 200万元, services ≥ 100万元; not in
the law library, so unconfirmed), and the splitting window and ratio. Whether a project falls in the
scope by its funding (国有资金占控股或者主导地位 …) is a flag the registering party declares.

``must_trade_on_platform`` decides for one project; ``splitting_suspects`` finds a tenderer's related
projects each just under a threshold whose sum reaches it (招标投标法第四条: 化整为零规避招标).
Trading calls both when a project is registered.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from ggzy.core.errors import InvalidInput
from ggzy.rules.schema import Citation

SCOPE_FILE = Path(__file__).with_name("data") / "mandatory_scope.json"
ITEM_KINDS = {"works": "施工", "goods": "货物", "services": "服务"}
CATEGORIES = ("engineering", "procurement", "land", "mining", "property", "other")
TEN_THOUSAND = Decimal(10000)


@dataclass(frozen=True)
class Threshold:
    item_kind: str
    label: str
    amount: Decimal


@dataclass(frozen=True)
class Scope:
    thresholds: dict[str, Threshold]
    threshold_citation: Citation
    scope_flag: str
    scope_basis: tuple[Citation, ...]
    category_reasons: dict[str, str]
    platform_basis: Citation
    window_days: int
    ratio: Decimal
    splitting_basis: Citation


@dataclass(frozen=True)
class ScopeDecision:
    must: bool
    reason_zh: str
    citation: Citation
    threshold: Decimal | None = None  # the threshold compared with, for engineering


class ProjectRef(NamedTuple):
    tenderer_uscc: str
    registered_on: dt.date
    item_kind: str  # works | goods | services
    estimate: Decimal


@dataclass(frozen=True)
class SplittingSuspect:
    tenderer_uscc: str
    item_kind: str
    projects: tuple[ProjectRef, ...]  # the related projects, the new one last
    total: Decimal
    threshold: Decimal
    window_days: int
    explanation_zh: str
    citation: Citation


def _citation(d: dict[str, Any]) -> Citation:
    return Citation(
        law=d["law"],
        article=d.get("article", ""),
        confirmed=bool(d.get("confirmed", True)),
        note=d.get("note", ""),
    )


def parse_scope(data: dict[str, Any]) -> Scope:
    eng = data["engineering"]
    thresholds = {
        kind: Threshold(kind, t["label"], Decimal(str(t["amount"]))) for kind, t in eng["thresholds"].items()
    }
    split = data["splitting"]
    ratio = Decimal(str(split["ratio"]))
    window = int(split["window_days"])
    if not (Decimal(0) < ratio <= Decimal(1)) or window < 1 or set(thresholds) != set(ITEM_KINDS):
        raise ValueError("mandatory_scope.json: ratio must be in (0, 1], window_days >= 1, all item kinds")
    return Scope(
        thresholds=thresholds,
        threshold_citation=_citation(eng["citation"]),
        scope_flag=eng["scope_flag"],
        scope_basis=tuple(_citation(c) for c in eng["scope_basis"]),
        category_reasons=dict(data["categories"]),
        platform_basis=_citation(data["platform_basis"]),
        window_days=window,
        ratio=ratio,
        splitting_basis=_citation(split["basis"]),
    )


@lru_cache(maxsize=1)
def default_scope() -> Scope:
    return parse_scope(json.loads(SCOPE_FILE.read_text(encoding="utf-8")))


def wan(amount: Decimal) -> str:
    """Yuan as 万元 text: 4000000 -> 400, 3999999.99 -> 399.999999."""
    value = (amount / TEN_THOUSAND).normalize()
    return format(value, "f")


def _estimate(value: Any) -> Decimal:
    if isinstance(value, bool | float):
        raise InvalidInput("scope.invalid_estimate", "估算价不能用浮点数表示", field="estimate")
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(
            "scope.invalid_estimate", f"估算价“{value}”不是有效的金额", field="estimate"
        ) from None
    if not d.is_finite() or d < 0:
        raise InvalidInput("scope.invalid_estimate", "估算价不能为负数", field="estimate")
    return d


def must_trade_on_platform(
    category: str, item_kind: str, estimate: Decimal, public_funded: bool, *, scope: Scope | None = None
) -> ScopeDecision:
    """Must this project trade on the platform?

    Engineering: when it is in the scope by its nature or funding (``public_funded``, declared by the
    registering party) and its estimate reaches the threshold of its kind. The other categories trade
    on the platform whatever their size (seed 二(一)).
    """
    scope = scope or default_scope()
    if category not in CATEGORIES:
        raise InvalidInput("scope.unknown_category", f"交易类别“{category}”不存在", field="category")
    amount = _estimate(estimate)
    if category != "engineering":
        basis = scope.platform_basis
        if category == "property":
            basis = Citation(law="企业国有资产法", article="第五十四条")
        return ScopeDecision(True, scope.category_reasons[category], basis)
    if item_kind not in scope.thresholds:
        raise InvalidInput(
            "scope.unknown_item_kind",
            f"工程建设项目的采购内容应为施工（works）、货物（goods）或服务（services），而不是“{item_kind}”",
            field="item_kind",
        )
    t = scope.thresholds[item_kind]
    if not public_funded:
        return ScopeDecision(
            False,
            "登记方声明项目不属于依法必须招标的范围（不是关系社会公共利益、公众安全的项目，也未使用国有资金或者国际组织、外国政府资金），"
            "可以不进入平台招标；自愿进场的，按平台规则交易",
            scope.scope_basis[0],
            t.amount,
        )
    if amount >= t.amount:
        return ScopeDecision(
            True,
            f"依法必须招标的工程建设项目，{t.label}{wan(amount)}万元，达到{wan(t.amount)}万元的规模标准，必须在平台上招标",
            scope.threshold_citation,
            t.amount,
        )
    return ScopeDecision(
        False,
        f"{t.label}{wan(amount)}万元，低于{wan(t.amount)}万元的规模标准，可以不招标；"
        "但不得将依法必须招标的项目化整为零规避招标（招标投标法第四条）",
        scope.threshold_citation,
        t.amount,
    )


def _ref(p: Any) -> ProjectRef:
    ref = p if isinstance(p, ProjectRef) else ProjectRef(*p)
    return ref._replace(estimate=_estimate(ref.estimate))


def splitting_suspects(
    projects: list[Any],
    new: Any,
    window_days: int | None = None,
    ratio: Decimal | str | None = None,
    *,
    scope: Scope | None = None,
) -> list[SplittingSuspect]:
    """Related projects of the new one's tenderer and item kind, registered within ``window_days``
    of it, each just under the threshold (at least ``ratio`` of it) — with the new one, at least two
    — whose sum reaches the threshold: a suspected split (招标投标法第四条). Returns [] or one suspect
    naming every project of the group. ``projects`` are the tenderer's other projects (tuples or
    ``ProjectRef``), *without* the new one: two identical projects are a split too."""
    scope = scope or default_scope()
    window = scope.window_days if window_days is None else int(window_days)
    r = scope.ratio if ratio is None else Decimal(str(ratio))
    if window < 1 or not (Decimal(0) < r <= Decimal(1)):
        raise InvalidInput(
            "scope.invalid_splitting", "拆分检测的期间应不少于1日，比例应在0到1之间", field="ratio"
        )
    n = _ref(new)
    t = scope.thresholds.get(n.item_kind)
    if t is None:
        return []
    lower = t.amount * r

    def near(p: ProjectRef) -> bool:
        return lower <= p.estimate < t.amount

    if not near(n):
        return []
    related = [
        p
        for p in (_ref(x) for x in projects)
        if p.tenderer_uscc == n.tenderer_uscc
        and p.item_kind == n.item_kind
        and abs((p.registered_on - n.registered_on).days) <= window
        and near(p)
    ]
    group = [*sorted(related, key=lambda p: p.registered_on), n]
    total = sum((p.estimate for p in group), Decimal(0))
    if len(group) < 2 or total < t.amount:
        return []
    percent = format((r * 100).normalize(), "f")
    explanation = (
        f"招标人（统一社会信用代码{n.tenderer_uscc}）在{window}日内登记了{len(group)}个{ITEM_KINDS[n.item_kind]}项目，"
        f"单项估算价均略低于{wan(t.amount)}万元的必须招标规模标准（均不低于该标准的{percent}%），"
        f"合计{wan(total)}万元，已达到该标准，可能属于将依法必须进行招标的项目化整为零规避招标"
        "（《招标投标法》第四条：任何单位和个人不得将依法必须进行招标的项目化整为零或者以其他任何方式规避招标）。"
        "请行政监督部门核查。"
    )
    return [
        SplittingSuspect(
            tenderer_uscc=n.tenderer_uscc,
            item_kind=n.item_kind,
            projects=tuple(group),
            total=total,
            threshold=t.amount,
            window_days=window,
            explanation_zh=explanation,
            citation=scope.splitting_basis,
        )
    ]
