"""Reads of the market-entity registry and who may see what.

Public: name, USCC, kind, legal representative, address, region, trading roles, qualifications and
status (seed 三(五): open by default). Confidential, only with ``entity.view_confidential`` for that
entity: the settlement account, the contact person's phone and e-mail, and the revision history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from ggzy.core import clock, uscc
from ggzy.core.errors import DomainError, FieldError, NotFound
from ggzy.core.permissions import allowed, require
from ggzy.entities import services, validation
from ggzy.entities.models import Entity, EntityRevision, EntityStatus, Membership, Qualification


def entity_get(code: str) -> Entity:
    found = Entity.objects.filter(uscc=uscc.normalise(code or "")).first()
    if found is None:
        raise NotFound("entity.not_found", f"未找到统一社会信用代码为“{code}”的市场主体")
    return found


def can_view_confidential(viewer: Any, entity: Entity) -> bool:
    return allowed(viewer, "entity.view_confidential", entity)


def can_update(viewer: Any, entity: Entity) -> bool:
    return allowed(viewer, "entity.update", entity)


def can_manage_members(viewer: Any, entity: Entity) -> bool:
    return allowed(viewer, "entity.manage_members", entity)


def region_names() -> dict[str, str]:
    """Full names of the platform's regions (山西省太原市小店区) and of other provinces by prefix."""
    from ggzy.core.models import Region

    rows = {
        code: (name, parent) for code, name, parent in Region.objects.values_list("code", "name", "parent_id")
    }
    names: dict[str, str] = {}
    for code in rows:
        parts, node = [], code
        while node is not None and node in rows:
            parts.append(rows[node][0])
            node = rows[node][1]
        names[code] = "".join(reversed(parts))
    return names


def region_label(code: str, names: dict[str, str] | None = None) -> str:
    names = region_names() if names is None else names
    if code in names:
        return names[code]
    if code in validation.SHANXI_ABOLISHED:
        return validation.SHANXI_ABOLISHED[code]
    province = uscc.PROVINCES.get(code[:2], "")
    return f"{province}（{code}）" if province else code


# --- qualifications --------------------------------------------------------------------------
QUALIFICATION_STATUS = {
    "valid": "有效",
    "expired": "已过期",
    "not_yet_valid": "未生效",
    "withdrawn": "已撤回",
}


def qualification_status(q: Qualification, today=None) -> str:
    today = today or clock.today()
    if q.withdrawn:
        return "withdrawn"
    if q.valid_from > today:
        return "not_yet_valid"
    if q.valid_until is not None and q.valid_until < today:
        return "expired"
    return "valid"


def qualifications(entity: Entity) -> list[dict[str, Any]]:
    today = clock.today()
    out = []
    for q in entity.qualifications.order_by("withdrawn", "name", "id"):
        status = qualification_status(q, today)
        out.append(
            {
                "id": q.pk,
                "name": q.name,
                "certificate_no": q.certificate_no,
                "grade": q.grade,
                "issuer": q.issuer,
                "valid_from": q.valid_from,
                "valid_until": q.valid_until,
                "status": status,
                "status_label": QUALIFICATION_STATUS[status],
            }
        )
    return out


# --- views of an entity ----------------------------------------------------------------------
def public_view(
    entity: Entity, *, with_qualifications: bool = True, names: dict[str, str] | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "uscc": entity.uscc,
        "name": entity.name,
        "kind": entity.kind,
        "legal_representative": entity.legal_representative,
        "address": entity.address,
        "region_code": entity.region_code,
        "region_name": region_label(entity.region_code, names),
        "trading_roles": list(entity.trading_roles),
        "trading_role_labels": [validation.ROLE_LABELS[r] for r in entity.trading_roles],
        "status": entity.status,
        "status_label": entity.get_status_display(),
        "registered_at": entity.registered_at,
        "version": entity.version,
    }
    if with_qualifications:
        data["qualifications"] = qualifications(entity)
    return data


def confidential_view(entity: Entity, viewer: Any) -> dict[str, Any] | None:
    """The confidential fields, or None when ``viewer`` may not see them."""
    if not can_view_confidential(viewer, entity):
        return None
    return {
        "contact_name": entity.contact_name,
        "contact_phone": entity.contact_phone,
        "contact_email": entity.contact_email,
        "bank_name": entity.bank_name,
        "bank_account_name": entity.bank_account_name,
        "bank_account_no": entity.bank_account_no,
        "channel": entity.channel,
        "channel_label": entity.get_channel_display(),
        "updated_at": entity.updated_at,
    }


def public_list(entities) -> list[dict[str, Any]]:
    """Public views of many entities (one region lookup for all)."""
    names = region_names()
    return [public_view(e, with_qualifications=False, names=names) for e in entities]


def entity_detail(entity: Entity, viewer: Any) -> dict[str, Any]:
    data = public_view(entity)
    data["confidential"] = confidential_view(entity, viewer)
    return data


def entity_revisions(entity: Entity, viewer: Any) -> QuerySet[EntityRevision]:
    """The entity's history, newest first (confidential: it holds old account numbers)."""
    require(viewer, "entity.view_confidential", entity)
    return entity.revisions.order_by("-version")


# --- search ----------------------------------------------------------------------------------
def entity_search(
    *,
    q: str = "",
    region: str = "",
    role: str = "",
    status: str | None = EntityStatus.ACTIVE,
) -> QuerySet[Entity]:
    """Name or USCC contains ``q``; region code starts with ``region`` (140000 -> 14, 140100 -> 1401)."""
    qs = Entity.objects.all()
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc__icontains=uscc.normalise(q)))
    region = (region or "").strip()
    if region:
        prefix = region
        if len(region) == 6 and region.isdigit():
            prefix = region.rstrip("0") if region.endswith("00") else region
            if len(prefix) % 2:
                prefix += "0"
        qs = qs.filter(region_code__startswith=prefix)
    if role:
        # JSON list membership, portable across SQLite and PostgreSQL
        qs = qs.filter(trading_roles__icontains=f'"{role}"')
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("name", "uscc")


def members(entity: Entity, viewer: Any) -> QuerySet[Membership]:
    require(viewer, "entity.manage_members", entity)
    return entity.memberships.select_related("user").order_by("-active", "created_at")


def entity_of_user(user: Any) -> Entity | None:
    """The entity an account acts for (active membership), if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    m = Membership.objects.filter(user_id=user.pk, active=True).select_related("entity").first()
    return m.entity if m else None


# --- USCC check ------------------------------------------------------------------------------
@dataclass(frozen=True)
class UsccCheck:
    code: str
    valid: bool
    problems: list[FieldError]
    parts: list[dict[str, str]]
    registered: dict[str, str] | None


def uscc_check(raw: str) -> UsccCheck:
    """Validate a code and explain it: every problem (stable code, Chinese message) or its parts."""
    ctx = services.region_context()
    code = uscc.normalise(raw or "")
    try:
        info = validation.validate_uscc(code, ctx)
    except DomainError as exc:
        return UsccCheck(code, False, exc.errors or [FieldError(exc.code, exc.message, "uscc")], [], None)
    region_name = ctx.label(info.region_code)
    if info.region_code in ctx.home_abolished:
        region_name += "（已撤销的区划，旧证书沿用）"
    parts = [
        {"position": "第1位", "value": code[0], "meaning": f"登记管理部门：{info.authority}"},
        {"position": "第2位", "value": code[1], "meaning": f"机构类别：{info.category}"},
        {
            "position": "第3–8位",
            "value": info.region_code,
            "meaning": f"登记管理机关行政区划：{region_name or info.province}",
        },
        {"position": "第9–17位", "value": info.organisation_code, "meaning": "主体标识码（组织机构代码）"},
        {"position": "第18位", "value": code[17], "meaning": "校验码（正确）"},
    ]
    existing = Entity.objects.filter(uscc=code).first()
    registered = {"uscc": existing.uscc, "name": existing.name} if existing else None
    return UsccCheck(code, True, [], parts, registered)
