"""Reads of the accounts app: organisations, scopes, tokens."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from ggzy.accounts.models import ApiToken, CenterLevel, Department, Role, ServiceCenter, User
from ggzy.accounts.policy import MATRIX


def user_org(user: Any) -> Any:
    """The one organisation an account belongs to (service center, department, oversight body), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        getattr(user, "service_center", None)
        or getattr(user, "department", None)
        or getattr(user, "oversight_body", None)
    )


def user_scope(user: Any) -> str:
    """Where the account's rights apply, in Chinese (shown in the console)."""
    role = getattr(user, "role", None)
    if role == Role.OPERATOR and user.service_center_id:
        center = user.service_center
        region = center.region
        if center.level == CenterLevel.PROVINCE:
            return f"全省（{region.name}）各级平台的交易项目"
        if center.level == CenterLevel.CITY:
            return f"{region.name}及所辖县（市、区）的交易项目"
        return f"{region.full_name()}的交易项目"
    if role == Role.SUPERVISOR and user.department_id:
        dept = user.department
        cats = dept.category_labels() or "（未指定类别）"
        return f"{dept.region.full_name()}范围内的{cats}项目"
    if role in (Role.INSPECTOR, Role.AUDITOR):
        return "全平台（只读，不能修改任何数据）"
    if role == Role.PLATFORM_ADMIN:
        return "基础数据（机构、人员、节假日表）；不能查看保密交易信息，不能办理或修改交易"
    if role in (Role.ENTITY_ADMIN, Role.ENTITY_MEMBER):
        return "本市场主体的信息和交易"
    if role == Role.EXPERT:
        return "被抽取参加的评标（评审）项目"
    return ""


def role_holds(role: str, permission: str) -> bool:
    """Does the role hold ``permission`` in any scope? (menus; the check itself is ``require``)."""
    return permission in MATRIX.get(role, {})


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def token_of(user: User, token_id: int) -> ApiToken | None:
    return ApiToken.objects.filter(user=user, pk=token_id).first()


def public_channels(region_prefix: str) -> tuple[list[Any], list[Any]]:
    """The service centers and the supervising departments of a region subtree (plus the
    province's), active ones only, with their public phone numbers: the service guide's
    supervision and complaint channels (seed 三(七))."""
    where = Q(region__parent__isnull=True)
    if region_prefix:
        where |= Q(region__code__startswith=region_prefix)
    centers = list(
        ServiceCenter.objects.filter(where, active=True).select_related("region").order_by("region_id")
    )
    departments = list(
        Department.objects.filter(where, active=True).select_related("region").order_by("region_id", "kind")
    )
    return centers, departments
