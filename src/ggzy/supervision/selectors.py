"""Reads of electronic supervision: the warnings a supervisor may see and handle."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from ggzy.core.errors import NotFound
from ggzy.core.permissions import allowed, require
from ggzy.core.regions import region_prefix
from ggzy.supervision.models import Warning


def warnings_for(user: Any, *, open_only: bool = True) -> QuerySet[Warning]:
    """Warnings in the supervisor's region subtree and categories (none for anyone else)."""
    dept = getattr(user, "department", None) if getattr(user, "is_authenticated", False) else None
    if dept is None or not getattr(user, "is_active", False) or getattr(user, "role", "") != "supervisor":
        return Warning.objects.none()
    qs = Warning.objects.filter(region_code__startswith=region_prefix(dept.region_id))
    qs = qs.filter(category__in=list(dept.categories))
    if open_only:
        qs = qs.filter(handled_at__isnull=True)
    return qs.order_by("-raised_at", "-id")


def open_warnings_for(user: Any) -> QuerySet[Warning]:
    return warnings_for(user, open_only=True)


def warning_get(pk: int, viewer: Any) -> Warning:
    found = Warning.objects.filter(pk=pk).first()
    if found is None or not allowed(viewer, "trade.supervise", found):
        if found is not None:
            require(viewer, "trade.supervise", found)
        raise NotFound("warning.not_found", f"未找到编号为{pk}的预警")
    return found


def warnings_of_project(project_ref: str) -> QuerySet[Warning]:
    return Warning.objects.filter(Q(project_ref=project_ref)).order_by("-raised_at")
