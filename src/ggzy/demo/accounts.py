"""The demo's accounts: one per role. Development only (the loader refuses production)."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from ggzy.crypto.sm import sm3

PASSWORD = "Ggzy-Demo-2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    org: str  # what the account belongs to, described for the loader

    @property
    def totp_secret(self) -> str:
        """A fixed secret per demo account (so printed secrets stay valid across runs); staff only."""
        if self.role in ("entity_admin", "entity_member"):
            return ""
        return base64.b32encode(sm3(f"ggzy-demo-totp:{self.username}".encode())[:20]).decode()


ACCOUNTS = [
    DemoAccount("admin", "平台管理员", "platform_admin", ""),
    DemoAccount("operator", "太原中心经办人", "operator", "center:140100"),
    DemoAccount("operator_sx", "省中心经办人", "operator", "center:140000"),
    DemoAccount("supervisor", "太原市财政局监督员", "supervisor", "department:140100:finance"),
    DemoAccount("supervisor_zj", "省住建厅监督员", "supervisor", "department:140000:housing"),
    DemoAccount("inspector", "省纪委监委监察员", "inspector", "oversight:140000:inspection"),
    DemoAccount("auditor", "省审计厅审计员", "auditor", "oversight:140000:audit"),
    DemoAccount("expert", "评标专家", "expert", ""),
    DemoAccount("entity_admin", "主体管理员", "entity_admin", "entity:first-bidder"),
    DemoAccount("entity_member", "主体经办人", "entity_member", "entity:first-bidder"),
]


def banner_lines() -> list[str]:
    """Printed by ``ggzy serve`` when the demo is loaded: one login per role."""
    from django.contrib.auth import get_user_model
    from django.db.utils import DatabaseError

    User = get_user_model()
    try:
        present = {u.username: u for u in User.objects.filter(username__in=[a.username for a in ACCOUNTS])}
    except DatabaseError:
        return []
    if not present:
        return []
    lines = [
        f"演示账户（密码均为 {PASSWORD}；员工和专家登录需动态口令，可把密钥加入任一 TOTP 验证器，"
        "或运行 .venv/bin/ggzy demo totp 用户名 获取当前口令）："
    ]
    for a in ACCOUNTS:
        u = present.get(a.username)
        if u is None:
            continue
        secret = f"  动态口令密钥 {a.totp_secret}" if a.totp_secret else ""
        lines.append(f"  {u.get_role_display():<12} {a.username:<14}{secret}")
    return lines
