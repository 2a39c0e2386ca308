"""Checking a market entity's registration data. Pure module (no Django).

The same rules serve counter registration, online self-registration, updates and bulk import, so a
row in an import file is accepted exactly when the same data typed into the form would be.
Entities from every province register the same way (seed 三(七)): only the address's region code
is checked differently - against the platform's own region list inside its province, against the
province-level codes of GB/T 2260 outside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ggzy.core import uscc
from ggzy.core.errors import DomainError, FieldError

FIELD_LABELS: dict[str, str] = {
    "uscc": "统一社会信用代码",
    "name": "名称",
    "legal_representative": "法定代表人",
    "address": "住所",
    "region_code": "所在地区划代码",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "contact_email": "电子邮箱",
    "trading_roles": "交易角色",
    "bank_name": "开户银行",
    "bank_account_name": "账户名称",
    "bank_account_no": "银行账号",
}
REQUIRED = (
    "uscc",
    "name",
    "legal_representative",
    "address",
    "region_code",
    "contact_name",
    "contact_phone",
    "trading_roles",
)
EDITABLE = tuple(f for f in FIELD_LABELS if f != "uscc")
BANK_FIELDS = ("bank_name", "bank_account_name", "bank_account_no")
MAX_LENGTHS = {
    "name": 200,
    "legal_representative": 50,
    "address": 200,
    "contact_name": 50,
    "contact_phone": 30,
    "contact_email": 254,
    "bank_name": 100,
    "bank_account_name": 200,
    "bank_account_no": 40,
}

# Trading roles: code -> label (the same labels as models.TradingRole, kept here so this module
# stays free of Django); and every Chinese word an import file may use for each.
ROLE_LABELS: dict[str, str] = {
    "tenderer": "招标人/采购人",
    "agency": "招标代理机构/采购代理机构",
    "bidder": "投标人/供应商",
    "transferor": "出让人/转让方",
    "transferee": "竞买人/意向受让方",
}
ROLE_WORDS: dict[str, str] = {
    "招标人": "tenderer",
    "采购人": "tenderer",
    "招标代理机构": "agency",
    "采购代理机构": "agency",
    "代理机构": "agency",
    "投标人": "bidder",
    "供应商": "bidder",
    "出让人": "transferor",
    "转让方": "transferor",
    "竞买人": "transferee",
    "意向受让方": "transferee",
    "受让人": "transferee",
    "受让方": "transferee",
}
_ROLE_SPLIT = re.compile(r"[,，、;；/／\s]+")
_PHONE = re.compile(r"^\+?[0-9][0-9\-() ]{5,28}[0-9]$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_BANK_ACCOUNT = re.compile(r"^[0-9]{8,32}$")

# Shanxi divisions abolished since 2016: certificates issued before keep these codes in their
# USCC (GB/T 2260 changes; verify against the Ministry of Civil Affairs' list when one is added).
SHANXI_ABOLISHED: dict[str, str] = {
    "140202": "大同市城区（2018年撤销）",
    "140203": "大同市矿区（2018年撤销）",
    "140211": "大同市南郊区（2018年撤销）",
    "140227": "大同县（2018年撤销）",
    "140402": "长治市城区（2018年撤销）",
    "140411": "长治市郊区（2018年撤销）",
    "140421": "长治县（2018年撤销）",
    "140424": "屯留县（2018年撤销）",
    "140481": "潞城市（2018年撤销）",
    "140624": "怀仁县（2018年撤销，改设怀仁市）",
    "140726": "太谷县（2019年撤销）",
}
ABOLISHED_BY_PROVINCE: dict[str, dict[str, str]] = {"14": SHANXI_ABOLISHED}


@dataclass(frozen=True)
class RegionContext:
    """The platform's province (two-digit prefix), its current region codes and abolished codes."""

    home_prefix: str
    home_regions: Mapping[str, str]
    home_abolished: Mapping[str, str] = field(default_factory=dict)

    def label(self, code: str) -> str:
        """A readable name for any region code (the platform's own, or another province's)."""
        if code in self.home_regions:
            return self.home_regions[code]
        if code in self.home_abolished:
            return self.home_abolished[code]
        return uscc.PROVINCES.get(code[:2], "")


def kind_of(info: uscc.UsccInfo) -> str:
    """The entity's kind from the USCC's category (企业, 事业单位, 个体工商户 …)."""
    if info.category == "其他":
        return f"其他（{info.authority}登记）"
    return info.category


def validate_uscc(raw: str, ctx: RegionContext) -> uscc.UsccInfo:
    return uscc.validate(raw, home_regions=ctx.home_regions, home_abolished=ctx.home_abolished)


def parse_roles(value: Any) -> tuple[list[str], list[str]]:
    """Role codes from a list of codes/labels or a comma/、-separated Chinese text; and the unknown words."""
    if value is None:
        return [], []
    items: Iterable[str]
    items = _ROLE_SPLIT.split(value) if isinstance(value, str) else [str(v) for v in value]
    codes: list[str] = []
    unknown: list[str] = []
    for item in items:
        word = item.strip()
        if not word:
            continue
        code = word if word in ROLE_LABELS else ROLE_WORDS.get(word)
        if code is None:
            code = next((c for c, label in ROLE_LABELS.items() if label == word), None)
        if code is None:
            unknown.append(word)
        elif code not in codes:
            codes.append(code)
    order = list(ROLE_LABELS)
    return sorted(codes, key=order.index), unknown


def check_region(code: str, ctx: RegionContext, fld: str = "region_code") -> FieldError | None:
    if not re.fullmatch(r"[0-9]{6}", code):
        return FieldError("entity.region_unknown", f"所在地区划代码“{code}”应为6位数字的行政区划代码", fld)
    prefix = code[:2]
    if prefix == ctx.home_prefix:
        if code not in ctx.home_regions:
            province = uscc.PROVINCES.get(prefix, "本省")
            return FieldError(
                "entity.region_unknown",
                f"所在地区划代码“{code}”不是{province}现行的行政区划代码，请按《行政区划代码》填写所在县（市、区）",
                fld,
            )
        return None
    if prefix not in uscc.PROVINCES:
        return FieldError(
            "entity.region_unknown",
            f"所在地区划代码“{code}”无效：“{prefix}”不是省级行政区划代码",
            fld,
        )
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


def clean(
    data: Mapping[str, Any], ctx: RegionContext, *, fields: Iterable[str] | None = None
) -> tuple[dict[str, Any], uscc.UsccInfo | None, list[FieldError]]:
    """Normalise and check ``fields`` of ``data`` (all fields when None, i.e. a registration).

    Returns the cleaned values, what the USCC says (when checked and valid) and every problem.
    With ``fields`` given (an update), required fields may not be blanked either.
    """
    full = fields is None
    names = list(FIELD_LABELS) if full else [f for f in FIELD_LABELS if f in set(fields)]
    out: dict[str, Any] = {}
    errors: list[FieldError] = []
    info: uscc.UsccInfo | None = None

    for name in names:
        raw = data.get(name)
        label = FIELD_LABELS[name]
        if name == "trading_roles":
            roles, unknown = parse_roles(raw)
            for word in unknown:
                errors.append(
                    FieldError(
                        "entity.role_unknown",
                        f"交易角色“{word}”无法识别，可填：{'、'.join(ROLE_WORDS)}",
                        name,
                    )
                )
            if not roles and not unknown:
                errors.append(FieldError("field.required", f"请选择{label}（至少一项）", name))
            out[name] = roles
            continue
        value = _text(raw)
        if name == "uscc":
            value = uscc.normalise(value)
        elif name == "bank_account_no":
            value = value.replace(" ", "").replace("-", "")
        out[name] = value
        if not value:
            if name in REQUIRED:
                errors.append(FieldError("field.required", f"请填写{label}", name))
            continue
        limit = MAX_LENGTHS.get(name)
        if limit and len(value) > limit:
            errors.append(FieldError("field.too_long", f"{label}不能超过{limit}个字符", name))
            continue
        if name == "uscc":
            try:
                info = validate_uscc(value, ctx)
            except DomainError as exc:
                errors.extend(exc.errors or [FieldError(exc.code, exc.message, name)])
        elif name == "region_code":
            problem = check_region(value, ctx, name)
            if problem:
                errors.append(problem)
        elif name == "contact_phone" and not _PHONE.match(value):
            errors.append(FieldError("entity.phone_invalid", f"联系电话“{value}”格式不正确", name))
        elif name == "contact_email" and not _EMAIL.match(value):
            errors.append(FieldError("entity.email_invalid", f"电子邮箱“{value}”格式不正确", name))
        elif name == "bank_account_no" and not _BANK_ACCOUNT.match(value):
            errors.append(FieldError("entity.bank_account_invalid", "银行账号应为8–32位数字", name))

    if full:
        errors.extend(bank_errors(out))
    return out, info, errors


def bank_errors(values: Mapping[str, Any]) -> list[FieldError]:
    """A settlement account is all or nothing: a deposit refund needs the bank, the name and the number."""
    if not any(values.get(f) for f in BANK_FIELDS):
        return []
    return [
        FieldError("entity.bank_incomplete", f"结算账户须完整填写，请填写{FIELD_LABELS[f]}", f)
        for f in BANK_FIELDS
        if not values.get(f)
    ]


def summarise(errors: list[FieldError], subject: str = "提交的信息") -> str:
    """One Chinese sentence: the missing fields first (all of them), then the other problems."""
    missing = [FIELD_LABELS.get(e.field or "", e.field or "") for e in errors if e.code == "field.required"]
    others = [e.message for e in errors if e.code != "field.required"]
    parts = []
    if missing:
        parts.append("缺少必填项：" + "、".join(missing))
    parts.extend(others)
    if len(errors) == 1:
        return errors[0].message
    return f"{subject}有{len(errors)}处错误：" + "；".join(parts)
