"""Reads of the open data: the changes feed, OCDS releases and records, national-spec rows, the
monthly bulk files. Everything here is public; only public fields leave this module.

Other apps are read through their selectors (``ggzy.trading.selectors``, ``ggzy.audit.selectors``
and, when present, ``ggzy.tendering.selectors.opened_bids``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from ggzy.audit import selectors as audit_selectors
from ggzy.core import clock
from ggzy.core.errors import InvalidInput, NotFound
from ggzy.opendata import feed, national, ocds
from ggzy.trading import selectors as trading_selectors


# --- the changes feed --------------------------------------------------------------------------
@dataclass(frozen=True)
class ChangesPage:
    items: list[dict[str, Any]]
    next_cursor: str
    has_more: bool


def changes(*, cursor: str | None = None, limit: int | None = None) -> ChangesPage:
    """One page of public changes after ``cursor``, in commit order (docs/opendata.md)."""
    after = feed.decode_cursor(cursor)
    size = feed.check_limit(limit)
    head = audit_selectors.head_seq()  # read BEFORE the scan: 1..head are all committed
    if after > head:
        raise feed.bad_cursor()  # a position the trail has not reached: not one we handed out
    events = audit_selectors.events_after(after, actions=feed.PUBLIC_ACTIONS, upto=head, limit=size)
    items = [
        feed.item(
            feed.Event(
                seq=e.seq,
                at=e.at.isoformat(),
                action=e.action,
                object_id=e.object_id,
                project_ref=e.project_ref,
                summary=feed.parse_summary(e.summary),
            )
        )
        for e in events
    ]
    position, more = feed.next_cursor(after, items, size, head)
    return ChangesPage(items=items, next_cursor=feed.encode_cursor(position), has_more=more)


# --- projects as open data -----------------------------------------------------------------------
SALES = ("land", "mining", "property")
PURCHASES = ("engineering", "procurement", "other")


def _project(code: str):
    try:
        return trading_selectors.project_get(code)
    except NotFound:
        raise NotFound("opendata.project_not_found", f"未找到项目编号为“{code}”的交易项目") from None


# the tendering app's bid statuses -> OCDS bidStatus (closed codelist)
BID_STATUS = {
    "opened": "valid",  # decrypted at the opening; evaluation may still reject it (awards say who won)
    "tampered": "disqualified",  # the ciphertext does not match its receipt
    "not_decrypted": "withdrawn",  # 电子招标投标办法: not decrypted through the bidder's fault = withdrawn
    "active": "pending",  # the opening has begun, not decrypted yet
}


def _may_have_opened(events: dict[str, dt.datetime], now: dt.datetime) -> bool:
    """False when the lot's opening (or bid deadline) is stored and still ahead: no bid can be
    open, and the tendering app need not be asked (one query per lot saved in bulk exports)."""
    at = events.get("opening") or events.get("bid_deadline")
    return at is None or at <= now


def _opened_bids(lot: Any) -> list[dict[str, Any]] | None:
    """The bids of a lot once its opening has begun, from ``ggzy.tendering.selectors.opened_bids``
    (empty before). Only the public fields are taken: bid id, bidder USCC and name, price (after
    decryption), status, time received; never deposits, digests or the bidder's evidence."""
    try:
        from ggzy.tendering import selectors as tendering_selectors
    except ImportError:  # pragma: no cover - the app is part of the platform
        return None
    fn = getattr(tendering_selectors, "opened_bids", None)
    if fn is None:  # an older tendering app: no bids section
        return None
    out = []
    for row in fn(lot) or []:
        status = BID_STATUS.get(str(row.get("status", "")), "pending")
        out.append(
            {
                "id": str(row.get("bid_id", row.get("id", ""))),
                "bidder_uscc": str(row.get("uscc", "")),
                "bidder_name": str(row.get("name", "")),
                "amount": row.get("price") if status == "valid" else None,
                "status": status,
                "at": row.get("received_at"),
            }
        )
    return out


def project_facts(project: Any) -> ocds.ProjectFacts:
    """The public facts of a project, as the pure exporters read them."""
    lots = []
    now = clock.now()
    for lot in project.lots.all():
        events = {e.event: e.at for e in lot.events.all()}
        bids = _opened_bids(lot) if _may_have_opened(events, now) else None
        lots.append(
            ocds.LotFacts(
                code=lot.code,
                number=lot.number,
                name=lot.name,
                estimate=lot.estimate,
                status=lot.status,
                events=events,
                bids=bids,
            )
        )
    notices = [
        ocds.NoticeFacts(
            number=n.number,
            kind=n.kind,
            title=n.title,
            lot_code=n.lot.code if n.lot_id else "",
            published_at=n.published_at,
            data=n.data,
            amends=n.amends.number if n.amends_id else "",
        )
        for n in project.notices.all()
    ]
    center = project.service_center
    return ocds.ProjectFacts(
        code=project.code,
        tender_code=project.tender_code,
        name=project.name,
        category=project.category,
        ruleset_code=project.ruleset_code,
        procedure_name=project.ruleset_name,
        region_code=project.region_code,
        tenderer_uscc=project.tenderer_uscc,
        tenderer_name=project.tenderer_name,
        agency_uscc=project.agency_uscc,
        agency_name=project.agency_name,
        center_id=str(center.pk),
        center_name=center.name,
        estimate=project.estimate,
        item_kind=project.item_kind,
        status=project.status,
        registered_at=project.registered_at,
        lots=sorted(lots, key=lambda lot: lot.number),
        notices=sorted(notices, key=lambda n: (n.published_at, n.number)),
    )


def _prefetched(qs):
    return qs.select_related("service_center").prefetch_related(
        "lots__events", "notices__lot", "notices__amends"
    )


def config() -> ocds.Config:
    return ocds.Config(
        ocid_prefix=f"ocds-{settings.GGZY_OCDS_PREFIX}",
        base_url=settings.GGZY_PUBLIC_BASE_URL.rstrip("/"),
        publisher_name=settings.GGZY_OCDS_PUBLISHER,
    )


def project_record_package(code: str) -> dict[str, Any]:
    """The OCDS record package of one engineering or procurement project (404 otherwise)."""
    project = _project(code)
    if project.category not in PURCHASES:
        raise NotFound(
            "opendata.not_a_purchase",
            f"项目“{project.code}”属于土地、矿业权或国有产权交易（出让、转让），不以OCDS发布，请查看出让转让数据集",
        )
    facts = project_facts(_prefetched(type(project).objects.filter(pk=project.pk)).get())
    return ocds.record_package([facts], config(), published=clock.now())


def project_release_package(code: str) -> dict[str, Any]:
    project = _project(code)
    if project.category not in PURCHASES:
        raise NotFound(
            "opendata.not_a_purchase",
            f"项目“{project.code}”属于土地、矿业权或国有产权交易（出让、转让），不以OCDS发布，请查看出让转让数据集",
        )
    facts = project_facts(_prefetched(type(project).objects.filter(pk=project.pk)).get())
    cfg = config()
    return ocds.release_package(ocds.releases(facts, cfg), cfg, published=clock.now())


def iter_projects(
    *,
    categories: tuple[str, ...],
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    touched: bool = False,
    chunk: int = 500,
) -> Iterator[ocds.ProjectFacts]:
    """Projects of ``categories``, oldest first, read in keyset pages of ``chunk`` with their
    lots, events and notices (memory stays flat however many there are). By default those
    registered in [since, until); with ``touched``, those registered *or with a notice published*
    in it (what a month's files need)."""
    from django.db.models import Q

    qs = trading_selectors.project_search().filter(category__in=categories)
    window = Q()
    if since is not None:
        window &= Q(registered_at__gte=since)
    if until is not None:
        window &= Q(registered_at__lt=until)
    if touched:
        notices = trading_selectors.notice_search().order_by()
        if since is not None:
            notices = notices.filter(published_at__gte=since)
        if until is not None:
            notices = notices.filter(published_at__lt=until)
        window |= Q(pk__in=notices.values("project_id"))
    qs = qs.filter(window)
    last = 0
    while True:
        batch = list(_prefetched(qs.filter(pk__gt=last)).order_by("pk")[:chunk])
        if not batch:
            return
        for project in batch:
            yield project_facts(project)
        last = batch[-1].pk


def national_rows(code: str) -> dict[str, list[dict[str, Any]]]:
    """The national data-spec rows of one project (every category)."""
    project = _project(code)
    facts = project_facts(_prefetched(type(project).objects.filter(pk=project.pk)).get())
    return national.rows(facts, platform_code=settings.GGZY_NATIONAL_PLATFORM_CODE)


def sale_record(code: str) -> dict[str, Any]:
    project = _project(code)
    if project.category not in SALES:
        raise NotFound("opendata.not_a_sale", f"项目“{project.code}”不是土地、矿业权或国有产权交易")
    facts = project_facts(_prefetched(type(project).objects.filter(pk=project.pk)).get())
    return ocds.sale_record(facts, config())


# --- monthly bulk files --------------------------------------------------------------------------
MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")


def parse_month(text: str) -> tuple[dt.datetime, dt.datetime]:
    """'2026-09' -> [start, end) in Beijing time. Anything else is refused in Chinese."""
    text = (text or "").strip()
    try:
        if not MONTH.fullmatch(text):
            raise ValueError
        year, month = int(text[:4]), int(text[5:])
        start = dt.datetime(year, month, 1, tzinfo=clock.CHINA)
    except ValueError:
        raise InvalidInput(
            "opendata.bad_month", f"月份“{text[:20]}”格式不正确，应为“年-月”，例如 2026-09", field="month"
        ) from None
    if year < 2000:
        raise InvalidInput("opendata.bad_month", "月份不能早于2000年", field="month")
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=clock.CHINA)
    return start, end


def bulk_files():
    from ggzy.opendata.models import BulkFile

    return BulkFile.objects.order_by("-month", "dataset")


def bulk_file_get(month: str, dataset: str):
    from ggzy.opendata.models import BulkFile

    parse_month(month)
    found = BulkFile.objects.filter(month=month, dataset=dataset).first()
    if found is None:
        raise NotFound("opendata.file_not_found", f"尚未生成{month}的“{dataset}”数据文件")
    return found
