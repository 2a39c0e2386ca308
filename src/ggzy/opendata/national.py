"""The national data specification (全国公共资源交易平台系统数据规范 V2.0) as export rows. Pure
module (no Django).

Field names come from implementations of the specification (reference/cn-standards.md §1.1);
the official V2.0 text was not available. ``TABLES`` lists every table and field we fill with its
status: ``C`` confirmed in that source, ``U`` unconfirmed (a name in the specification's style, or
a code set whose values are unknown: we send the platform's own code and say so). docs/opendata.md
prints the same table (generated from ``TABLES``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ggzy.opendata.ocds import ProjectFacts, amount_of, winner_of

# Dataset numbers and table names per category (reference/cn-standards.md §1.1).
PROJECT_TABLE = {
    "engineering": ("500", "PROJECT"),
    "procurement": ("550", "PURCHASE_PROJECT"),
    "land": ("600", "DEAL_BEHAVIOR_INFO"),
    "mining": ("650", "MINING_RIGHT_ANN"),  # name [U]
    "property": ("700", "LISTING_PUB_INFO"),
    "other": ("1800", "OTHER_TRADE_ANN"),  # name [U]
}
NOTICE_TABLE = {
    "engineering": ("503", "TENDER_ANN_QUA_INQUERY_ANN"),
    "procurement": ("551", "PURCHASE_QUALI_INQUERY_ANN"),
}
RESULT_TABLE = {
    "engineering": ("513", "WIN_RESULT_ANNO"),
    "procurement": ("553", "BID_DEAL_ANNOUNCE"),
    "land": ("601", "DEAL_LAND_INFO"),
    "mining": ("651", "MINING_RIGHT_RESULT"),  # name [U]
    "property": ("701", "TRADE_RESULT_INFO"),
    "other": ("1801", "OTHER_TRADE_RESULT"),  # name [U]
}
CANDIDATE_TABLE = ("511", "TENDER_CANDIDATE_ANNOUNCE")
TENDER_PROJECT_TABLE = ("501", "TENDER_PROJECT")
SECTION_TABLE = ("502", "SECTION")

COMMON = [
    ("UNIFIED_DEAL_CODE", "C", "统一交易标识码：编码方案未公开，暂填项目编号（17位），待方案确认后替换"),
    ("PLATFORM_CODE", "C", "交易系统标识码：设置 GGZY_NATIONAL_PLATFORM_CODE"),
    ("REGION_CODE", "C", "项目所在地行政区划代码（6位）"),
    ("DATA_TIMESTAMP", "C", "数据时间戳（本行数据对应事件的时间，北京时间）"),
]
FIELDS: dict[str, list[tuple[str, str, str]]] = {
    "project": [
        ("PROJECT_CODE", "C", "项目编号（17位）"),
        ("PROJECT_NAME", "U", "项目名称"),
        ("TRADE_CATEGORY", "U", "交易类别（平台代码：engineering/procurement/land/mining/property/other）"),
        ("INVEST_AMOUNT", "U", "估算金额（元）"),
        ("TENDERER_NAME", "U", "招标人（采购人、出让人）名称"),
        ("TENDERER_CODE", "U", "招标人统一社会信用代码"),
        ("TENDERER_CODE_TYPE", "C", "主体代码类型（代码集2001，取值未知：填 USCC）"),
        ("TENDER_AGENCY_NAME", "U", "代理机构名称"),
        ("TENDER_AGENCY_CODE", "U", "代理机构统一社会信用代码"),
        ("TENDER_MODE", "C", "交易方式（代码集1000，取值未知：填平台交易规则代码）"),
        ("TENDER_MODE_NAME", "U", "交易方式中文名称"),
        ("CREATE_TIME", "U", "登记时间"),
    ],
    "tender_project": [
        ("PROJECT_CODE", "C", "项目编号"),
        ("TENDER_PROJECT_CODE", "C", "招标项目编号（20位）"),
        ("TENDER_PROJECT_NAME", "U", "招标项目名称"),
        ("TENDER_PROJECT_TYPE", "C", "招标项目类型（代码集10，取值未知：填 works/goods/services）"),
        ("TENDER_MODE", "C", "招标方式（代码集1000，取值未知：填平台交易规则代码）"),
        ("TENDERER_NAME", "U", "招标人名称"),
        ("TENDERER_CODE", "U", "招标人统一社会信用代码"),
    ],
    "section": [
        ("TENDER_PROJECT_CODE", "C", "招标项目编号"),
        ("BID_SECTION_CODE", "C", "标段（包）编号（23位）"),
        ("BID_SECTION_NAME", "U", "标段（包）名称"),
        ("CONTRACT_RECKON_PRICE", "U", "标段估算金额（元）"),
        ("SECTION_STATUS", "U", "标段状态（平台状态代码）"),
    ],
    "notice": [
        ("BID_SECTION_CODE", "C", "标段（包）编号（项目级公告为空）"),
        ("NOTICE_CODE", "U", "公告编号"),
        ("NOTICE_NAME", "U", "公告标题"),
        ("BULLETIN_TYPE", "C", "公告类型（代码集32，取值未知：填平台公告类型代码）"),
        ("NOTICE_NATURE", "C", "公告性质（代码集20，取值未知：1 正常，2 更正 [U]）"),
        ("NOTICE_SEND_TIME", "U", "发布时间"),
        ("DOC_GET_START_TIME", "C", "文件获取开始时间"),
        ("BID_DOC_REFER_END_TIME", "C", "投标文件递交截止时间"),
        ("BID_OPEN_TIME", "C", "开标时间"),
        ("URL", "C", "公告网址"),
        ("NOTICE_MEDIA", "C", "发布媒介"),
    ],
    "candidate": [
        ("BID_SECTION_CODE", "C", "标段（包）编号"),
        ("NOTICE_CODE", "U", "公示编号"),
        ("PUBLICITY_START_TIME", "C", "公示开始时间"),
        ("PUBLICITY_END_TIME", "C", "公示结束时间"),
        ("FIRST_CANDIDATE_NAME", "U", "第一中标候选人名称"),
        ("FIRST_CANDIDATE_CODE", "U", "第一中标候选人统一社会信用代码"),
        ("SECOND_CANDIDATE_NAME", "U", "第二中标候选人名称"),
        ("SECOND_CANDIDATE_CODE", "U", "第二中标候选人统一社会信用代码"),
        ("THIRD_CANDIDATE_NAME", "U", "第三中标候选人名称"),
        ("THIRD_CANDIDATE_CODE", "U", "第三中标候选人统一社会信用代码"),
        ("URL", "C", "公示网址"),
    ],
    "result": [
        ("BID_SECTION_CODE", "C", "标段（包）编号"),
        ("NOTICE_CODE", "U", "结果公告编号"),
        ("WIN_BIDDER_NAME", "C", "中标（成交、受让）人名称"),
        ("WIN_BIDDER_CODE", "C", "中标（成交、受让）人统一社会信用代码"),
        ("BID_AMOUNT", "C", "中标（成交）金额（元）"),
        ("PRICE_FORM_CODE", "C", "价格形式（取值未知：填 1 金额 [U]）"),
        ("NOTICE_SEND_TIME", "U", "发布时间"),
        ("URL", "C", "公告网址"),
    ],
}
TENDER_NOTICE_KINDS = ("tender", "prequalification", "amendment", "clarification", "listing", "termination")
RESULT_KINDS = ("award", "transaction_result")


def tables() -> list[dict[str, Any]]:
    """Every table we export with its fields, for the documentation and the downloads page."""
    out = []
    for kind, numbered in (
        ("project", PROJECT_TABLE),
        ("tender_project", {"engineering": TENDER_PROJECT_TABLE, "procurement": TENDER_PROJECT_TABLE}),
        ("section", {c: SECTION_TABLE for c in PROJECT_TABLE}),
        ("notice", NOTICE_TABLE),
        ("candidate", {"engineering": CANDIDATE_TABLE}),
        ("result", RESULT_TABLE),
    ):
        out.append({"kind": kind, "tables": numbered, "fields": COMMON + FIELDS[kind]})
    return out


def _time(at: dt.datetime | None) -> str:
    if at is None:
        return ""
    return at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")


def _amount(value: Any) -> str:
    number = amount_of(value)
    return "" if number is None else f"{number:.2f}"


def rows(facts: ProjectFacts, *, platform_code: str, base_url: str = "") -> dict[str, list[dict[str, Any]]]:
    """The project's rows, by table name. Only public facts; results only from published notices."""
    cat = facts.category if facts.category in PROJECT_TABLE else "other"
    common = {
        "UNIFIED_DEAL_CODE": facts.code,
        "PLATFORM_CODE": platform_code,
        "REGION_CODE": facts.region_code,
    }
    out: dict[str, list[dict[str, Any]]] = {}

    def add(table: tuple[str, str], at: dt.datetime, row: dict[str, Any]) -> None:
        out.setdefault(table[1], []).append({**common, "DATA_TIMESTAMP": _time(at), **row})

    add(
        PROJECT_TABLE[cat],
        facts.registered_at,
        {
            "PROJECT_CODE": facts.code,
            "PROJECT_NAME": facts.name,
            "TRADE_CATEGORY": facts.category,
            "INVEST_AMOUNT": _amount(facts.estimate)
            if cat in ("engineering", "procurement", "other")
            else "",
            "TENDERER_NAME": facts.tenderer_name,
            "TENDERER_CODE": facts.tenderer_uscc,
            "TENDERER_CODE_TYPE": "USCC",
            "TENDER_AGENCY_NAME": facts.agency_name,
            "TENDER_AGENCY_CODE": facts.agency_uscc,
            "TENDER_MODE": facts.ruleset_code,
            "TENDER_MODE_NAME": facts.procedure_name,
            "CREATE_TIME": _time(facts.registered_at),
        },
    )
    if cat in ("engineering", "procurement"):
        add(
            TENDER_PROJECT_TABLE,
            facts.registered_at,
            {
                "PROJECT_CODE": facts.code,
                "TENDER_PROJECT_CODE": facts.tender_code,
                "TENDER_PROJECT_NAME": facts.name,
                "TENDER_PROJECT_TYPE": facts.item_kind,
                "TENDER_MODE": facts.ruleset_code,
                "TENDERER_NAME": facts.tenderer_name,
                "TENDERER_CODE": facts.tenderer_uscc,
            },
        )
    for lot in facts.lots:
        add(
            SECTION_TABLE,
            facts.registered_at,
            {
                "TENDER_PROJECT_CODE": facts.tender_code,
                "BID_SECTION_CODE": lot.code,
                "BID_SECTION_NAME": lot.name,
                "CONTRACT_RECKON_PRICE": _amount(lot.estimate)
                if cat in ("engineering", "procurement")
                else "",
                "SECTION_STATUS": lot.status,
            },
        )
    lots = {lot.code: lot for lot in facts.lots}
    for n in facts.notices:
        url = f"{base_url}/notices/{n.number}/"
        lot = lots.get(n.lot_code)
        events = lot.events if lot else {}
        if n.kind in TENDER_NOTICE_KINDS and cat in NOTICE_TABLE:
            add(
                NOTICE_TABLE[cat],
                n.published_at,
                {
                    "BID_SECTION_CODE": n.lot_code,
                    "NOTICE_CODE": n.number,
                    "NOTICE_NAME": n.title,
                    "BULLETIN_TYPE": n.kind,
                    "NOTICE_NATURE": "2" if n.amends or n.kind in ("amendment", "clarification") else "1",
                    "NOTICE_SEND_TIME": _time(n.published_at),
                    "DOC_GET_START_TIME": _time(events.get("documents_issued")),
                    "BID_DOC_REFER_END_TIME": _time(
                        events.get("bid_deadline") or events.get("response_deadline")
                    ),
                    "BID_OPEN_TIME": _time(events.get("opening")),
                    "URL": url,
                    "NOTICE_MEDIA": "平台网站",
                },
            )
        elif n.kind == "candidate_publicity" and cat == "engineering":
            cands = [c for c in (n.data.get("candidates") or []) if isinstance(c, dict)]
            row = {"BID_SECTION_CODE": n.lot_code, "NOTICE_CODE": n.number, "URL": url}
            row["PUBLICITY_START_TIME"] = _time(events.get("publicity_start") or n.published_at)
            row["PUBLICITY_END_TIME"] = _time(events.get("publicity_end"))
            for i, prefix in enumerate(("FIRST", "SECOND", "THIRD")):
                c = cands[i] if i < len(cands) else {}
                row[f"{prefix}_CANDIDATE_NAME"] = str(c.get("name") or "")
                row[f"{prefix}_CANDIDATE_CODE"] = str(c.get("uscc") or "")
            add(CANDIDATE_TABLE, n.published_at, row)
        elif n.kind in RESULT_KINDS:
            winner, winner_code = winner_of(n.data)
            add(
                RESULT_TABLE[cat],
                n.published_at,
                {
                    "BID_SECTION_CODE": n.lot_code,
                    "NOTICE_CODE": n.number,
                    "WIN_BIDDER_NAME": winner,
                    "WIN_BIDDER_CODE": winner_code,
                    "BID_AMOUNT": _amount(n.data.get("winning_price")),
                    "PRICE_FORM_CODE": "1",
                    "NOTICE_SEND_TIME": _time(n.published_at),
                    "URL": url,
                },
            )
    return out


def flat(facts: ProjectFacts, *, platform_code: str, base_url: str = "") -> list[dict[str, Any]]:
    """The rows as JSON Lines items: ``{"table": name, "row": {...}}``."""
    return [
        {"table": table, "row": row}
        for table, table_rows in rows(facts, platform_code=platform_code, base_url=base_url).items()
        for row in table_rows
    ]
