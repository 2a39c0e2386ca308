"""Test data for the entity registry."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from ggzy.accounts.models import Role
from ggzy.audit.models import AuditEvent
from ggzy.core import clock
from ggzy.entities import services
from ggzy.entities.models import Entity, EntityRevision, Membership
from tests import factories


def data(n: int, *, region: str = "140105", uscc_region: str = "140100", **over) -> dict:
    d = {
        "uscc": factories.valid_uscc(n, region=uscc_region),
        "name": f"山西测试建设有限公司{n}",
        "legal_representative": "张三",
        "address": "山西省太原市小店区测试路1号",
        "region_code": region,
        "contact_name": "李四",
        "contact_phone": "0351-1234567",
        "contact_email": "contact@example.cn",
        "trading_roles": ["bidder"],
        "bank_name": "中国工商银行太原分行",
        "bank_account_name": f"山西测试建设有限公司{n}",
        "bank_account_no": "0502123456789012345",
    }
    d.update(over)
    return d


def counts() -> tuple[int, int, int, int]:
    return (
        Entity.objects.count(),
        EntityRevision.objects.count(),
        AuditEvent.objects.count(),
        Membership.objects.count(),
    )


def operator():
    return factories.user(Role.OPERATOR)


def entity(n: int, **over) -> Entity:
    return services.entity_register(data=data(n, **over), actor=operator())


def member_of(entity: Entity, role: str = Role.ENTITY_ADMIN):
    """An entity account linked directly (fixture shortcut, not a service under test)."""
    u = factories.user(role)
    Membership.objects.create(user=u, entity=entity, created_at=clock.now())
    return u


ANONYMOUS = AnonymousUser()
