"""Permission checks every service and selector calls (separation of duties, seed 三(八)).

``core`` knows no app, so it asks the actor: an account implements
``has_permission(permission, obj) -> bool`` (``ggzy.accounts.policy`` holds the role matrix).
``None`` or an anonymous user has no permission. System processes (the tick, the demo loader,
migrations) pass ``SYSTEM``.
"""

from __future__ import annotations

from typing import Any

from ggzy.core.errors import NotAuthenticated, PermissionDenied


class _System:
    """The platform itself acting (scheduled work, data loading). Has every permission."""

    pk = None
    is_authenticated = True
    role = "system"

    def has_permission(self, permission: str, obj: Any = None) -> bool:
        return True

    def audit_label(self) -> str:
        return "系统"

    def __str__(self) -> str:
        return "系统"


SYSTEM = _System()

# permission -> Chinese description (shown in refusals and in the role matrix in docs/roles.md)
PERMISSIONS: dict[str, str] = {
    "entity.register": "代为注册市场主体",
    "entity.update": "修改市场主体信息",
    "entity.import": "批量导入市场主体",
    "entity.view_confidential": "查看市场主体的结算账户等非公开信息",
    "entity.manage_members": "管理本主体的经办人账户",
    "audit.view": "查阅全流程留痕记录",
    "audit.verify": "校验审计链",
    "masterdata.manage": "维护基础数据（区划、机构、人员、节假日表）",
    "calendar.load_year": "导入年度节假日安排",
    "trade.register": "登记交易项目",
    "trade.operate": "办理交易业务（登记项目、发布公告、组织开标等）",
    "trade.supervise": "监督交易（处理预警、投诉，查看监督信息）",
    "trade.read_confidential": "查看交易中的保密信息（开标前投标文件除外）",
    "rules.define": "定义其他公共资源交易方式和规则",
    "expert.apply": "申请入选评标专家库",
    "expert.manage": "管理评标专家库（审核、暂停、清退、导入导出）",
    "expert.view_pool": "查看评标专家的身份和联系信息",
    "expert.draw": "抽取评标专家",
    "expert.rate": "评价评标专家",
    "expert.penalise": "记录对评标专家的处理决定",
    "venue.manage": "管理交易场所目录（登记、检查、准入、暂停、房间）",
    "evaluation.score": "参加评标（资格审查、评分、签署评标报告；仅限本标段评标委员会成员）",
    "trade.quote": "提交报价（竞争性谈判、磋商、询价、单一来源）",
    "trade.object": "对评标结果提出异议",
}


def allowed(actor: Any, permission: str, obj: Any = None) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if not getattr(actor, "is_active", True):
        return False
    check = getattr(actor, "has_permission", None)
    return bool(check and check(permission, obj))


def holds(actor: Any, permission: str) -> bool:
    """May ``actor`` do ``permission`` on something (in any scope)? For pages that then ask which
    object; the check on the object is ``allowed`` / ``require``."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    check = getattr(actor, "holds", None)
    return bool(check and check(permission))


def require(actor: Any, permission: str, obj: Any = None) -> None:
    """Raise unless ``actor`` may do ``permission`` (on ``obj`` when the right is scoped)."""
    if allowed(actor, permission, obj):
        return
    what = PERMISSIONS[permission]
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated("auth.required", f"请先登录后再{what}")
    role = getattr(actor, "get_role_display", lambda: "当前账户")()
    raise PermissionDenied("permission.denied", f"{role}无权{what}", details={"permission": permission})
