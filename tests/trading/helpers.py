"""Test data for trade projects: entities with trading roles, operators and registration data."""

from __future__ import annotations

from ggzy.accounts.models import Role
from ggzy.audit.models import AuditEvent
from ggzy.core import clock
from ggzy.entities import services as entity_services
from ggzy.entities.models import Entity, Membership
from ggzy.supervision.models import Warning
from ggzy.trading.models import Lot, LotTransition, Project
from tests import factories

TENDERER_N = 101
AGENCY_N = 102
TRANSFEROR_N = 103
BIDDER_N = 104


def operator(region: str = "140100"):
    return factories.user(Role.OPERATOR, service_center=factories.service_center(region))


def entity(n: int, roles: list[str], name: str | None = None) -> Entity:
    uscc = factories.valid_uscc(n)
    found = Entity.objects.filter(uscc=uscc).first()
    if found:
        return found
    return entity_services.entity_register(
        data={
            "uscc": uscc,
            "name": name or f"山西测试单位{n}",
            "legal_representative": "张三",
            "address": "山西省太原市小店区测试路1号",
            "region_code": "140105",
            "contact_name": "李四",
            "contact_phone": "0351-1234567",
            "trading_roles": roles,
        },
        actor=factories.user(Role.OPERATOR, service_center=factories.service_center("140100")),
    )


def tenderer() -> Entity:
    return entity(TENDERER_N, ["tenderer"], "太原市测试建设投资有限公司")


def agency() -> Entity:
    return entity(AGENCY_N, ["agency"], "山西测试招标代理有限公司")


def transferor() -> Entity:
    return entity(TRANSFEROR_N, ["transferor"], "太原市自然资源测试中心")


def member_of(ent: Entity, role: str = Role.ENTITY_MEMBER):
    u = factories.user(role)
    Membership.objects.create(user=u, entity=ent, created_at=clock.now())
    return u


def data(**over) -> dict:
    d = {
        "name": "太原市测试道路改造工程",
        "ruleset_code": "engineering.open_tendering",
        "region_code": "140105",
        "tenderer_uscc": tenderer().uscc,
        "service_center": factories.service_center("140100").pk,
        "estimate": "5000000.00",
        "item_kind": "works",
        "public_funded": True,
    }
    d.update(over)
    return d


def counts() -> tuple[int, ...]:
    return (
        Project.objects.count(),
        Lot.objects.count(),
        LotTransition.objects.count(),
        AuditEvent.objects.count(),
        Warning.objects.count(),
    )
