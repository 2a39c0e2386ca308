"""Evaluation arithmetic (评标计算): qualification results, price scores, expert scores, outlier
flags, ranking and candidates. Pure: no Django, no database (import-linter "Pure modules").

Every number is a ``Decimal`` with two places, rounded half up (``q``), so the same inputs give
the same report on every machine. docs/evaluation.md states each rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

TWO = Decimal("0.01")
HUNDRED = Decimal("100")
# A score further than this share of the item's maximum from the median of the committee's
# scores for the same bidder and item is flagged (docs/evaluation.md, "Outliers").
OUTLIER_SHARE = Decimal("0.20")
MAX_CANDIDATES = 3  # 招标投标法实施条例第五十三条：中标候选人应当不超过3个

PRICE, TECHNICAL, COMMERCIAL = "price", "technical", "commercial"
ITEM_KINDS = {PRICE: "价格分", TECHNICAL: "技术分", COMMERCIAL: "商务分"}

COMPREHENSIVE = "comprehensive_scoring"
PRICE_METHODS = ("lowest_evaluated_price", "lowest_price", "lowest_quote", "negotiated_price")


class ScoringError(ValueError):
    """Bad scoring input: ``code`` is stable, ``message`` Chinese."""

    def __init__(self, code: str, message: str, field: str = "") -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


def q(value: Decimal) -> Decimal:
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


def decimal_of(value: object, what: str, field: str = "") -> Decimal:
    if isinstance(value, float):
        raise ScoringError("scoring.number_invalid", f"{what}应为数字文本（不接受浮点数）", field)
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ScoringError("scoring.number_invalid", f"{what}“{value}”不是有效的数字", field) from None
    if not d.is_finite():
        raise ScoringError("scoring.number_invalid", f"{what}“{value}”不是有效的数字", field)
    if d != d.quantize(TWO):
        raise ScoringError("scoring.number_places", f"{what}最多保留两位小数", field)
    return d


# --- the scoring table (评分办法) ------------------------------------------------------------------
@dataclass(frozen=True)
class Item:
    code: str
    label: str
    kind: str  # price | technical | commercial
    max_score: Decimal


@dataclass(frozen=True)
class Table:
    items: tuple[Item, ...]

    @property
    def price_item(self) -> Item:
        return next(i for i in self.items if i.kind == PRICE)

    @property
    def scored_items(self) -> tuple[Item, ...]:
        """The items experts score (everything but the price, which is computed)."""
        return tuple(i for i in self.items if i.kind != PRICE)

    def as_dict(self) -> dict:
        return {
            "items": [
                {"code": i.code, "label": i.label, "kind": i.kind, "max_score": str(i.max_score)}
                for i in self.items
            ]
        }


def parse_table(data: Mapping | None) -> Table:
    """A scoring table from ``{"items": [{"code", "label", "kind", "max_score"}, ...]}``: exactly
    one price item; codes unique; every maximum > 0; the maxima add up to 100."""
    if not isinstance(data, Mapping) or not isinstance(data.get("items"), list) or not data["items"]:
        raise ScoringError(
            "scoring.table_required", "综合评估法须设置评分表（评分项、类别和分值）", "scoring_table"
        )
    items: list[Item] = []
    seen: set[str] = set()
    for n, raw in enumerate(data["items"], start=1):
        if not isinstance(raw, Mapping):
            raise ScoringError("scoring.item_invalid", f"评分表第{n}项格式不正确", "scoring_table")
        code = str(raw.get("code", "")).strip()
        label = str(raw.get("label", "")).strip()
        kind = str(raw.get("kind", "")).strip()
        if not code or not code.replace("_", "").isalnum() or len(code) > 30:
            raise ScoringError(
                "scoring.item_code", f"评分表第{n}项的代码应为1至30位字母、数字或下划线", "scoring_table"
            )
        if code in seen:
            raise ScoringError("scoring.item_duplicate", f"评分表中评分项代码“{code}”重复", "scoring_table")
        if not label:
            raise ScoringError("scoring.item_label", f"评分表第{n}项须填写名称", "scoring_table")
        if kind not in ITEM_KINDS:
            raise ScoringError(
                "scoring.item_kind", f"评分表第{n}项的类别应为价格分、技术分或商务分", "scoring_table"
            )
        mx = decimal_of(raw.get("max_score", ""), f"评分表第{n}项的分值", "scoring_table")
        if mx <= 0:
            raise ScoringError("scoring.item_max", f"评分表第{n}项的分值应大于0", "scoring_table")
        seen.add(code)
        items.append(Item(code, label, kind, mx))
    prices = [i for i in items if i.kind == PRICE]
    if len(prices) != 1:
        raise ScoringError("scoring.price_item", "评分表须有且只有一项价格分", "scoring_table")
    total = sum((i.max_score for i in items), Decimal(0))
    if total != HUNDRED:
        raise ScoringError("scoring.total", f"评分表各项分值之和应为100分（现为{total}分）", "scoring_table")
    return Table(tuple(items))


# --- qualification review (资格审查 / 初步评审) -----------------------------------------------------
@dataclass(frozen=True)
class Vote:
    expert: str
    bidder: str
    passed: bool
    reason: str = ""


def qualification_result(bidders: Iterable[str], votes: Iterable[Vote]) -> dict[str, tuple[bool, list[str]]]:
    """The committee's result per bidder: passed when MORE than half of the experts who voted on it
    passed it (a tie fails: the doubt goes against the bid); the reasons of the experts who failed it."""
    by: dict[str, list[Vote]] = {b: [] for b in bidders}
    for v in votes:
        by.setdefault(v.bidder, []).append(v)
    out: dict[str, tuple[bool, list[str]]] = {}
    for b, vs in by.items():
        yes = sum(1 for v in vs if v.passed)
        out[b] = (
            bool(vs) and yes * 2 > len(vs),
            [v.reason for v in sorted(vs, key=lambda v: v.expert) if not v.passed],
        )
    return out


# --- price score ---------------------------------------------------------------------------------
def price_scores(prices: Mapping[str, Decimal], max_score: Decimal) -> dict[str, Decimal]:
    """Benchmark price = the lowest valid price; score = max × benchmark / price (two places)."""
    if not prices:
        return {}
    for b, p in prices.items():
        if p <= 0:
            raise ScoringError("scoring.price_invalid", f"投标人{b}的报价应大于0", "price")
    bench = min(prices.values())
    return {b: q(max_score * bench / p) for b, p in prices.items()}


# --- expert scores and outliers --------------------------------------------------------------------
def check_sheet(
    table: Table, bidders: Sequence[str], sheet: Mapping[str, Mapping[str, object]]
) -> dict[str, dict[str, Decimal]]:
    """One expert's scores for every (qualified) bidder and every scored item: complete, numeric,
    two places, 0 ≤ score ≤ the item's maximum. Returns the scores as Decimals."""
    out: dict[str, dict[str, Decimal]] = {}
    extra = set(sheet) - set(bidders)
    if extra:
        raise ScoringError(
            "scoring.bidder_unknown",
            f"评分表中有不参加详细评审的投标人：{'、'.join(sorted(extra))}",
            "scores",
        )
    for b in bidders:
        row = sheet.get(b)
        if not isinstance(row, Mapping):
            raise ScoringError("scoring.incomplete", f"须为投标人{b}的每一评分项打分", "scores")
        unknown = set(row) - {i.code for i in table.scored_items}
        if unknown:
            raise ScoringError(
                "scoring.item_unknown", f"评分项“{'、'.join(sorted(unknown))}”不在评分表中", "scores"
            )
        out[b] = {}
        for item in table.scored_items:
            if item.code not in row or row[item.code] in (None, ""):
                raise ScoringError("scoring.incomplete", f"须为投标人{b}的“{item.label}”打分", "scores")
            s = decimal_of(row[item.code], f"投标人{b}的“{item.label}”得分", "scores")
            if s < 0 or s > item.max_score:
                raise ScoringError(
                    "scoring.out_of_range",
                    f"投标人{b}的“{item.label}”得分应在0至{item.max_score}分之间",
                    "scores",
                )
            out[b][item.code] = s
    return out


def median(values: Sequence[Decimal]) -> Decimal:
    s = sorted(values)
    n = len(s)
    if n == 0:
        raise ScoringError("scoring.no_scores", "没有评分")
    mid = n // 2
    return s[mid] if n % 2 else (s[mid - 1] + s[mid]) / 2


@dataclass(frozen=True)
class Outlier:
    expert: str
    bidder: str
    item: str
    score: Decimal
    median: Decimal
    limit: Decimal


def outliers(table: Table, sheets: Mapping[str, Mapping[str, Mapping[str, Decimal]]]) -> list[Outlier]:
    """Scores whose distance from the median of all experts' scores for the same bidder and item
    is MORE than ``OUTLIER_SHARE`` × the item's maximum (exactly at the limit is not flagged).
    Sorted by bidder, item, expert. Needs at least three experts (with two the median is their
    mean and each is as far as the other)."""
    if len(sheets) < 3:
        return []
    found: list[Outlier] = []
    experts = sorted(sheets)
    bidders = sorted({b for s in sheets.values() for b in s})
    for b in bidders:
        for item in table.scored_items:
            vals = {
                e: sheets[e][b][item.code] for e in experts if b in sheets[e] and item.code in sheets[e][b]
            }
            if len(vals) < 3:
                continue
            m = median(list(vals.values()))
            limit = item.max_score * OUTLIER_SHARE
            for e, s in vals.items():
                if abs(s - m) > limit:
                    found.append(Outlier(e, b, item.code, s, m, limit))
    return found


# --- totals, ranking, candidates ---------------------------------------------------------------------
@dataclass(frozen=True)
class Bidder:
    key: str  # USCC
    name: str
    price: Decimal  # the bid price, or the final quote
    order: int  # the bid's receipt order (earlier first): the last tie-break
    evaluated_price: Decimal | None = None  # lowest evaluated price: price ± the committee's adjustments


@dataclass
class Ranked:
    key: str
    name: str
    price: Decimal
    evaluated_price: Decimal
    price_score: Decimal | None = None
    item_scores: dict[str, Decimal] = field(default_factory=dict)
    total: Decimal | None = None
    rank: int = 0

    def as_dict(self) -> dict:
        return {
            "uscc": self.key,
            "name": self.name,
            "price": str(self.price),
            "evaluated_price": str(self.evaluated_price),
            "price_score": None if self.price_score is None else str(self.price_score),
            "item_scores": {k: str(v) for k, v in sorted(self.item_scores.items())},
            "total": None if self.total is None else str(self.total),
            "rank": self.rank,
        }


def item_means(
    table: Table, bidder: str, sheets: Mapping[str, Mapping[str, Mapping[str, Decimal]]]
) -> dict[str, Decimal]:
    """The committee's score of each item for one bidder: the mean of the experts' scores (two places)."""
    out = {}
    for item in table.scored_items:
        vals = [s[bidder][item.code] for s in sheets.values()]
        out[item.code] = q(sum(vals, Decimal(0)) / len(vals))
    return out


def rank_comprehensive(
    table: Table, bidders: Sequence[Bidder], sheets: Mapping[str, Mapping[str, Mapping[str, Decimal]]]
) -> list[Ranked]:
    """综合评估法: total = price score + the mean of each scored item. Order: total (higher first),
    then price (lower first), then the technical subtotal (higher first), then receipt order."""
    if not sheets:
        raise ScoringError("scoring.no_scores", "尚无专家提交评分")
    ps = price_scores({b.key: b.price for b in bidders}, table.price_item.max_score)
    rows = []
    for b in bidders:
        items = item_means(table, b.key, sheets)
        total = ps[b.key] + sum(items.values(), Decimal(0))
        rows.append(Ranked(b.key, b.name, b.price, b.price, ps[b.key], items, q(total)))
    kinds = {i.code: i.kind for i in table.items}
    order = {b.key: b.order for b in bidders}

    def key(r: Ranked):
        tech = sum((v for k, v in r.item_scores.items() if kinds[k] == TECHNICAL), Decimal(0))
        return (-r.total, r.price, -tech, order[r.key], r.key)

    rows.sort(key=key)
    for n, r in enumerate(rows, start=1):
        r.rank = n
    return rows


def rank_by_price(bidders: Sequence[Bidder]) -> list[Ranked]:
    """经评审的最低投标价法 / 最低评标价法 / 最低报价法 / 协商价格: the lowest (evaluated) price first;
    ties: the lower bid price, then receipt order."""
    rows = [
        Ranked(b.key, b.name, b.price, b.evaluated_price if b.evaluated_price is not None else b.price)
        for b in bidders
    ]
    order = {b.key: b.order for b in bidders}
    rows.sort(key=lambda r: (r.evaluated_price, r.price, order[r.key], r.key))
    for n, r in enumerate(rows, start=1):
        r.rank = n
    return rows


def candidates(ranked: Sequence[Ranked], limit: int = MAX_CANDIDATES) -> list[Ranked]:
    return list(ranked[:limit])
