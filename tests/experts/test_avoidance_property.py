"""Property: the eligible pool is exactly the experts that pass every avoidance rule, for random
pools, avoided organisations and region rules (an independent predicate written here)."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ggzy.core import clock
from ggzy.core.permissions import SYSTEM
from ggzy.experts import draw as drawing
from ggzy.experts import selectors, services
from tests import factories
from tests.experts import helpers

pytestmark = pytest.mark.django_db
ORGS = [factories.valid_uscc(61000 + i) for i in range(6)]
REGIONS = ["140105", "140106", "140212", "140302"]

expert_st = st.fixed_dictionaries(
    {
        "region": st.sampled_from(REGIONS),
        "employer": st.sampled_from(ORGS),
        "declared": st.none() | st.sampled_from(ORGS),
        "status": st.sampled_from(["active", "active", "active", "suspended", "retired"]),
        "penalised": st.booleans(),
        "department": st.booleans(),
        "specialties": st.lists(
            st.sampled_from(["A010101", "A010102", "A020101"]), min_size=1, max_size=3, unique=True
        ),
    }
)


@given(
    experts=st.lists(expert_st, min_size=1, max_size=12),
    avoid=st.sets(st.sampled_from(ORGS), max_size=4),
    rule=st.sampled_from(["local", "offsite", "any"]),
)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_eligible_pool_is_exactly_the_experts_passing_every_rule(experts, avoid, rule):
    helpers.specialties()
    dept = factories.department("140100", "housing")  # supervises engineering in 太原
    with transaction.atomic():
        made = []
        for spec in experts:
            e = helpers.expert(
                specialties=spec["specialties"], region=spec["region"], employer=spec["employer"],
                status=spec["status"], department=dept if spec["department"] else None,
                declarations=[{"uscc": spec["declared"], "kind": "interest"}] if spec["declared"] else [],
            )  # fmt: skip
            if spec["penalised"]:
                services.expert_penalise(
                    expert=e, reason="违规", basis="办法", starts_on=clock.today(), ends_on=None, actor=SYSTEM
                )
            made.append((e.code, spec))
        pool = selectors.eligible_pool(
            lot_region="140105", category="engineering", tenderer_uscc=ORGS[0], region_rule=rule,
            wanted=["A0101"], avoid_orgs=set(avoid),
        )  # fmt: skip
        got = {r["id"] for r in pool.rows}

        def passes(s) -> bool:
            same_city = s["region"][:4] == "1401"
            return (
                s["status"] == "active"
                and any(c.startswith("A0101") for c in s["specialties"])
                and s["employer"] not in avoid
                and s["declared"] not in avoid
                and not s["department"]
                and not s["penalised"]
                and (rule == "any" or (rule == "local") == same_city)
            )

        assert got == {code for code, s in made if passes(s)}
        # the rows come out canonical: the commitment encodes them as they are (draw.prepare_canonical)
        assert drawing.canonical_snapshot(pool.rows) == pool.rows
        crit = {"request_id": "R", "lot_region": "140105", "region_rule": rule,
                "specialties": [{"code": "A0101", "count": 1}], "avoid_orgs": sorted(avoid)}  # fmt: skip
        assert drawing.prepare_canonical(pool.rows, crit) == drawing.prepare(pool.rows, crit)
        transaction.set_rollback(True)
