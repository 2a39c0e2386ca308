"""Demo trade projects: one per shipped rule set, in different cities (issue 3 item 9).

Registered through the trading services as the province or city service center (SYSTEM actor in
the loader), so each carries its deal code, rule-set version and audit events.
"""

from __future__ import annotations

from dataclasses import dataclass

# (rule set code, project name, city region, item kind, estimate in yuan, lots)
PROJECTS: list[tuple[str, str, str, str, str, list[str]]] = [
    ("engineering.open_tendering", "太原市晋阳街道路改造工程施工", "140105", "works", "28600000.00",
     ["一标段（K0+000—K2+300）", "二标段（K2+300—K4+850）"]),
    ("engineering.open_tendering_prequal", "大同市御河生态治理工程施工", "140213", "works", "96500000.00", []),
    ("engineering.invited_tendering", "阳泉市第二水厂自动化改造工程", "140302", "works", "6200000.00", []),
    ("engineering.invited_tendering_prequal", "长治市潞州区供热管网改造工程", "140403", "works", "12800000.00", []),
    ("procurement.open_tendering", "晋城市第一人民医院医疗设备采购", "140502", "goods", "8650000.00",
     ["1包：医学影像设备", "2包：检验设备"]),
    ("procurement.invited_tendering", "朔州市教育局学生课桌椅采购", "140602", "goods", "2300000.00", []),
    ("procurement.competitive_negotiation", "晋中市政务云运维服务采购", "140702", "services", "1500000.00", []),
    ("procurement.competitive_consultation", "运城市城市管理信息化平台建设", "140802", "services", "3900000.00", []),
    ("procurement.request_for_quotation", "忻州市档案馆办公设备采购", "140902", "goods", "680000.00", []),
    ("procurement.single_source", "临汾市气象雷达专用软件升级", "141002", "services", "1200000.00", []),
    ("land.tender", "太原市小店区XD-2026-12号地块国有建设用地使用权出让", "140105", "", "156000000.00", []),
    ("land.auction", "晋中市榆次区YC-2026-07号地块国有建设用地使用权出让", "140702", "", "48000000.00", []),
    ("land.listing", "吕梁市离石区LS-2026-03号地块国有建设用地使用权出让", "141102", "", "23500000.00", []),
    ("mining.tender", "临汾市乡宁县某铝土矿采矿权出让", "141029", "", "86000000.00", []),
    ("mining.auction", "大同市浑源县某石灰岩矿采矿权出让", "140225", "", "12600000.00", []),
    ("mining.listing", "长治市沁源县某建筑用砂岩矿采矿权出让", "140431", "", "9300000.00", []),
    ("property.listed_transfer", "山西省某国有企业闲置厂房及设备转让", "140105", "", "18800000.00", []),
]  # fmt: skip


@dataclass(frozen=True)
class DemoProject:
    ruleset_code: str
    name: str
    region_code: str
    item_kind: str
    estimate: str
    lots: tuple[str, ...]

    @property
    def category(self) -> str:
        return self.ruleset_code.split(".", 1)[0]


def projects() -> list[DemoProject]:
    return [DemoProject(c, n, r, k, e, tuple(lots)) for c, n, r, k, e, lots in PROJECTS]
