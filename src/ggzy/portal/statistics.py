"""Trading statistics from public facts (invariant 7): volume, value, savings and premium rates,
bidders per lot, grouped by category, region or month. Pure module.

Each concluded lot contributes its estimate (for a sale, the listed or starting price) and its
result price, both from published data. Savings rate (节资率, tenders and procurement: the buyer
pays) = 1 − Σ result / Σ estimate over the concluded purchase lots of the group. Premium rate
(溢价率, land, mining rights, state property: the platform sells) = Σ result / Σ estimate − 1 over
the concluded sale lots. Lots whose result is not published count in the volume only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

SALE_CATEGORIES = frozenset({"land", "mining", "property"})
RATE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class LotFact:
    category: str
    region_code: str  # the project's county code
    month: str  # YYYY-MM of the project's registration
    project: str  # project code
    estimate: Decimal
    result: Decimal | None = None  # the published award / transaction price
    bidders: int | None = None  # valid bids or bidders, where published


@dataclass
class Row:
    key: str
    label: str
    projects: int = 0
    lots: int = 0
    estimate: Decimal = Decimal(0)
    concluded: int = 0
    value: Decimal = Decimal(0)  # Σ result prices
    _buy: list[Decimal] = field(default_factory=lambda: [Decimal(0), Decimal(0)], repr=False)
    _sell: list[Decimal] = field(default_factory=lambda: [Decimal(0), Decimal(0)], repr=False)
    _bidders: list[int] = field(default_factory=lambda: [0, 0], repr=False)

    @property
    def savings_rate(self) -> Decimal | None:
        result, estimate = self._buy
        return _rate(1 - result / estimate) if estimate else None

    @property
    def premium_rate(self) -> Decimal | None:
        result, estimate = self._sell
        return _rate(result / estimate - 1) if estimate else None

    @property
    def savings_text(self) -> str:
        return percent(self.savings_rate)

    @property
    def premium_text(self) -> str:
        return percent(self.premium_rate)

    @property
    def bidders_per_lot(self) -> Decimal | None:
        total, lots = self._bidders
        return (Decimal(total) / lots).quantize(Decimal("0.01"), ROUND_HALF_UP) if lots else None


def percent(rate: Decimal | None) -> str:
    """12.34% for 0.1234; — when there is no figure."""
    return "—" if rate is None else f"{rate * 100:.2f}%"


def _rate(value: Decimal) -> Decimal:
    return value.quantize(RATE_PLACES, ROUND_HALF_UP)


def aggregate(
    facts: Iterable[LotFact], key: Callable[[LotFact], str], label: Callable[[str], str]
) -> list[Row]:
    """One row per key, sorted by key, and the total row last (key "")."""
    rows: dict[str, Row] = {}
    total = Row(key="", label="合计")
    projects: dict[str, set[str]] = {}
    for fact in facts:
        k = key(fact)
        row = rows.get(k) or rows.setdefault(k, Row(key=k, label=label(k)))
        for target, bucket in ((row, k), (total, "")):
            projects.setdefault(bucket, set()).add(fact.project)
            target.lots += 1
            target.estimate += fact.estimate
            if fact.result is not None:
                target.concluded += 1
                target.value += fact.result
                side = target._sell if fact.category in SALE_CATEGORIES else target._buy
                side[0] += fact.result
                side[1] += fact.estimate
            if fact.bidders is not None:
                target._bidders[0] += fact.bidders
                target._bidders[1] += 1
    for bucket, codes in projects.items():
        (rows[bucket] if bucket else total).projects = len(codes)
    return [rows[k] for k in sorted(rows)] + [total]


def city_of(region_code: str) -> str:
    """The city (4-digit prefix + 00) of a county code."""
    return region_code[:4] + "00" if len(region_code) == 6 else region_code
