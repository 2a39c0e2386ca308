"""Test data for the expert pool: specialties, experts and lots (built through the services where
that is what is being tested, directly otherwise)."""

from __future__ import annotations

import datetime as dt
import itertools

from ggzy.accounts.models import Role
from ggzy.core import clock
from ggzy.core.permissions import SYSTEM
from ggzy.experts import identity
from ggzy.experts.models import Expert, ExpertSpecialty, ExpertStatus
from ggzy.experts.services import specialty_import
from ggzy.trading import services as trading
from ggzy.trading.models import Lot
from tests import factories
from tests.trading import helpers as trading_helpers

SPECIALTIES_CSV = """code,name,level,parent_code
A01,规划,1,
A0101,国民经济和社会发展规划,2,A01
A010101,总体规划,3,A0101
A010102,公路,3,A0101
A010103,铁路,3,A0101
A02,工程,1,
A0201,土建,2,A02
A020101,房屋建筑,3,A0201
"""

_n = itertools.count(1)


def specialties() -> None:
    specialty_import(text=SPECIALTIES_CSV, actor=SYSTEM)


def id_number(n: int) -> str:
    return identity.make("140105", dt.date(1970, 1, 1) + dt.timedelta(days=n % 9000), n % 1000)


def expert(
    *,
    specialties=("A010101",),
    region="140105",
    employer: str | None = None,
    status=ExpertStatus.ACTIVE,
    declarations=(),
    department=None,
    user=None,
) -> Expert:
    n = next(_n)
    e = Expert.objects.create(
        code=f"T{n:08d}",
        name=f"专家{n}",
        id_number=id_number(n + 5000),
        phone=f"139{n:08d}",
        employer_uscc=employer or factories.valid_uscc(50000 + n),
        employer_name=f"测试单位{n}",
        title="高级工程师",
        years=10,
        region_code=region,
        status=status,
        applied_at=clock.now(),
        declarations=list(declarations),
        department=department,
        user=user,
    )
    ExpertSpecialty.objects.bulk_create([ExpertSpecialty(expert=e, specialty_id=s) for s in specialties])
    return e


def expert_user(e: Expert):
    u = factories.user(Role.EXPERT)
    Expert.objects.filter(pk=e.pk).update(user=u)
    e.refresh_from_db()
    return u


def operator(region: str = "140100"):
    return trading_helpers.operator(region)


def lot(op=None, **over) -> Lot:
    op = op or operator()
    project = trading.project_register(data=trading_helpers.data(**over), actor=op)
    the_lot = project.lots.get()
    Lot.objects.filter(pk=the_lot.pk).update(status="bidding")  # past the notice: draws allowed
    the_lot.refresh_from_db()
    return the_lot


def supervisor(region: str = "140100", kind: str = "housing"):
    return factories.user(Role.SUPERVISOR, department=factories.department(region, kind))
