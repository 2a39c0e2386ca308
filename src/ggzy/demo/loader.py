"""Loads the Shanxi demo through the services (so every row has its audit event). Idempotent:
what exists is kept, what is missing is added."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from ggzy.accounts import services as accounts
from ggzy.accounts.models import DEFAULT_CATEGORIES, Department, OversightBody, OversightKind, ServiceCenter
from ggzy.core import clock
from ggzy.core.models import Region
from ggzy.core.permissions import SYSTEM
from ggzy.demo import data
from ggzy.demo import projects as demo_projects
from ggzy.demo.accounts import ACCOUNTS, PASSWORD
from ggzy.entities import services as entities
from ggzy.entities.models import Entity

CENTER_PHONE = "0351-12345"  # fictitious demo numbers
COMPLAINT_PHONE = "0351-12388"


def center_name(region: Region) -> str:
    if region.level == "province":
        return "山西省公共资源交易中心"
    if region.level == "city":
        return f"{region.name}公共资源交易中心"
    return f"{region.parent.name}公共资源交易中心{region.name}分中心"


@transaction.atomic
def load(stdout=None) -> Counter:
    if settings.PRODUCTION:
        raise RuntimeError("演示数据不能加载到生产环境")
    added: Counter = Counter()
    regions = list(Region.objects.select_related("parent").order_by("code"))
    # Service centers: the province platform, the 11 city platforms, a branch per county (seed 三(一)).
    existing_centers = set(ServiceCenter.objects.values_list("region_id", flat=True))
    for level in ("province", "city", "county"):
        for region in (r for r in regions if r.level == level):
            if region.code in existing_centers:
                continue
            accounts.service_center_create(
                name=center_name(region),
                region_code=region.code,
                phone=CENTER_PHONE,
                complaint_phone=COMPLAINT_PHONE,
                actor=SYSTEM,
            )
            added["service_centers"] += 1
    # Supervisory departments at every level, each with its categories (seed 三(八)).
    existing_depts = set(Department.objects.values_list("region_id", "kind"))
    for region in regions:
        for kind, (province_name, suffix) in data.DEPARTMENTS.items():
            if (region.code, kind) in existing_depts:
                continue
            accounts.department_create(
                name=province_name if region.level == "province" else f"{_place(region)}{suffix}",
                kind=kind,
                region_code=region.code,
                categories=list(DEFAULT_CATEGORIES[kind]),
                phone="12345",
                actor=SYSTEM,
            )
            added["departments"] += 1
    # Discipline inspection and audit bodies.
    existing_bodies = set(OversightBody.objects.values_list("region_id", "kind"))
    for region in regions:
        for kind, label in ((OversightKind.INSPECTION, "纪委监委"), (OversightKind.AUDIT, "审计局")):
            if (region.code, kind) in existing_bodies:
                continue
            if kind == OversightKind.AUDIT and region.level == "province":
                label = "审计厅"
            accounts.oversight_body_create(
                name=f"{_place(region)}{label}", kind=kind, region_code=region.code, actor=SYSTEM
            )
            added["oversight_bodies"] += 1
    # Market entities.
    counties = {r.code: r.full_name() for r in regions if r.level == "county"}
    known = set(Entity.objects.values_list("uscc", flat=True))
    demo_entities = data.entities(counties)
    for e in demo_entities:
        if e.uscc in known:
            continue
        record = {k: v for k, v in e.__dict__.items() if k != "qualifications"}
        entity = entities.entity_register(data=record, actor=SYSTEM)
        for q in e.qualifications:
            entities.qualification_add(entity=entity, data=q, actor=SYSTEM)
        added["entities"] += 1
    # Accounts, one per role.
    User = get_user_model()
    present = set(
        User.objects.filter(username__in=[a.username for a in ACCOUNTS]).values_list("username", flat=True)
    )
    first_bidder = Entity.objects.get(uscc=next(e.uscc for e in demo_entities if "bidder" in e.trading_roles))
    for a in ACCOUNTS:
        if a.username in present:
            continue
        common = {"username": a.username, "display_name": a.display_name, "password": PASSWORD,
                  "email": f"{a.username}@demo.ggzy.local", "phone": ""}  # fmt: skip
        if a.org.startswith("entity:"):
            entities.member_add(entity=first_bidder, role=a.role, actor=SYSTEM, **common)
        else:
            orgs = _org(a.org)
            accounts.user_create(role=a.role, totp_secret=a.totp_secret, actor=SYSTEM, **common, **orgs)
        added["accounts"] += 1
    _load_projects(added, demo_entities)
    from ggzy.demo import experts as demo_experts

    demo_experts.load(added)
    from ggzy.demo import venues as demo_venues

    demo_venues.load(added)
    from ggzy.demo import auctions as demo_auctions

    demo_auctions.load(added)
    from ggzy.deposits import demo as demo_deposits

    demo_deposits.load(added)
    from ggzy.demo import auction_results as demo_auction_results  # after the deposits demo

    demo_auction_results.load(added)
    from ggzy.demo import awarded as demo_awarded
    from ggzy.demo import sealed as demo_sealed

    demo_awarded.load(added)
    demo_sealed.load(added)
    return added


def _load_projects(added: Counter, demo_entities: list) -> None:
    """One project per shipped rule set (issue 3 item 9), registered by the city's service center."""
    from ggzy.trading import services as trading
    from ggzy.trading.selectors import project_names

    existing = project_names()
    by_city: dict[tuple[str, str], str] = {}
    for e in demo_entities:
        for role in ("tenderer", "transferor"):
            if role in e.trading_roles:
                by_city.setdefault((e.region_code[:4], role), e.uscc)
    state_transferor = next(e.uscc for e in demo_entities if e.name == "山西省国有资本运营有限公司")
    for p in demo_projects.projects():
        if p.name in existing:
            continue
        role = "tenderer" if p.category in ("engineering", "procurement") else "transferor"
        tenderer = state_transferor if p.category == "property" else by_city[(p.region_code[:4], role)]
        data = {
            "name": p.name,
            "ruleset_code": p.ruleset_code,
            "region_code": p.region_code,
            "tenderer_uscc": tenderer,
            "service_center": ServiceCenter.objects.get(region_id=p.region_code[:4] + "00").pk,
            "estimate": p.estimate,
            "item_kind": p.item_kind,
            "public_funded": True,
        }
        if p.lots:
            share = (Decimal(p.estimate) / len(p.lots)).quantize(Decimal("0.01"))
            amounts = [share] * (len(p.lots) - 1) + [Decimal(p.estimate) - share * (len(p.lots) - 1)]
            data["lots"] = [{"name": n, "estimate": str(a)} for n, a in zip(p.lots, amounts, strict=True)]
        project = trading.project_register(data=data, actor=SYSTEM)
        added["projects"] += 1
        for lot in project.lots.order_by("number"):
            open_lot(lot, days_ago=STAGE_OFFSETS[added["lots_opened"] % len(STAGE_OFFSETS)])
            added["lots_opened"] += 1
    if added["lots_opened"]:
        trading.tick_run()  # move the opened lots to the stage their dates have reached


# Lots are opened this many days ago so the demo shows lots at different stages.
STAGE_OFFSETS = [2, 10, 25, 45]


def anchors_for(lot, *, days_ago: int):
    """The anchors of a demo lot opened ``days_ago`` days back, and the timeline they give."""
    from ggzy.core.selectors import holiday_table
    from ggzy.trading import timeline
    from ggzy.trading.selectors import ruleset_version

    project = lot.project
    ruleset = ruleset_version(project.ruleset_code, project.ruleset_version)
    day = clock.today() - dt.timedelta(days=days_ago)
    start = dt.datetime(day.year, day.month, day.day, 9, 30, tzinfo=clock.CHINA)
    # The events the schedule needs (those opening the stages before the competition closes), each
    # at the start or, if later, when the events before it are over (e.g. an invited tender's
    # documents after the prequalification deadline computed from its notice).
    fields = timeline.anchor_fields(ruleset)
    order = [f.event for f in fields]
    table = holiday_table()
    anchors: dict[str, dt.datetime] = {}
    for f in fields:
        if f.required:
            tl = timeline.compute(ruleset, anchors, table, factor=project.acceleration)
            before = [tl.at(ev) for ev in order[: order.index(f.event)] if ev in tl and tl.at(ev)]
            anchors[f.event] = max([start, *before])
    return anchors, timeline.compute(ruleset, anchors, table, factor=project.acceleration)


def open_lot(lot, *, days_ago: int) -> None:
    """Schedule a demo lot from an opening date ``days_ago`` days back and publish its notice."""
    from ggzy.trading import services as trading

    project = lot.project
    anchors, _tl = anchors_for(lot, days_ago=days_ago)
    trading.lot_schedule(lot=lot, anchors=anchors, actor=SYSTEM)
    kind = "tender" if project.category in ("engineering", "procurement") else "listing"
    trading.notice_publish(
        project=project,
        lot=lot,
        kind=kind,
        data={"资格要求": "具有独立法人资格，具备与本项目相适应的履约能力"},
        actor=SYSTEM,
    )


def _place(region: Region) -> str:
    """A unique place name: counties carry their city's name (阳泉市城区 and 晋城市城区 both exist)."""
    return f"{region.parent.name}{region.name}" if region.level == "county" else region.name


def _org(spec: str) -> dict:
    if not spec:
        return {}
    kind, *rest = spec.split(":")
    if kind == "center":
        return {"service_center": ServiceCenter.objects.get(region_id=rest[0])}
    if kind == "department":
        return {"department": Department.objects.get(region_id=rest[0], kind=rest[1])}
    if kind == "oversight":
        return {"oversight_body": OversightBody.objects.get(region_id=rest[0], kind=rest[1])}
    raise ValueError(spec)
