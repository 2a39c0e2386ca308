"""Deterministic demo data for Shanxi: organisations and ~200 market entities with valid USCCs.

Pure generator (no database): the loader turns these records into service calls.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from ggzy.core import uscc

SEED = 20151014  # fixed: the same demo every time

CITIES = {
    "140100": "太原市", "140200": "大同市", "140300": "阳泉市", "140400": "长治市", "140500": "晋城市",
    "140600": "朔州市", "140700": "晋中市", "140800": "运城市", "140900": "忻州市", "141000": "临汾市",
    "141100": "吕梁市",
}  # fmt: skip

# department kind -> (province name, city name suffix)
DEPARTMENTS = {
    "development": ("山西省发展和改革委员会", "发展和改革委员会"),
    "finance": ("山西省财政厅", "财政局"),
    "natural_resources": ("山西省自然资源厅", "自然资源和规划局"),
    "state_assets": ("山西省人民政府国有资产监督管理委员会", "人民政府国有资产监督管理委员会"),
    "housing": ("山西省住房和城乡建设厅", "住房和城乡建设局"),
    "transport": ("山西省交通运输厅", "交通运输局"),
    "water": ("山西省水利厅", "水利局"),
}

OUTSIDE = {"110105": "北京市朝阳区", "130102": "石家庄市长安区", "610113": "西安市雁塔区",
           "320506": "苏州市吴中区", "410105": "郑州市金水区", "150102": "呼和浩特市新城区"}  # fmt: skip

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = "建国志强海涛晓东丽华秀英文斌永军立新红梅振华国庆俊杰雪松玉兰春生宏伟淑珍明亮文静晋生鹏飞"
BANKS = [
    "中国工商银行",
    "中国农业银行",
    "中国银行",
    "中国建设银行",
    "交通银行",
    "晋商银行",
    "山西农村商业银行",
]

# (trade words, roles, qualification or None)
FIRMS = [
    ("建设工程", ["bidder"], ("建筑工程施工总承包", "二级", "山西省住房和城乡建设厅")),
    ("路桥工程", ["bidder"], ("公路工程施工总承包", "一级", "中华人民共和国住房和城乡建设部")),
    ("水利水电工程", ["bidder"], ("水利水电工程施工总承包", "二级", "山西省住房和城乡建设厅")),
    ("市政工程", ["bidder"], ("市政公用工程施工总承包", "三级", "山西省住房和城乡建设厅")),
    ("建筑安装工程", ["bidder"], ("机电工程施工总承包", "二级", "山西省住房和城乡建设厅")),
    ("电力工程", ["bidder"], ("电力工程施工总承包", "三级", "山西省住房和城乡建设厅")),
    ("信息技术", ["bidder"], None),
    ("环保科技", ["bidder"], None),
    ("医疗器械", ["bidder"], ("医疗器械经营许可", "", "太原市市场监督管理局")),
    ("办公设备", ["bidder"], None),
    ("物业管理", ["bidder"], None),
    ("工程咨询", ["bidder", "agency"], ("工程咨询单位资信", "甲级", "山西省工程咨询协会")),
    ("招标代理", ["agency"], None),
    ("房地产开发", ["transferee"], ("房地产开发企业资质", "二级", "山西省住房和城乡建设厅")),
    ("煤业", ["transferee", "bidder"], ("采矿许可", "", "山西省自然资源厅")),
    ("矿业开发", ["transferee"], None),
    ("投资", ["transferee", "transferor"], None),
    ("农业开发", ["transferee"], None),
]
WORDS = "晋阳汾河太行恒达鑫源华泰诚信宏远金石博远中晟龙城三晋并州瑞丰永安安泰正元德润新宇天成"


@dataclass
class DemoEntity:
    uscc: str
    name: str
    legal_representative: str
    address: str
    region_code: str
    contact_name: str
    contact_phone: str
    contact_email: str
    trading_roles: list[str]
    bank_name: str
    bank_account_name: str
    bank_account_no: str
    qualifications: list[dict] = field(default_factory=list)


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice([1, 2])))


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))


def _org_body(rng: random.Random) -> str:
    if rng.random() < 0.6:  # codes issued after 2015 start with MA
        return "MA" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(6))
    return "".join(rng.choice("0123456789") for _ in range(8))


def entities(regions: dict[str, str], count: int = 200) -> list[DemoEntity]:
    """``regions`` maps Shanxi county codes to names; the result is the same for the same input."""
    rng = random.Random(SEED)
    counties = sorted(regions)
    out: list[DemoEntity] = []
    used_names: set[str] = set()
    used_codes: set[str] = set()

    def add(name: str, authority: str, category: str, region: str, place: str, roles: list[str], qual=None):
        if name in used_names:
            return
        code = uscc.make(authority, category, region, _org_body(rng))
        if code in used_codes:
            return
        used_names.add(name)
        used_codes.add(code)
        quals = []
        if qual:
            q_name, grade, issuer = qual
            start = dt.date(2022 + rng.randrange(3), rng.randrange(1, 13), 1)
            quals.append({
                "name": q_name, "grade": grade, "issuer": issuer,
                "certificate_no": f"D{rng.randrange(10**8, 10**9)}",
                "valid_from": start.isoformat(),
                "valid_until": start.replace(year=start.year + 5).isoformat(),
            })  # fmt: skip
        out.append(
            DemoEntity(
                uscc=code,
                name=name,
                legal_representative=_person(rng),
                address=f"{place}{rng.choice(['迎泽大街', '府西街', '长风街', '解放路', '建设路', '人民路'])}"
                f"{rng.randrange(1, 400)}号",
                region_code=region,
                contact_name=_person(rng),
                contact_phone=_phone(rng),
                contact_email=f"contact{len(out) + 1}@example.cn",
                trading_roles=roles,
                bank_name=f"{rng.choice(BANKS)}{place[:3]}分行",
                bank_account_name=name,
                bank_account_no="".join(rng.choice("0123456789") for _ in range(19)),
                qualifications=quals,
            )
        )

    # Purchasers and tenderers: government bodies (1-1) and public institutions (1-2) in each city.
    for code, city in CITIES.items():
        for suffix in ["教育局", "卫生健康委员会", "城市管理局"]:
            add(f"{city}{suffix}", "1", "1", code, city, ["tenderer"])
        for suffix in ["第一人民医院", "第一中学"]:
            add(f"{city}{suffix}", "1", "2", code, city, ["tenderer"])
        add(f"{city}自然资源和规划局（出让人）", "1", "1", code, city, ["transferor"])
    add("山西省交通运输厅（项目法人）", "1", "1", "140000", "太原市", ["tenderer"])
    add("山西省国有资本运营有限公司", "9", "1", "140000", "太原市", ["transferor", "tenderer"])

    # Firms across Shanxi, and some from other provinces (seed 三(七): they register the same way).
    while len(out) < count:
        outside = rng.random() < 0.12
        if outside:
            region = rng.choice(sorted(OUTSIDE))
            place = OUTSIDE[region]
            prefix = place[:2]
        else:
            region = rng.choice(counties)
            place = regions[region]
            prefix = rng.choice(["山西", place[:2]])
        words, roles, qual = rng.choice(FIRMS)
        brand = "".join(rng.sample(WORDS, 2))
        suffix = rng.choice(["有限公司", "有限责任公司", "股份有限公司"])
        add(f"{prefix}{brand}{words}{suffix}", "9", "1", region, place, roles, qual)
    return out
