"""Integration with the rules app: the shipped rule sets, the mandatory scope and the splitting check."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ggzy.supervision.models import Warning
from ggzy.trading import lifecycle, selectors, services
from ggzy.trading.models import Project
from tests.trading import helpers

pytestmark = pytest.mark.django_db


def test_every_shipped_rule_set_gives_a_sound_table(real_rules):
    for rs in real_rules:
        t = lifecycle.transition_table(rs)
        assert t.moves[lifecycle.DRAFT][0] == rs.stages[0].code
        assert t.is_terminal(rs.stages[-1].code), rs.code
        # the lot can fail somewhere, and never before the first stage
        assert any(lifecycle.FAILED in t.moves[s] for s in rs.stage_codes()), rs.code
        assert lifecycle.FAILED not in t.moves[rs.stages[0].code] or len(rs.stages) <= 2, rs.code


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_walks_on_shipped_tables(real_rules, data):
    rs = data.draw(st.sampled_from(real_rules))
    t = lifecycle.transition_table(rs)
    status = lifecycle.DRAFT
    for _ in range(len(t.statuses) + 2):
        nxt = t.next_statuses(status)
        if not nxt:
            assert t.is_terminal(status)
            break
        status = data.draw(st.sampled_from(nxt))
        assert status in t.statuses


def test_a_project_on_a_shipped_rule_set_walks_to_its_contract(real_rules):
    op = helpers.operator()
    project = services.project_register(data=helpers.data(), actor=op)
    rs = selectors.ruleset_effective("engineering.open_tendering", dt.date.today())
    assert (project.ruleset_code, project.ruleset_version) == (rs.code, rs.version)
    lot = project.lots.get()
    for stage in rs.stage_codes():
        lot = services.lot_transition(lot=lot, to=stage, actor=op, expected_version=lot.version)
    assert Project.objects.get(pk=project.pk).status == "closed"


def test_unknown_rule_set_code_from_the_rules_app(real_rules):
    from ggzy.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as err:
        services.project_register(
            data=helpers.data(ruleset_code="engineering.nothing"), actor=helpers.operator()
        )
    assert err.value.code == "rules.not_found"


def test_mandatory_scope_is_decided_and_recorded(real_rules):
    op = helpers.operator()
    big = services.project_register(data=helpers.data(estimate="5000000"), actor=op)
    small = services.project_register(data=helpers.data(estimate="1000000", item_kind="works"), actor=op)
    assert big.mandatory is True and "400" in big.mandatory_basis
    assert small.mandatory is False


def test_splitting_with_the_shipped_scope_warns_the_supervisors(real_rules):
    op = helpers.operator()
    with time_machine.travel(dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC), tick=False):
        first = services.project_register(data=helpers.data(name="道路一期", estimate="3900000"), actor=op)
    with time_machine.travel(dt.datetime(2026, 3, 20, 2, tzinfo=dt.UTC), tick=False):
        second = services.project_register(data=helpers.data(name="道路二期", estimate="3800000"), actor=op)
    warning = Warning.objects.get()
    assert warning.project_ref == second.code and first.code in warning.message_zh
    assert "化整为零" in warning.message_zh and warning.details["projects"] == [first.code, second.code]
    # far apart (beyond the 90-day window): no new warning
    with time_machine.travel(dt.datetime(2026, 12, 1, 2, tzinfo=dt.UTC), tick=False):
        services.project_register(data=helpers.data(name="道路三期", estimate="3900000"), actor=op)
    assert Warning.objects.count() == 1
