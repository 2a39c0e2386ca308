"""Shared data for the rules tests."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import ggzy.rules

DATA = Path(ggzy.rules.__file__).with_name("data")


def shipped(code: str = "engineering.open_tendering") -> dict:
    return json.loads((DATA / f"{code}.json").read_text(encoding="utf-8"))


def all_shipped() -> dict[str, dict]:
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(DATA.glob("*.json"))
        if p.stem != "mandatory_scope"
    }


def other(**changes) -> dict:
    """A valid "other" procedure as an administrator defines it."""
    data = {
        "code": "other.emission_rights",
        "name": "排污权挂牌交易",
        "mechanism": "auction",
        "periods": [
            {
                "code": "notice",
                "label": "挂牌公告发布至挂牌开始",
                "start_event": "notice_published",
                "end_event": "listing_start",
                "days": 10,
                "kind": "working",
                "relation": "min",
                "basis": {
                    "law": "山西省排污权交易管理办法",
                    "article": "",
                    "confirmed": False,
                    "note": "省级规定，原文不在法规库中",
                },
            }
        ],
    }
    data.update(copy.deepcopy(changes))
    return data
