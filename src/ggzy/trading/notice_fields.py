"""The structured fields of a notice as people read them: Chinese labels, values for a page. Pure module.

A notice is generated from structured data (``Notice.data``). Every key a page shows has a Chinese
label: either the key is already Chinese (e.g. ``资格要求``, what the console form sends) or it is in
``LABELS`` (the platform's field names, e.g. ``bid_deadline``, ``candidates``) or it is a timeline
event (``ggzy.rules.events``). ``unlabelled`` finds the keys that have none; the notice services
refuse such data (``notice.field_unlabelled``), so no raw English key ever reaches a page. Add a
label here when a procedure needs a new field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from ggzy.rules import events as rules_events

CHINA = ZoneInfo("Asia/Shanghai")

# Keys the notice templates render themselves (or not at all): never listed as fields.
INTERNAL = frozenset({"title", "schedule", "deadline", "amends", "affects_preparation", "free_text"})

LABELS: dict[str, str] = {
    # the project and its lots
    "qualification": "资格要求",
    "scope": "招标（采购）范围",
    "content": "主要内容",
    "location": "项目地点",
    "duration": "工期（服务期限）",
    "quality": "质量要求",
    "budget": "预算金额（元）",
    "max_price": "最高投标限价（元）",
    "estimate": "估算金额（元）",
    "funding": "资金来源",
    "joint_bids": "是否接受联合体投标",
    "evaluation_method": "评标（评审）办法",
    "deposit": "保证金（元）",
    # documents, bids, opening
    "documents_obtain": "文件获取方式",
    "documents_price": "文件售价（元）",
    "bid_submission": "投标（响应）文件递交方式",
    "opening_place": "开标地点",
    "opening_record": "开标记录",
    "period_days": "工期（日历天）",
    "decryption": "解密情况",
    "receipt_position": "投标回执日志位置",
    "salt": "回执承诺随机数",
    "prequal_method": "资格审查方法",
    # results
    "candidates": "中标候选人",
    "rank": "排名",
    "name": "名称",
    "uscc": "统一社会信用代码",
    "price": "报价（元）",
    "score": "评审得分",
    "project_manager": "项目负责人",
    "winner": "中标（成交）人",
    "winning_price": "中标（成交）金额（元）",
    "bid_count": "有效投标（响应、竞买）人数",
    "qualified": "通过资格审查的申请人",
    "rejected": "未通过资格审查的申请人",
    "reason": "原因",
    "objection": "异议受理",
    "publicity_days": "公示期（日）",
    "result": "结果",
    # contracts and performance
    "contract_no": "合同编号",
    "contract_amount": "合同金额（元）",
    "signed_on": "合同签订日期",
    "performance": "履约情况",
    "acceptance": "验收情况",
    # land, mining, state property
    "parcel": "宗地编号",
    "area": "面积（平方米）",
    "land_use": "土地用途",
    "term_years": "出让年限（年）",
    "plot_ratio": "容积率",
    "mineral": "矿种",
    "reserve_price": "起始价（元）",
    "increment": "加价幅度（元）",
    "transferee_conditions": "受让方资格条件",
    "target": "交易标的",
    # contacts
    "tenderer": "招标人（采购人、出让人）",
    "agency": "代理机构",
    "contact": "联系方式",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "address": "地址",
    "amendment": "更正内容",
    "note": "备注",
}

_LATIN = re.compile(r"[A-Za-z]")
MAX_DEPTH = 3


def label(key: object) -> str | None:
    """The Chinese label of a field key, or None when it has none (an unknown Latin-letter key)."""
    key = str(key)
    if key in LABELS:
        return LABELS[key]
    if key in rules_events.EVENTS:
        return rules_events.EVENTS[key]
    if key.strip() and not _LATIN.search(key):
        return key.strip()
    return None


def unlabelled(data: Any, prefix: str = "", depth: int = 0) -> list[str]:
    """The keys (dotted paths) of ``data`` that have no Chinese label; internal top-level keys are
    not shown and need none."""
    out: list[str] = []
    if depth > MAX_DEPTH:
        return out
    if isinstance(data, Mapping):
        for key, value in data.items():
            if depth == 0 and key in INTERNAL:
                continue
            if label(key) is None:
                out.append(f"{prefix}{key}")
            out += unlabelled(value, f"{prefix}{key}.", depth + 1)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += unlabelled(value, f"{prefix}{i}.", depth + 1)
    return out


def path_label(path: str) -> str:
    """A dotted field path for people: "candidates.0.name" -> "中标候选人第1项名称"."""
    parts = []
    for part in (path or "").split("."):
        if part.isdigit():
            parts.append(f"第{int(part) + 1}项")
        else:
            parts.append({"free_text": "补充说明", "title": "标题"}.get(part) or label(part) or "其他内容")
    return "".join(parts)


def text(value: Any) -> str:
    """A value as text: 是/否, times in Beijing time, lists joined with 、, mappings as 名称：值."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return (
            value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
            if value.tzinfo
            else value.strftime("%Y-%m-%d %H:%M")
        )
    if isinstance(value, str) and "T" in value and len(value) >= 16:
        try:
            return text(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, Mapping):
        return "；".join(
            f"{label(k) or '其他内容'}：{text(v)}" for k, v in value.items() if v not in (None, "")
        )
    if isinstance(value, list | tuple):
        return "、".join(text(v) for v in value)
    return str(value)


def display(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The fields of a notice for its template, in the data's order, empty values left out:
    ``{"label", "text"}``; a list of mappings is a table (``headers``, ``rows``); a mapping is a
    list of ``entries`` ({"label", "text"})."""
    out = []
    for key, value in data.items():
        if key in INTERNAL or value in (None, "", [], {}):
            continue
        field: dict[str, Any] = {"label": label(key) or "其他内容"}
        if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            keys: list[str] = []
            for row in value:
                keys += [k for k in row if k not in keys]
            field["headers"] = [label(k) or "其他内容" for k in keys]
            field["rows"] = [[text(row.get(k)) for k in keys] for row in value]
        elif isinstance(value, Mapping):
            field["entries"] = [
                {"label": label(k) or "其他内容", "text": text(v)}
                for k, v in value.items()
                if v not in (None, "")
            ]
        else:
            field["text"] = text(value)
        out.append(field)
    return out
