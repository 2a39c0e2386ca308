"""OCDS 1.1.5 releases and records for engineering and procurement projects, and the local sales
record for land, mining and state property. Pure module (no Django): it reads ``ProjectFacts``
(filled by ``opendata.selectors``) and returns plain JSON-ready dicts.

Mapping (docs/opendata.md has the full table):

- one ``ocid`` per project: ``<ocid_prefix>-<PROJECT_CODE>``;
- one release for the registration (tag ``planning``) and one per notice (tag from its kind),
  each a cumulative snapshot of everything public at that notice; the record's
  ``compiledRelease`` is the last snapshot;
- lots: the OCDS lots extension is not in the offline kit, so each lot is a core ``tender.items``
  entry (``id`` = BID_SECTION_CODE, its estimate as ``unit.value``); awards and contracts name
  their lot through ``items`` too;
- bids (bids extension): every opened bid of every lot, losing ones included, once the tendering
  app reports them (``LotFacts.bids``); nothing before the opening.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

OCDS_VERSION = "1.1"
BIDS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"
)
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
PUBLICATION_POLICY = "/opendata/#policy"
USCC_SCHEME = "CN-SAMR"  # org-id.guide list for the unified social credit code (GB 32100) [verify]
CURRENCY = "CNY"


@dataclass(frozen=True)
class Config:
    ocid_prefix: str  # "ocds-" + the publisher prefix (settings.GGZY_OCDS_PREFIX)
    base_url: str  # the public site, e.g. https://ggzy.shanxi.gov.cn
    publisher_name: str


@dataclass(frozen=True)
class LotFacts:
    code: str
    number: int
    name: str
    estimate: Decimal
    status: str
    events: dict[str, dt.datetime] = field(default_factory=dict)
    bids: list[dict[str, Any]] | None = None  # after opening only (tendering.selectors.opened_bids)


@dataclass(frozen=True)
class NoticeFacts:
    number: str
    kind: str
    title: str
    lot_code: str
    published_at: dt.datetime
    data: dict[str, Any]
    amends: str = ""


@dataclass(frozen=True)
class ProjectFacts:
    code: str
    tender_code: str
    name: str
    category: str
    ruleset_code: str
    procedure_name: str
    region_code: str
    tenderer_uscc: str
    tenderer_name: str
    agency_uscc: str
    agency_name: str
    center_id: str
    center_name: str
    estimate: Decimal
    item_kind: str
    status: str
    registered_at: dt.datetime
    lots: list[LotFacts]
    notices: list[NoticeFacts]


# --- vocabularies ---------------------------------------------------------------------------------
# procedure (the rule set code's second part) -> OCDS method (closed codelist). Competitive
# negotiation, consultation and requests for quotation are announced by a public notice on this
# platform (their rule sets start with the notice stage), hence open; a procedure where the buyer
# picks the suppliers would be limited.
METHODS = {
    "open_tendering": "open",
    "open_tendering_prequal": "selective",  # only prequalified applicants are invited to bid
    "invited_tendering": "selective",
    "invited_tendering_prequal": "selective",
    "competitive_negotiation": "open",
    "competitive_consultation": "open",
    "request_for_quotation": "open",
    "single_source": "direct",
}
CATEGORIES = {"works": "works", "goods": "goods", "services": "services"}

# notice kind -> (release tag, document type)
NOTICE_TAGS = {
    "tender": ("tender", "tenderNotice"),
    "prequalification": ("tender", "tenderNotice"),
    "amendment": ("tenderAmendment", "tenderNotice"),
    "clarification": ("tenderUpdate", "clarifications"),
    "qualification_result": ("tenderUpdate", "evaluationReports"),
    "candidate_publicity": ("award", "awardNotice"),
    "award": ("award", "awardNotice"),
    "termination": ("tenderCancellation", "tenderNotice"),
    "contract": ("contract", "contractNotice"),
    "performance": ("implementation", "completionCertificate"),
    "opening_record": ("tenderUpdate", "bidders"),  # 开标记录: who bid, at what price
}
START_EVENTS = ("documents_issued", "notice_published", "invitation_sent", "publicity_start")
END_EVENTS = ("bid_deadline", "response_deadline", "prequal_deadline", "negotiation")
BID_STATUSES = {"valid", "disqualified", "withdrawn", "pending", "invited"}


def method_of(ruleset_code: str) -> str:
    return METHODS.get(ruleset_code.partition(".")[2], "open")


def ocid(facts: ProjectFacts, cfg: Config) -> str:
    return f"{cfg.ocid_prefix}-{facts.code}"


def _iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def amount_of(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", ""))
    except ArithmeticError:
        return None
    if not number.is_finite():
        return None
    return float(round(number, 2))


def _money(value: Any) -> dict[str, Any] | None:
    amount = amount_of(value)
    return None if amount is None else {"amount": amount, "currency": CURRENCY}


def _org(uscc: str, name: str) -> dict[str, Any]:
    return {"id": f"{USCC_SCHEME}-{uscc}" if uscc else f"GGZY-NAME-{name}", "name": name}


def _party(uscc: str, name: str, roles: list[str], region: str = "") -> dict[str, Any]:
    party = {**_org(uscc, name), "roles": roles}
    if uscc:
        party["identifier"] = {"scheme": USCC_SCHEME, "id": uscc, "legalName": name}
    if region:
        party["address"] = {"region": region, "countryName": "中国"}
    return party


def _document(n: NoticeFacts, cfg: Config) -> dict[str, Any]:
    doc_type = NOTICE_TAGS.get(n.kind, ("tenderUpdate", "tenderNotice"))[1]
    return {
        "id": n.number,
        "documentType": doc_type,
        "title": n.title,
        "url": f"{cfg.base_url}/notices/{n.number}/",
        "datePublished": _iso(n.published_at),
        "format": "text/html",
        "language": "zh",
    }


def _lot_item(lot: LotFacts) -> dict[str, Any]:
    item: dict[str, Any] = {"id": lot.code, "description": lot.name, "quantity": 1}
    value = _money(lot.estimate)
    if value:
        item["unit"] = {"name": "标段（包）", "value": value}
    return item


def _period(lots: list[LotFacts]) -> dict[str, str] | None:
    starts = [lot.events[e] for lot in lots for e in START_EVENTS if e in lot.events]
    ends = [lot.events[e] for lot in lots for e in END_EVENTS if e in lot.events]
    if not starts and not ends:
        return None
    period = {}
    if starts:
        period["startDate"] = _iso(min(starts))
    if ends:
        period["endDate"] = _iso(max(ends))
    return period


def _tender_status(notices: list[NoticeFacts], lots: list[LotFacts]) -> str:
    kinds = {n.kind for n in notices}
    if (lots and all(lot.status == "terminated" for lot in lots)) or (
        "termination" in kinds and len(lots) <= 1
    ):
        return "cancelled"
    if lots and all(lot.status == "failed" for lot in lots):
        return "unsuccessful"
    if kinds & {"award", "contract", "performance"}:
        return "complete"
    if kinds:
        return "active"
    return "planning"


def _supplier(d: dict[str, Any], name_key: str = "name", uscc_key: str = "uscc") -> dict[str, Any] | None:
    name = str(d.get(name_key) or "").strip()
    if not name:
        return None
    return _org(str(d.get(uscc_key) or "").strip().upper(), name)


def winner_of(data: dict[str, Any]) -> tuple[str, str]:
    """The winner (name, USCC) of a result notice: ``winner`` as a name or a mapping with
    ``name`` and ``uscc``, else the first of ``candidates``."""
    w = data.get("winner")
    if isinstance(w, dict):
        return str(w.get("name") or "").strip(), str(w.get("uscc") or "").strip().upper()
    if isinstance(w, str) and w.strip():
        return w.strip(), ""
    cands = data.get("candidates")
    if isinstance(cands, list) and cands and isinstance(cands[0], dict):
        return str(cands[0].get("name") or "").strip(), str(cands[0].get("uscc") or "").strip().upper()
    return "", ""


def _award(n: NoticeFacts, lots: dict[str, LotFacts], cfg: Config) -> dict[str, Any]:
    award: dict[str, Any] = {
        "id": n.number,
        "title": n.title,
        "status": "active" if n.kind == "award" else "pending",
        "date": _iso(n.published_at),
        "documents": [_document(n, cfg)],
    }
    suppliers = []
    if n.kind == "award":
        name, uscc = winner_of(n.data)
        if name:
            suppliers.append(_org(uscc, name))
        value = _money(n.data.get("winning_price"))
    else:  # candidate publicity: the first candidate is proposed
        candidates = n.data.get("candidates") if isinstance(n.data.get("candidates"), list) else []
        first = next((c for c in candidates if isinstance(c, dict)), None)
        winner = _supplier(first) if first else None
        if winner:
            suppliers.append(winner)
        value = _money(first.get("price")) if first else None
    if suppliers:
        award["suppliers"] = suppliers
    if value:
        award["value"] = value
    if n.lot_code in lots:
        lot = lots[n.lot_code]
        award["items"] = [{"id": lot.code, "description": lot.name}]
    return award


def _contract(n: NoticeFacts, award_id: str, lots: dict[str, LotFacts], cfg: Config) -> dict[str, Any]:
    contract: dict[str, Any] = {
        "id": n.number,
        "awardID": award_id,
        "title": n.title,
        "status": "active",
        "documents": [_document(n, cfg)],
    }
    value = _money(n.data.get("contract_amount"))
    if value:
        contract["value"] = value
    signed = n.data.get("signed_on")
    if isinstance(signed, str) and len(signed) == 10:
        contract["dateSigned"] = f"{signed}T00:00:00+08:00"
    if n.lot_code in lots:
        lot = lots[n.lot_code]
        contract["items"] = [{"id": lot.code, "description": lot.name}]
    return contract


def _bids(lots: list[LotFacts]) -> dict[str, Any] | None:
    details = []
    for lot in lots:
        for b in lot.bids or []:
            bid: dict[str, Any] = {
                "id": f"{lot.code}-{b['id']}",
                "status": b.get("status") if b.get("status") in BID_STATUSES else "valid",
                "tenderers": [_org(str(b.get("bidder_uscc") or ""), str(b.get("bidder_name") or ""))],
            }
            if b.get("at"):
                bid["date"] = _iso(b["at"]) if isinstance(b["at"], dt.datetime) else str(b["at"])
            value = _money(b.get("amount"))
            if value:
                bid["value"] = value
            details.append(bid)
    if not details:
        return None
    return {"details": details}


def _snapshot(facts: ProjectFacts, notices: list[NoticeFacts], cfg: Config) -> dict[str, Any]:
    """Everything public about the project once ``notices`` are published."""
    lots_by_code = {lot.code: lot for lot in facts.lots}
    parties = [_party(facts.tenderer_uscc, facts.tenderer_name, ["buyer"], facts.region_code)]
    if facts.agency_uscc:
        procuring = _party(facts.agency_uscc, facts.agency_name, ["procuringEntity"])
    else:
        procuring = {
            "id": f"GGZY-CENTER-{facts.center_id}",
            "name": facts.center_name,
            "roles": ["procuringEntity"],
        }
    parties.append(procuring)
    tender: dict[str, Any] = {
        "id": facts.tender_code,
        "title": facts.name,
        "status": _tender_status(notices, facts.lots),
        "procuringEntity": {"id": procuring["id"], "name": procuring["name"]},
        "procurementMethod": method_of(facts.ruleset_code),
        "procurementMethodDetails": facts.procedure_name,
        "items": [_lot_item(lot) for lot in facts.lots],
    }
    value = _money(facts.estimate)
    if value:
        tender["value"] = value
    if facts.item_kind in CATEGORIES:
        tender["mainProcurementCategory"] = CATEGORIES[facts.item_kind]
    period = _period(facts.lots)
    if period and notices:
        tender["tenderPeriod"] = period
    documents = [_document(n, cfg) for n in notices if NOTICE_TAGS.get(n.kind, ("",))[0].startswith("tender")]
    if documents:
        tender["documents"] = documents
    release: dict[str, Any] = {
        "ocid": ocid(facts, cfg),
        "language": "zh",
        "initiationType": "tender",
        "parties": parties,
        "buyer": {"id": parties[0]["id"], "name": parties[0]["name"]},
        "tender": tender,
    }
    awards, contracts, last_award_by_lot = [], [], {}
    for n in notices:
        if n.kind in ("candidate_publicity", "award"):
            award = _award(n, lots_by_code, cfg)
            awards.append(award)
            last_award_by_lot[n.lot_code] = award["id"]
            known = {p["id"] for p in parties}
            for s in award.get("suppliers", []):
                if n.kind == "award" and s["id"] not in known:
                    parties.append({**s, "roles": ["supplier"]})
                    known.add(s["id"])
        elif n.kind == "contract" and n.lot_code in last_award_by_lot:
            contracts.append(_contract(n, last_award_by_lot[n.lot_code], lots_by_code, cfg))
        elif n.kind == "performance":
            for c in contracts:
                if c.get("items", [{}])[0].get("id") == n.lot_code or not n.lot_code:
                    c.setdefault("implementation", {}).setdefault("documents", []).append(_document(n, cfg))
    if awards:
        release["awards"] = awards
    if contracts:
        release["contracts"] = contracts
    bids = _bids(facts.lots) if notices else None
    if bids:
        release["bids"] = bids
        known = {p["id"] for p in parties}
        for bid in bids["details"]:
            for t in bid["tenderers"]:
                if t["id"] not in known:
                    parties.append({**t, "roles": ["tenderer"]})
                    known.add(t["id"])
                else:
                    for p in parties:
                        if p["id"] == t["id"] and "tenderer" not in p["roles"]:
                            p["roles"] = [*p["roles"], "tenderer"]
        tender["numberOfTenderers"] = len({t["id"] for b in bids["details"] for t in b["tenderers"]})
    return release


def releases(facts: ProjectFacts, cfg: Config) -> list[dict[str, Any]]:
    """The project's releases, oldest first: its registration, then one per notice."""
    out = []
    first = _snapshot(facts, [], cfg)
    out.append(
        {"id": f"{facts.code}-registration", "date": _iso(facts.registered_at), "tag": ["planning"], **first}
    )
    for i, n in enumerate(facts.notices):
        snap = _snapshot(facts, facts.notices[: i + 1], cfg)
        tag = NOTICE_TAGS.get(n.kind, ("tenderUpdate",))[0]
        out.append({"id": n.number, "date": _iso(n.published_at), "tag": [tag], **snap})
    return out


def _ordered(release: dict[str, Any]) -> dict[str, Any]:
    head = {k: release[k] for k in ("ocid", "id", "date", "tag", "initiationType") if k in release}
    return {**head, **{k: v for k, v in release.items() if k not in head}}


def record(facts: ProjectFacts, cfg: Config) -> dict[str, Any]:
    rels = [_ordered(r) for r in releases(facts, cfg)]
    compiled = {**rels[-1], "id": f"{facts.code}-compiled", "tag": ["compiled"]}
    return {"ocid": ocid(facts, cfg), "releases": rels, "compiledRelease": _ordered(compiled)}


def _package_head(cfg: Config, published: dt.datetime, uri: str) -> dict[str, Any]:
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": [BIDS_EXTENSION],
        "publishedDate": _iso(published),
        "publisher": {"name": cfg.publisher_name, "uri": cfg.base_url + "/"},
        "license": LICENSE,
        "publicationPolicy": cfg.base_url + PUBLICATION_POLICY,
    }


def release_package(
    rels: list[dict[str, Any]], cfg: Config, *, published: dt.datetime, uri: str = ""
) -> dict[str, Any]:
    uri = uri or f"{cfg.base_url}/api/opendata/ocds/releases/{rels[0]['ocid'] if rels else ''}"
    return {**_package_head(cfg, published, uri), "releases": [_ordered(r) for r in rels]}


def record_package(
    projects: list[ProjectFacts], cfg: Config, *, published: dt.datetime, uri: str = ""
) -> dict[str, Any]:
    uri = uri or f"{cfg.base_url}/api/opendata/ocds/records"
    return {**_package_head(cfg, published, uri), "records": [record(f, cfg) for f in projects]}


# --- land, mining, state property: the local sales dataset ---------------------------------------
SALES_SCHEMA = "ggzy-sales/1.0"
SALE_RESULT_KINDS = ("transaction_result", "award")


def sale_record(facts: ProjectFacts, cfg: Config) -> dict[str, Any]:
    """One land, mining-rights or state-property transfer as a record of the local sales dataset
    (schema in docs/opendata.md). Only public facts; never a reserve price or bidder numbers."""
    result = None
    for n in facts.notices:
        if n.kind in SALE_RESULT_KINDS:
            name, uscc = winner_of(n.data)
            winner = _org(uscc, name) if name else None
            result = {
                "notice": n.number,
                "date": _iso(n.published_at),
                "transferee": winner,
                "price": _money(n.data.get("winning_price")),
            }
    contract = None
    for n in facts.notices:
        if n.kind == "contract":
            contract = {
                "notice": n.number,
                "date": _iso(n.published_at),
                "name": n.data.get("合同名称") or None,
                "contract_no": n.data.get("contract_no"),
                "signed_on": n.data.get("signed_on"),
                "amount": _money(n.data.get("contract_amount")),
            }
    return {
        "schema": SALES_SCHEMA,
        "id": f"{cfg.ocid_prefix}-{facts.code}",
        "project_code": facts.code,
        "category": facts.category,
        "procedure": facts.ruleset_code.partition(".")[2],
        "procedure_name": facts.procedure_name,
        "title": facts.name,
        "region_code": facts.region_code,
        "transferor": _org(facts.tenderer_uscc, facts.tenderer_name),
        "service_center": facts.center_name,
        "registered_at": _iso(facts.registered_at),
        "status": facts.status,
        "lots": [
            {
                "code": lot.code,
                "name": lot.name,
                "status": lot.status,
                "events": {k: _iso(v) for k, v in sorted(lot.events.items())},
            }
            for lot in facts.lots
        ],
        "notices": [
            {
                "number": n.number,
                "kind": n.kind,
                "title": n.title,
                "url": f"{cfg.base_url}/notices/{n.number}/",
                "published_at": _iso(n.published_at),
            }
            for n in facts.notices
        ],
        "result": result,
        "contract": contract,
    }
