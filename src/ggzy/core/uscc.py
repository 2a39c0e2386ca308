"""统一社会信用代码 (unified social credit code, USCC) per GB 32100-2015. Pure module.

Layout of the 18 characters:
  1      registration-authority code (登记管理部门代码)
  2      organisation-category code (机构类别代码), whose allowed values depend on the authority
  3-8    administrative region code of the registering authority (GB/T 2260)
  9-17   entity identifier = the organisation code of GB 11714 (8 body characters + its check)
  18     check character (mod 31, weights 3^i mod 31)

Every entity of every province is checked the same way (seed 三(七)): the region part must be a
province-level code of the country; inside the platform's own province the county part is also
checked against the region list, accepting the codes of divisions that were abolished after the
code was issued (a certificate keeps the code it was issued with).
The authority and category tables follow GB 32100-2015 and its later additions (军队, 农业);
verify against the official text when a new code is seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ggzy.core.errors import FieldError, invalid

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, ...
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
FORBIDDEN_LETTERS = "IOSVZ"

AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"},
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}

# GB/T 2260 province-level codes, plus 100000 for bodies registered at national level.
PROVINCES: dict[str, str] = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
}  # fmt: skip
NATIONAL_REGION = "100000"


@dataclass(frozen=True)
class UsccInfo:
    code: str
    authority: str  # e.g. 工商
    category: str  # e.g. 企业
    region_code: str
    province: str
    organisation_code: str  # GB 11714, 9 characters

    @property
    def is_individual_business(self) -> bool:
        return self.code[:2] == "92"


def check_character(body17: str) -> str:
    """The 18th character for a 17-character body (characters from ALPHABET)."""
    total = sum(_VALUE[c] * w for c, w in zip(body17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def organisation_check_character(body8: str) -> str:
    """GB 11714 check character for the 8 body characters of an organisation code."""
    total = sum(_org_value(c) * w for c, w in zip(body8, ORG_WEIGHTS, strict=True))
    c9 = 11 - total % 11
    return "X" if c9 == 10 else ("0" if c9 == 11 else str(c9))


def _org_value(c: str) -> int:
    return int(c) if c.isdigit() else ord(c) - 55  # A=10 … Z=35


def normalise(raw: str) -> str:
    """Trim spaces (including full-width ones) and upper-case; nothing else is corrected."""
    return "".join(str(raw).split()).replace("\u3000", "").upper()


def validate(
    raw: str,
    *,
    home_regions: Mapping[str, str] | None = None,
    home_abolished: Mapping[str, str] | None = None,
    field: str = "uscc",
) -> UsccInfo:
    """Return what the code says, or raise InvalidInput listing every problem in Chinese.

    ``home_regions`` maps the platform province's region codes to names; ``home_abolished`` maps
    codes of divisions abolished since (still valid on older certificates) to a note.
    """
    code = normalise(raw)
    errors: list[FieldError] = []

    def err(c: str, m: str) -> None:
        errors.append(FieldError(c, m, field))

    if not code:
        err("uscc.required", "请填写统一社会信用代码")
        raise invalid(errors, "统一社会信用代码")
    if len(code) != 18:
        err("uscc.length", f"统一社会信用代码应为18位，“{code}”有{len(code)}位")
        raise invalid(errors, "统一社会信用代码")
    bad = [(i + 1, c) for i, c in enumerate(code) if c not in _VALUE]
    if bad:
        for pos, c in bad:
            if c in FORBIDDEN_LETTERS:
                err("uscc.charset", f"第{pos}位“{c}”不能出现在统一社会信用代码中（不使用字母I、O、S、V、Z）")
            else:
                err("uscc.charset", f"第{pos}位“{c}”不是统一社会信用代码允许的字符（只用数字和大写字母）")
        raise invalid(errors, "统一社会信用代码")

    authority_code, category_code = code[0], code[1]
    authority = AUTHORITIES.get(authority_code)
    category = ""
    if authority is None:
        err(
            "uscc.authority",
            f"第1位登记管理部门代码“{authority_code}”无效（应为1–9、A、N或Y）",
        )
    else:
        category = authority[1].get(category_code, "")
        if not category:
            allowed = "、".join(f"{k}（{v}）" for k, v in authority[1].items())
            err(
                "uscc.category",
                f"第2位机构类别代码“{category_code}”不属于登记管理部门“{authority[0]}”，应为{allowed}",
            )

    region = code[2:8]
    province = ""
    if not region.isdigit():
        err("uscc.region", f"第3–8位行政区划码“{region}”应为6位数字")
    elif region == NATIONAL_REGION:
        province = "全国"
    else:
        province = PROVINCES.get(region[:2], "")
        if not province:
            err("uscc.region", f"第3–8位行政区划码“{region}”无效：“{region[:2]}”不是省级行政区划代码")
        elif (
            home_regions is not None
            and region[:2] == _home_prefix(home_regions)
            and region not in home_regions
            and (home_abolished is None or region not in home_abolished)
        ):
            err("uscc.region", f"第3–8位行政区划码“{region}”不是{province}的行政区划代码")

    org = code[8:17]
    expected_org = organisation_check_character(org[:8])
    if org[8] != expected_org:
        err(
            "uscc.organisation_code",
            f"第9–17位组织机构代码“{org}”的校验位应为“{expected_org}”，实际为“{org[8]}”",
        )

    expected = check_character(code[:17])
    if code[17] != expected:
        err(
            "uscc.check_character",
            f"第18位校验码应为“{expected}”，实际为“{code[17]}”，请核对代码是否抄录有误",
        )

    if errors:
        raise invalid(errors, "统一社会信用代码")
    assert authority is not None
    return UsccInfo(
        code=code,
        authority=authority[0],
        category=category,
        region_code=region,
        province=province,
        organisation_code=org,
    )


def _home_prefix(home_regions: Iterable[str]) -> str:
    for c in home_regions:
        return c[:2]
    return ""


def is_valid(raw: str, **kwargs) -> bool:
    from ggzy.core.errors import DomainError

    try:
        validate(raw, **kwargs)
    except DomainError:
        return False
    return True


def make(authority: str, category: str, region: str, org_body8: str) -> str:
    """Build a valid code from its parts (used by the demo and the tests)."""
    org = org_body8 + organisation_check_character(org_body8)
    body = authority + category + region + org
    return body + check_character(body)
