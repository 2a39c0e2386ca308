"""Reads of the portal: searching the published notices."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils.html import strip_tags

from ggzy.core import clock
from ggzy.core.choices import Category
from ggzy.core.regions import region_prefix
from ggzy.portal import fulltext, segment, statistics
from ggzy.portal.models import NoticeDocument

PAGE_SIZE = 20
MAX_PAGE = 500  # deep pages are for the open-data exports, not for a search box


@dataclass(frozen=True)
class Filters:
    category: str = ""
    procedure: str = ""
    region: str = ""
    kind: str = ""
    status: str = ""  # the project's status
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass
class Hit:
    notice: Any
    title_html: str
    snippet_html: str


@dataclass
class SearchResult:
    query: str
    terms: list[segment.Term]
    filters: Filters
    total: int
    capped: bool  # more matches than fulltext.CANDIDATES: ``total`` is that number
    page: int
    pages: int
    hits: list[Hit] = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in Beijing time (dates on the site are Beijing dates)."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=clock.CHINA)


def _scope(filters: Filters):
    qs = NoticeDocument.objects.all()
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.procedure:
        qs = qs.filter(procedure=filters.procedure)
    if filters.region:
        qs = qs.filter(region_code__startswith=region_prefix(filters.region))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(notice__project__status=filters.status)
    if filters.date_from:
        qs = qs.filter(published_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(published_at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    return qs


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def filters_from(params) -> Filters:
    """The search filters from query parameters; unknown values are ignored (a public page)."""
    from ggzy.trading.models import NoticeKind, ProjectStatus

    def pick(name: str, allowed) -> str:
        value = (params.get(name) or "").strip()
        return value if value in allowed else ""

    region = (params.get("region") or "").strip()
    return Filters(
        category=pick("category", Category.values),
        procedure=(params.get("procedure") or "").strip()[:80],
        region=region if region.isdigit() and len(region) == 6 else "",
        kind=pick("kind", NoticeKind.values),
        status=pick("status", ProjectStatus.values),
        date_from=_date(params.get("from", "")),
        date_to=_date(params.get("to", "")),
    )


def region_options() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The platform's cities, each with its counties, for the region filter:
    [(city code, city name, [(county code, county name)])]."""
    from ggzy.core.models import Region

    rows = list(Region.objects.order_by("code").values_list("code", "name", "parent_id"))
    province = next((code for code, _, parent in rows if parent is None), "")
    cities = [(code, name) for code, name, parent in rows if parent == province]
    counties: dict[str, list[tuple[str, str]]] = {code: [] for code, _ in cities}
    for code, name, parent in rows:
        if parent in counties:
            counties[parent].append((code, name))
    return [(code, name, counties[code]) for code, name in cities]


def procedure_options() -> list[tuple[str, str]]:
    """(rule set code, name) of every published procedure, for the procedure filter."""
    from ggzy.rules.selectors import rulesets_published

    return [(r.code, r.name) for r in rulesets_published()]


def notice_search(query: str = "", filters: Filters | None = None, page: int = 1, page_size: int = PAGE_SIZE):
    """Published notices matching ``query`` (Chinese words, place names, codes; best first) and the
    filters; without a query, the filtered notices newest first. Every notice is public."""
    from ggzy.trading.models import Notice

    filters = filters or Filters()
    terms = segment.parse_query(query)
    page = max(1, min(int(page or 1), MAX_PAGE))
    scope = _scope(filters)
    offset = (page - 1) * page_size
    capped = False
    if terms:
        if scope.query.where:
            sql, params = scope.values("notice_id").query.sql_with_params()
        else:
            sql, params = None, ()
        total, capped, ids = fulltext.search(connection, terms, sql, list(params), page_size, offset)
    else:  # counted up to the same bound as a search: a count of 10^6 rows costs a scan
        found = scope.order_by()[: fulltext.CANDIDATES + 1].count()
        total, capped = min(found, fulltext.CANDIDATES), found > fulltext.CANDIDATES
        ids = list(
            scope.order_by("-published_at", "-notice_id").values_list("notice_id", flat=True)[
                offset : offset + page_size
            ]
        )
    by_id = {n.pk: n for n in Notice.objects.select_related("project", "lot").filter(pk__in=ids)}
    hits = []
    for pk in ids:
        notice = by_id[pk]
        text = strip_tags(notice.body_html or "")
        hits.append(
            Hit(
                notice=notice,
                title_html=segment.highlight(notice.title, terms, width=300),
                snippet_html=segment.highlight(text, terms),
            )
        )
    pages = max(1, min(MAX_PAGE, -(-total // page_size)))
    return SearchResult(
        query=query,
        terms=terms,
        filters=filters,
        total=total,
        capped=capped,
        page=page,
        pages=pages,
        hits=hits,
    )


# --- statistics -------------------------------------------------------------------------------
RESULT_KINDS = ("award", "transaction_result")


def _decimal(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() and amount >= 0 else None


def _int(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def lot_facts(year: int | None = None) -> list[statistics.LotFact]:
    """Every lot as a statistics fact: its estimate and, from its latest published result notice
    (中标结果 / 成交结果), the result price (``winning_price``) and number of bidders (``bid_count``)."""
    from ggzy.trading.models import Lot, Notice

    lots = Lot.objects.select_related("project").order_by("id")
    if year:
        lots = lots.filter(project__registered_at__year=year)
    results: dict[int, dict] = {}
    for lot_id, data in (
        Notice.objects.filter(kind__in=RESULT_KINDS, lot__isnull=False)
        .order_by("published_at", "id")
        .values_list("lot_id", "data")
    ):
        results[lot_id] = data or {}  # the latest result notice wins
    facts = []
    for lot in lots.iterator(chunk_size=2000):
        project = lot.project
        data = results.get(lot.pk, {})
        facts.append(
            statistics.LotFact(
                category=project.category,
                region_code=project.region_code,
                month=project.registered_at.astimezone(clock.CHINA).strftime("%Y-%m"),
                project=project.code,
                estimate=lot.estimate,
                result=_decimal(data.get("winning_price")) if data else None,
                bidders=_int(data.get("bid_count")) if data else None,
            )
        )
    return facts


def statistics_tables(year: int | None = None) -> dict[str, list[statistics.Row]]:
    """The statistics by category, by city and by month (each with a total row)."""
    facts = lot_facts(year)
    categories = dict(Category.choices)
    cities = {code: name for code, name, _ in region_options()}
    return {
        "category": statistics.aggregate(facts, lambda f: f.category, lambda k: categories.get(k, k)),
        "city": statistics.aggregate(
            facts, lambda f: statistics.city_of(f.region_code), lambda k: cities.get(k, k)
        ),
        "month": statistics.aggregate(facts, lambda f: f.month, lambda k: k),
    }


# --- service guide ----------------------------------------------------------------------------
GUIDE_FILE = Path(__file__).resolve().parent / "data" / "guide.json"


def guide(region: str = "") -> dict[str, Any]:
    """The service guide (服务指南, seed 三(七)): the processes of every published procedure, the
    editable norms, standards and fees (``data/guide.json``), and the supervision and complaint
    channels of the province and of ``region`` (a city or county code)."""
    from ggzy.accounts.selectors import public_channels
    from ggzy.rules.selectors import rulesets_published

    texts = json.loads(GUIDE_FILE.read_text(encoding="utf-8"))
    categories = dict(Category.choices)
    processes: dict[str, list[Any]] = {}
    for ruleset in rulesets_published():
        processes.setdefault(ruleset.category, []).append(ruleset)
    centers, departments = public_channels(region_prefix(region) if region else "")
    return {
        **texts,
        "processes": [(categories.get(c, c), c, rows) for c, rows in processes.items()],
        "centers": centers,
        "departments": departments,
    }
