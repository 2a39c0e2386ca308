"""Template context for every page: site name, server time, and the console menu by role."""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from ggzy.accounts import secondfactor
from ggzy.accounts.models import Role
from ggzy.accounts.selectors import role_holds, user_org
from ggzy.core import clock

# (label, url name, who sees it: a permission held in any scope, a set of roles, or None for everyone)
MENU: list[tuple[str, str, str | set | None]] = [
    ("市场主体管理", "entities:console_list", "entity.register"),
    ("批量导入市场主体", "entities:import", "entity.import"),
    ("交易项目办理", "trading:console_list", "trade.register"),
    ("登记交易项目", "trading:register", "trade.register"),
    ("投标公钥", "tendering:keys", "entity.manage_members"),
    ("预警处理", "supervision:warnings", "trade.supervise"),
    ("评标专家库", "experts:console_pool", "expert.view_pool"),
    ("专家抽取", "experts:console_draws", "expert.draw"),
    ("申请入选专家库", "experts:apply", "expert.apply"),
    ("我的抽取通知", "experts:invitations", "expert.apply"),
    ("交易场所目录管理", "venues:console_list", "venue.manage"),
    ("开标评标场所预约", "venues:console_bookings", "trade.operate"),
    ("保证金管理", "deposits:console", "trade.operate"),
    ("拍卖挂牌办理", "auctions:console", "trade.operate"),
    ("拍卖挂牌监督", "auctions:console", "trade.supervise"),
    ("评标室", "evaluation:mine", "evaluation.score"),
    ("评标与定标办理", "evaluation:mine", "trade.operate"),
    ("评标监督", "evaluation:mine", "trade.supervise"),
    ("我的保证金", "deposits:mine", {Role.ENTITY_MEMBER, Role.ENTITY_ADMIN}),
    ("保证金监督", "deposits:console", "trade.supervise"),
    ("全流程留痕", "audit:trail", "audit.view"),
    ("节假日安排导入", "core:holiday_load", "calendar.load_year"),
    ("基础数据管理", "admin:index", {Role.PLATFORM_ADMIN}),
    ("接口访问令牌", "accounts:tokens", None),
    ("动态口令", "accounts:totp", "second_factor"),
    ("修改密码", "accounts:password_change", None),
]


def _visible(user, who) -> bool:
    if who is None:
        return True
    if who == "second_factor":
        return user.needs_second_factor
    if isinstance(who, set):
        return user.role in who
    return role_holds(user.role, who)


def console_menu(user) -> list[dict[str, str]]:
    """Menu items the account may use; pages not built yet (no URL) are left out."""
    items = []
    for label, name, who in MENU:
        if not _visible(user, who):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url})
    return items


def site(request):
    context = {
        "platform_name": settings.GGZY_SITE_NAME,
        "site_name": settings.GGZY_SITE_NAME,  # Django auth views override this one with the host name
        "server_time": clock.local_now(),
        "accelerated_clock": clock.is_accelerated(),
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and not secondfactor.is_pending(request):
        context["console_menu"] = console_menu(user)
        context["user_org"] = user_org(user)
    return context
