"""The platform hierarchy (seed 三(一)): service centers, supervisory departments, oversight bodies.

Province platform (the province's region, e.g. 140000), city platforms under it, county branches
under their city's center. Level and parent follow from the region, so the tree cannot be wired
wrongly by hand.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ggzy.accounts.models import (
    DEFAULT_CATEGORIES,
    CenterLevel,
    Department,
    DepartmentKind,
    OversightBody,
    OversightKind,
    ServiceCenter,
)
from ggzy.audit.services import diff, record
from ggzy.core.choices import Category, RegionLevel
from ggzy.core.errors import Conflict, FieldError, NotFound, invalid
from ggzy.core.models import Region
from ggzy.core.permissions import require

LEVEL_OF_REGION = {
    RegionLevel.PROVINCE: CenterLevel.PROVINCE,
    RegionLevel.CITY: CenterLevel.CITY,
    RegionLevel.COUNTY: CenterLevel.BRANCH,
}


def _text(value: Any) -> str:
    return str(value or "").strip()


def _region(code: str, errors: list[FieldError]) -> Region | None:
    code = _text(code)
    if not code:
        errors.append(FieldError("region.required", "请填写行政区划代码", "region_code"))
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        errors.append(FieldError("region.unknown", f"行政区划代码“{code}”不存在", "region_code"))
    return region


def _check_name(name: str, max_length: int, errors: list[FieldError]) -> None:
    if not name:
        errors.append(FieldError("name.required", "请填写名称", "name"))
    elif len(name) > max_length:
        errors.append(FieldError("name.too_long", f"名称不能超过{max_length}个字", "name"))


def _center_snapshot(c: ServiceCenter) -> dict[str, Any]:
    return {
        "name": c.name,
        "level": c.level,
        "region": c.region_id,
        "parent": c.parent_id,
        "address": c.address,
        "phone": c.phone,
        "complaint_phone": c.complaint_phone,
        "active": c.active,
    }


# --- service centers ---------------------------------------------------------------------------


def service_center_validate(
    *, name: str, region_code: str, instance: ServiceCenter | None = None
) -> tuple[list[FieldError], dict[str, Any]]:
    """Check a center's name and region; returns the errors and the derived level and parent."""
    errors: list[FieldError] = []
    derived: dict[str, Any] = {}
    name = _text(name)
    _check_name(name, 100, errors)
    if name and ServiceCenter.objects.filter(name=name).exclude(pk=getattr(instance, "pk", None)).exists():
        errors.append(FieldError("service_center.duplicate_name", f"已有名为“{name}”的交易服务中心", "name"))
    if instance is not None:
        return errors, derived
    region = _region(region_code, errors)
    if region is None:
        return errors, derived
    if ServiceCenter.objects.filter(region=region).exists():
        errors.append(
            FieldError(
                "service_center.duplicate_region",
                f"{region.name}（{region.code}）已有交易服务中心，每个行政区划只设一个",
                "region_code",
            )
        )
    derived["level"] = LEVEL_OF_REGION[region.level]
    derived["region"] = region
    derived["parent"] = None
    if region.parent_id:
        parent = ServiceCenter.objects.filter(region_id=region.parent_id).first()
        if parent is None:
            what = "省级平台" if region.level == RegionLevel.CITY else "所属市级平台"
            errors.append(
                FieldError(
                    "service_center.parent_missing",
                    f"请先建立{what}（{region.parent_id}）的交易服务中心，再建立{region.name}的",
                    "region_code",
                )
            )
        derived["parent"] = parent
    return errors, derived


@transaction.atomic
def service_center_create(
    *,
    name: str,
    region_code: str,
    address: str = "",
    phone: str = "",
    complaint_phone: str = "",
    actor: Any,
) -> ServiceCenter:
    require(actor, "masterdata.manage")
    errors, derived = service_center_validate(name=name, region_code=region_code)
    if errors:
        raise invalid(errors, "交易服务中心信息")
    center = ServiceCenter.objects.create(
        name=_text(name),
        level=derived["level"],
        region=derived["region"],
        parent=derived["parent"],
        address=_text(address),
        phone=_text(phone),
        complaint_phone=_text(complaint_phone),
    )
    record(
        actor=actor,
        action="service_center.create",
        object_type="service_center",
        object_id=center.pk,
        summary=_center_snapshot(center),
    )
    return center


_CENTER_FIELDS = ("name", "address", "phone", "complaint_phone", "active")


@transaction.atomic
def service_center_update(*, center: ServiceCenter | int, actor: Any, **changes: Any) -> ServiceCenter:
    """Change a center's name, address, phones or ``active`` (centers are never deleted)."""
    require(actor, "masterdata.manage")
    pk = getattr(center, "pk", center)
    center = ServiceCenter.objects.select_for_update().filter(pk=pk).first()
    if center is None:
        raise NotFound("service_center.not_found", "交易服务中心不存在")
    unknown = set(changes) - set(_CENTER_FIELDS)
    if unknown:
        raise invalid(
            [FieldError("field.readonly", f"不能修改字段：{'、'.join(sorted(unknown))}", sorted(unknown)[0])]
        )
    before = _center_snapshot(center)
    for field, value in changes.items():
        setattr(center, field, bool(value) if field == "active" else _text(value))
    errors, _ = service_center_validate(name=center.name, region_code=center.region_id, instance=center)
    if errors:
        raise invalid(errors, "交易服务中心信息")
    if not center.active and center.children.filter(active=True).exists():
        raise Conflict("service_center.has_active_children", "该中心下仍有启用的分支机构，请先停用分支机构")
    change = diff(before, _center_snapshot(center))
    if not change:
        return center
    center.save(update_fields=list(changes))
    record(
        actor=actor,
        action="service_center.update",
        object_type="service_center",
        object_id=center.pk,
        summary=change,
    )
    return center


# --- supervisory departments -------------------------------------------------------------------


def _dept_snapshot(d: Department) -> dict[str, Any]:
    return {
        "name": d.name,
        "kind": d.kind,
        "region": d.region_id,
        "categories": list(d.categories),
        "phone": d.phone,
        "active": d.active,
    }


def _categories(values: Any, errors: list[FieldError]) -> list[str]:
    if isinstance(values, str):
        values = [v for v in values.replace("，", ",").split(",") if v.strip()]
    result: list[str] = []
    for v in values or []:
        v = _text(v)
        if v not in Category.values:
            errors.append(FieldError("category.unknown", f"交易类别“{v}”不存在", "categories"))
        elif v not in result:
            result.append(v)
    return result


def department_validate(
    *,
    name: str,
    kind: str,
    region_code: str,
    categories: Any,
    instance: Department | None = None,
) -> tuple[list[FieldError], dict[str, Any]]:
    errors: list[FieldError] = []
    name = _text(name)
    _check_name(name, 100, errors)
    exclude = getattr(instance, "pk", None)
    if name and Department.objects.filter(name=name).exclude(pk=exclude).exists():
        errors.append(FieldError("department.duplicate_name", f"已有名为“{name}”的监督部门", "name"))
    if kind not in DepartmentKind.values:
        errors.append(FieldError("department.kind_unknown", f"监督部门类型“{kind}”不存在", "kind"))
    region = _region(region_code, errors)
    cats = _categories(DEFAULT_CATEGORIES.get(kind, []) if categories is None else categories, errors)
    if (
        region is not None
        and kind in DepartmentKind.values
        and Department.objects.filter(region=region, kind=kind).exclude(pk=exclude).exists()
    ):
        errors.append(
            FieldError(
                "department.duplicate_kind",
                f"{region.name}已有{DepartmentKind(kind).label}部门，每级每类只设一个",
                "kind",
            )
        )
    return errors, {"region": region, "categories": cats, "name": name}


@transaction.atomic
def department_create(
    *,
    name: str,
    kind: str,
    region_code: str,
    categories: list[str] | None = None,
    phone: str = "",
    actor: Any,
) -> Department:
    """A supervisory department; ``categories`` defaults to what its kind supervises."""
    require(actor, "masterdata.manage")
    errors, clean = department_validate(name=name, kind=kind, region_code=region_code, categories=categories)
    if errors:
        raise invalid(errors, "监督部门信息")
    dept = Department.objects.create(
        name=clean["name"],
        kind=kind,
        region=clean["region"],
        categories=clean["categories"],
        phone=_text(phone),
    )
    record(
        actor=actor,
        action="department.create",
        object_type="department",
        object_id=dept.pk,
        summary=_dept_snapshot(dept),
    )
    return dept


_DEPT_FIELDS = ("name", "categories", "phone", "active")


@transaction.atomic
def department_update(*, department: Department | int, actor: Any, **changes: Any) -> Department:
    """Change a department's name, supervised categories, phone or ``active``."""
    require(actor, "masterdata.manage")
    pk = getattr(department, "pk", department)
    dept = Department.objects.select_for_update().filter(pk=pk).first()
    if dept is None:
        raise NotFound("department.not_found", "监督部门不存在")
    unknown = set(changes) - set(_DEPT_FIELDS)
    if unknown:
        raise invalid(
            [FieldError("field.readonly", f"不能修改字段：{'、'.join(sorted(unknown))}", sorted(unknown)[0])]
        )
    before = _dept_snapshot(dept)
    errors, clean = department_validate(
        name=changes.get("name", dept.name),
        kind=dept.kind,
        region_code=dept.region_id,
        categories=changes.get("categories", dept.categories),
        instance=dept,
    )
    if errors:
        raise invalid(errors, "监督部门信息")
    dept.name = clean["name"]
    dept.categories = clean["categories"]
    if "phone" in changes:
        dept.phone = _text(changes["phone"])
    if "active" in changes:
        dept.active = bool(changes["active"])
    change = diff(before, _dept_snapshot(dept))
    if not change:
        return dept
    dept.save(update_fields=list(changes))
    record(
        actor=actor, action="department.update", object_type="department", object_id=dept.pk, summary=change
    )
    return dept


# --- discipline inspection and audit bodies ---------------------------------------------------


@transaction.atomic
def oversight_body_create(*, name: str, kind: str, region_code: str, actor: Any) -> OversightBody:
    require(actor, "masterdata.manage")
    errors: list[FieldError] = []
    name = _text(name)
    _check_name(name, 100, errors)
    if name and OversightBody.objects.filter(name=name).exists():
        errors.append(FieldError("oversight_body.duplicate_name", f"已有名为“{name}”的机构", "name"))
    if kind not in OversightKind.values:
        errors.append(FieldError("oversight_body.kind_unknown", f"机构类型“{kind}”不存在", "kind"))
    region = _region(region_code, errors)
    if errors:
        raise invalid(errors, "监察审计机构信息")
    body = OversightBody.objects.create(name=name, kind=kind, region=region)
    record(
        actor=actor,
        action="oversight_body.create",
        object_type="oversight_body",
        object_id=body.pk,
        summary={"name": name, "kind": kind, "region": region.code},
    )
    return body


@transaction.atomic
def oversight_body_update(*, body: OversightBody | int, name: str, actor: Any) -> OversightBody:
    require(actor, "masterdata.manage")
    pk = getattr(body, "pk", body)
    body = OversightBody.objects.select_for_update().filter(pk=pk).first()
    if body is None:
        raise NotFound("oversight_body.not_found", "监察审计机构不存在")
    errors: list[FieldError] = []
    name = _text(name)
    _check_name(name, 100, errors)
    if name and OversightBody.objects.filter(name=name).exclude(pk=body.pk).exists():
        errors.append(FieldError("oversight_body.duplicate_name", f"已有名为“{name}”的机构", "name"))
    if errors:
        raise invalid(errors, "监察审计机构信息")
    if name == body.name:
        return body
    old, body.name = body.name, name
    body.save(update_fields=["name"])
    record(
        actor=actor,
        action="oversight_body.update",
        object_type="oversight_body",
        object_id=body.pk,
        summary={"name": [old, name]},
    )
    return body
