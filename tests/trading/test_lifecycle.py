"""The lot lifecycle table built from rule sets of the three mechanisms."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ggzy.core.errors import InvalidInput
from ggzy.trading import lifecycle
from ggzy.trading.lifecycle import DRAFT, FAILED, TERMINATED
from tests.trading.rulesets import AUCTION, NEGOTIATION, SEALED

RULESETS = [SEALED, AUCTION, NEGOTIATION]


def test_sealed_bid_table():
    t = lifecycle.transition_table(SEALED)
    assert t.statuses == (DRAFT, "notice", "bidding", "opening", "evaluation", "publicity", "awarded",
                          "contracted", TERMINATED, FAILED)  # fmt: skip
    assert t.moves[DRAFT] == ("notice", TERMINATED)
    assert t.moves["notice"] == ("bidding", TERMINATED)
    assert t.moves["bidding"] == ("opening", TERMINATED)  # before the bid deadline: cannot fail
    assert t.moves["opening"] == ("evaluation", FAILED, TERMINATED)  # entered at the bid deadline
    assert t.moves["awarded"] == ("contracted", FAILED, TERMINATED)
    assert t.moves["contracted"] == ()
    assert t.label("opening") == "开标" and t.label(FAILED) == "流标（流拍）"


def test_auction_table_fails_from_the_registration_deadline():
    t = lifecycle.transition_table(AUCTION)
    assert FAILED not in t.moves["registration"]
    assert FAILED in t.moves["closed"] and FAILED in t.moves["auction"]


def test_negotiation_table_fails_from_the_response_deadline():
    t = lifecycle.transition_table(NEGOTIATION)
    assert t.moves["responding"] == ("negotiating", TERMINATED)
    assert t.moves["negotiating"] == ("publicity", FAILED, TERMINATED)
    assert t.events["contracted"] is None


@pytest.mark.parametrize("ruleset", RULESETS, ids=lambda r: r.code)
def test_terminal_statuses_have_no_moves_out(ruleset):
    t = lifecycle.transition_table(ruleset)
    for status in (TERMINATED, FAILED, ruleset.stages[-1].code):
        assert t.is_terminal(status)
        assert t.next_statuses(status) == ()
    for status in t.statuses:
        if not t.is_terminal(status):
            assert TERMINATED in t.moves[status]


@pytest.mark.parametrize("ruleset", RULESETS, ids=lambda r: r.code)
@given(choices=st.lists(st.integers(0, 10**6), max_size=30))
def test_random_walks_stay_inside_the_table(ruleset, choices):
    t = lifecycle.transition_table(ruleset)
    status, seen = DRAFT, [DRAFT]
    for c in choices:
        nxt = t.next_statuses(status)
        if not nxt:
            break
        to = nxt[c % len(nxt)]
        lifecycle.check_move(t, status, to)  # never raises for a move from the table
        status = to
        seen.append(status)
    assert set(seen) <= set(t.statuses)
    # stages are only ever visited in order
    order = [s for s in seen if s not in (DRAFT, TERMINATED, FAILED)]
    assert order == list(ruleset.stage_codes()[: len(order)])


@pytest.mark.parametrize("ruleset", RULESETS, ids=lambda r: r.code)
@given(data=st.data())
def test_every_move_outside_the_table_is_refused(ruleset, data):
    t = lifecycle.transition_table(ruleset)
    frm = data.draw(st.sampled_from(t.statuses))
    to = data.draw(st.sampled_from(t.statuses))
    if t.allows(frm, to):
        assert lifecycle.check_move(t, frm, to) is t
    else:
        with pytest.raises(InvalidInput) as err:
            lifecycle.check_move(t, frm, to)
        assert err.value.code == "lot.illegal_transition"


def test_refusal_names_both_statuses_and_the_allowed_ones_in_chinese():
    with pytest.raises(InvalidInput) as err:
        lifecycle.check_move(SEALED, DRAFT, "opening")
    msg = err.value.message
    assert "“登记”" in msg and "“开标”" in msg and "“招标公告”" in msg and "“终止”" in msg
    assert err.value.details["allowed"] == ["notice", TERMINATED]
    with pytest.raises(InvalidInput, match="终结状态"):
        lifecycle.check_move(SEALED, TERMINATED, "notice")
    with pytest.raises(InvalidInput) as err:
        lifecycle.check_move(SEALED, DRAFT, "nonsense")
    assert err.value.code == "lot.unknown_status"
