"""The role matrix: which role may do what, and where (seed 三(八): service, management and
supervision kept apart; inspectors and auditors read everything and change nothing; the platform
administrator keeps master data only and can neither read confidential trade data nor change a trade).

Scoped rights take an ``obj`` that may carry:
- ``region_code``: the region the object belongs to (a project's region; an entity has none that
  limits service: it registered once and is recognised everywhere, seed 三(六)),
- ``category``: the trade category,
- ``uscc``: the entity it belongs to.
Scope checks read these with ``getattr`` so any object (model or plain record) can be checked.
"""

from __future__ import annotations

from typing import Any

from ggzy.accounts.models import Role

ALL = "all"  # a right without scope
OWN_ENTITY = "own_entity"  # only for the account's own entity
PLATFORM_SCOPE = "platform"  # objects in the service center's region subtree
SUPERVISION_SCOPE = "supervision"  # objects in the department's region subtree and categories

MATRIX: dict[str, dict[str, str]] = {
    Role.ENTITY_MEMBER: {
        "entity.view_confidential": OWN_ENTITY,
        # a tenderer's or agency's own projects (trading checks the tenderer and the agency)
        "trade.register": OWN_ENTITY,
        "trade.quote": OWN_ENTITY,
        "trade.object": OWN_ENTITY,
    },
    Role.ENTITY_ADMIN: {
        "entity.update": OWN_ENTITY,
        "entity.view_confidential": OWN_ENTITY,
        "entity.manage_members": OWN_ENTITY,
        "trade.register": OWN_ENTITY,
        "trade.quote": OWN_ENTITY,
        "trade.object": OWN_ENTITY,
    },
    Role.EXPERT: {"expert.apply": ALL, "evaluation.score": ALL},
    Role.OPERATOR: {
        # Any platform's counter may register or correct an entity for it: one registry, no
        # city-by-city re-registration (seed 三(六)).
        "entity.register": ALL,
        "entity.update": ALL,
        "entity.import": ALL,
        "entity.view_confidential": ALL,
        "trade.register": PLATFORM_SCOPE,
        "trade.operate": PLATFORM_SCOPE,
        "trade.read_confidential": PLATFORM_SCOPE,
        # one province-wide pool (seed 三(四)): any platform's staff keep it; draws and ratings
        # are for the platform's own lots
        "expert.manage": ALL,
        "expert.view_pool": ALL,
        "expert.draw": PLATFORM_SCOPE,
        "expert.rate": PLATFORM_SCOPE,
        "venue.manage": ALL,
    },
    Role.SUPERVISOR: {
        "entity.view_confidential": ALL,
        "expert.view_pool": ALL,
        "expert.rate": SUPERVISION_SCOPE,
        "expert.penalise": ALL,
        "audit.view": SUPERVISION_SCOPE,
        "trade.supervise": SUPERVISION_SCOPE,
        "trade.read_confidential": SUPERVISION_SCOPE,
    },
    Role.INSPECTOR: {
        "entity.view_confidential": ALL,
        "expert.view_pool": ALL,
        "audit.view": ALL,
        "audit.verify": ALL,
        "trade.read_confidential": ALL,
    },
    Role.AUDITOR: {
        "entity.view_confidential": ALL,
        "expert.view_pool": ALL,
        "audit.view": ALL,
        "audit.verify": ALL,
        "trade.read_confidential": ALL,
    },
    Role.PLATFORM_ADMIN: {
        "masterdata.manage": ALL,
        "calendar.load_year": ALL,
        "audit.verify": ALL,
        "rules.define": ALL,
    },
}


def region_within(region_code: str, scope_code: str) -> bool:
    """Is ``region_code`` the scope region or below it? (GB/T 2260: 140000 ⊃ 140100 ⊃ 140105)."""
    if not region_code or not scope_code:
        return False
    if scope_code.endswith("0000"):
        return region_code[:2] == scope_code[:2]
    if scope_code.endswith("00"):
        return region_code[:4] == scope_code[:4]
    return region_code == scope_code


def has_permission(user: Any, permission: str, obj: Any = None) -> bool:
    scope = MATRIX.get(user.role, {}).get(permission)
    if scope is None:
        return False
    if scope == ALL:
        return True
    if scope == OWN_ENTITY:
        own = own_entity_uscc(user)
        return bool(own) and obj is not None and getattr(obj, "uscc", None) == own
    if obj is None:
        return False  # a scoped right needs the object to check; "any" is not implied
    region = getattr(obj, "region_code", "") or ""
    if scope == PLATFORM_SCOPE:
        center = user.service_center
        return center is not None and region_within(region, center.region_id)
    if scope == SUPERVISION_SCOPE:
        dept = user.department
        if dept is None or not region_within(region, dept.region_id):
            return False
        category = getattr(obj, "category", None)
        return category is None or category in dept.categories
    return False


def own_entity_uscc(user: Any) -> str:
    membership = getattr(user, "membership", None) if hasattr(user, "membership") else None
    if membership is None or not membership.active:
        return ""
    return membership.entity.uscc


def permissions_of(role: str) -> dict[str, str]:
    return dict(MATRIX.get(role, {}))
