"""Test data built through the models' own rules (valid USCCs, organisations matching roles)."""

from __future__ import annotations

import itertools

from ggzy.accounts.models import (
    DEFAULT_CATEGORIES,
    Department,
    DepartmentKind,
    OversightBody,
    OversightKind,
    Role,
    ServiceCenter,
    User,
)
from ggzy.core import uscc
from ggzy.core.models import Region

_seq = itertools.count(1)
PASSWORD = "Test-Password-2026"


def service_center(region_code: str = "140100") -> ServiceCenter:
    region = Region.objects.get(code=region_code)
    level = {"province": "province", "city": "city", "county": "branch"}[region.level]
    parent = None
    if region.parent_id:
        parent = ServiceCenter.objects.filter(region_id=region.parent_id).first()
    center, _ = ServiceCenter.objects.get_or_create(
        region=region, defaults={"name": f"{region.name}公共资源交易中心", "level": level, "parent": parent}
    )
    return center


def department(region_code: str = "140100", kind: str = DepartmentKind.FINANCE) -> Department:
    region = Region.objects.get(code=region_code)
    dept, _ = Department.objects.get_or_create(
        region=region,
        kind=kind,
        defaults={
            "name": f"{region.name}{DepartmentKind(kind).label}局",
            "categories": list(DEFAULT_CATEGORIES[kind]),
        },
    )
    return dept


def oversight_body(kind: str = OversightKind.INSPECTION, region_code: str = "140000") -> OversightBody:
    region = Region.objects.get(code=region_code)
    body, _ = OversightBody.objects.get_or_create(
        region=region, kind=kind, defaults={"name": f"{region.name}{OversightKind(kind).label}机构"}
    )
    return body


def user(role: str, *, username: str | None = None, **orgs) -> User:
    """A user of ``role`` with a matching organisation (created if not given)."""
    n = next(_seq)
    username = username or f"{role}{n}"
    fields: dict = {}
    if role == Role.OPERATOR:
        fields["service_center"] = orgs.get("service_center") or service_center()
    elif role == Role.SUPERVISOR:
        fields["department"] = orgs.get("department") or department()
    elif role == Role.INSPECTOR:
        fields["oversight_body"] = orgs.get("oversight_body") or oversight_body(OversightKind.INSPECTION)
    elif role == Role.AUDITOR:
        fields["oversight_body"] = orgs.get("oversight_body") or oversight_body(OversightKind.AUDIT)
    u = User(username=username, role=role, display_name=f"测试{n}", email=f"{username}@example.cn", **fields)
    u.set_password(PASSWORD)
    u.save()
    return u


def valid_uscc(n: int, region: str = "140100", authority: str = "9", category: str = "1") -> str:
    """A deterministic valid USCC (both check characters computed)."""
    body = f"{n:08d}"
    return uscc.make(authority, category, region, body)
