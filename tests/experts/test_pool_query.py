"""The eligible pool's one candidate statement (selectors._candidates): the penalty periods and the
committees of the same tenderer as EXISTS in the statement, the specialty codes as one text
parameter on PostgreSQL; and the request's specialty codes read once (draw_commit). Run on the
database GGZY_DATABASE_URL names (CI runs both)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test.utils import CaptureQueriesContext

from ggzy.core import clock
from ggzy.crypto import sealing
from ggzy.experts import draw as drawing
from ggzy.experts import selectors, services
from ggzy.experts.models import Committee, CommitteeMember, Draw, DrawStatus, ExpertPenalty
from tests import factories
from tests.experts import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _specialties():
    helpers.specialties()


def _pool(tenderer: str, wanted=("A0101",)) -> set[str]:
    pool = selectors.eligible_pool(
        lot_region="140105", category="engineering", tenderer_uscc=tenderer, region_rule="any",
        wanted=list(wanted), avoid_orgs=set(),
    )  # fmt: skip
    return {r["id"] for r in pool.rows}


def _penalise(e, starts_on: dt.date, ends_on: dt.date | None) -> None:
    ExpertPenalty.objects.create(
        expert=e, reason="违规", basis="办法", starts_on=starts_on, ends_on=ends_on,
        recorded_by_label="测试", at=clock.now(),
    )  # fmt: skip


def test_only_a_penalty_running_today_excludes():
    today = clock.today()
    day = dt.timedelta(days=1)
    running = helpers.expert()
    open_ended = helpers.expert()
    ends_today = helpers.expert()
    expired = helpers.expert()
    future = helpers.expert()
    clean = helpers.expert()
    _penalise(running, today - day, today + day)
    _penalise(open_ended, today - 10 * day, None)
    _penalise(ends_today, today - day, today)
    _penalise(expired, today - 10 * day, today - day)
    _penalise(future, today + day, None)
    got = _pool(factories.valid_uscc(7001))
    assert got == {expired.code, future.code, clean.code}


def _committee(tenderer: str, members, formed_at: dt.datetime) -> None:
    """A committee for a draw of ``tenderer`` (rows written directly: the committee rule must hold
    even where no invitation of the expert is left, e.g. rows migrated from an older system)."""
    lot = helpers.lot(tenderer_uscc=tenderer) if tenderer else helpers.lot()
    n = Draw.objects.count() + 1
    d = Draw.objects.create(
        code=f"{lot.code}-Z{n:02d}", lot=lot, lot_code=lot.code, tenderer_uscc=lot.project.tenderer_uscc,
        region_rule="any", wanted=[], status=DrawStatus.FORMED, operator_label="测试", pool_size=0,
        commitment="00" * 32, committed_at=formed_at, commit_seq=0,
    )  # fmt: skip
    c = Committee.objects.create(lot=lot, draw=d, formed_at=formed_at, formed_by_label="测试")
    CommitteeMember.objects.bulk_create(
        [CommitteeMember(committee=c, expert=e, specialty_code="A010101") for e in members]
    )


def test_a_committee_seat_for_the_same_tenderer_within_n_days_excludes(settings):
    from tests.trading import helpers as th

    tenderer = th.entity(130, ["tenderer"]).uscc
    other = th.entity(131, ["tenderer"]).uscc
    recent, old, for_other, clean = (helpers.expert() for _ in range(4))
    now = clock.now()
    days = settings.GGZY_EXPERT_SAME_TENDERER_DAYS
    _committee(tenderer, [recent], now - dt.timedelta(days=days - 1))
    _committee(tenderer, [old], now - dt.timedelta(days=days + 1))
    _committee(other, [for_other], now - dt.timedelta(days=1))
    assert _pool(tenderer) == {old.code, for_other.code, clean.code}
    assert _pool(other) == {recent.code, old.code, clean.code}


def test_a_wide_code_reaches_every_code_below_it_in_one_statement():
    below = [helpers.expert(specialties=(c,)) for c in ("A010101", "A010102", "A010103")]
    outside = helpers.expert(specialties=("A020101",))
    both = helpers.expert(specialties=("A010101", "A010103", "A020101"))
    pool = selectors.eligible_pool(
        lot_region="140105", category="engineering", tenderer_uscc=factories.valid_uscc(7002),
        region_rule="any", wanted=["A01"], avoid_orgs=set(),
    )  # fmt: skip
    rows = {r["id"]: r for r in pool.rows}
    assert set(rows) == {e.code for e in below} | {both.code}
    assert outside.code not in rows
    assert rows[both.code]["specialties"] == ["A010101", "A010103"]  # the wanted ones, sorted
    assert drawing.canonical_snapshot(pool.rows) == pool.rows


def test_draw_commit_reads_the_specialty_codes_once_and_snapshots_canonical_rows():
    from django.db import connection

    op = helpers.operator()
    lot = helpers.lot(op)
    experts = [helpers.expert(specialties=("A010101", "A010102")) for _ in range(4)]
    with CaptureQueriesContext(connection) as q:
        d = services.draw_commit(
            lot=lot, region_rule="any", wanted=[{"code": "A0101", "count": 2, "reserves": 1}], actor=op
        )
    specialty_reads = [x["sql"] for x in q.captured_queries if "experts_specialty" in x["sql"]]
    assert len(specialty_reads) == 1, specialty_reads
    snapshot = sealing.unseal(d.sealed_snapshot, context=selectors.snapshot_context(d))
    rows = drawing.canonical_snapshot(
        {
            "id": e.code,
            "region": e.region_code,
            "specialties": ["A010101", "A010102"],
            "orgs": [e.employer_uscc],
        }
        for e in experts
    )
    assert snapshot == drawing.canonical(rows)  # the sealed bytes are the canonical JSON
    d = services.draw_run(draw=d, actor=op)
    result = sealing.unseal_json(d.sealed_result, context=selectors.result_context(d))
    assert len(result["selected"]["A0101"]) == 2 and len(result["reserves"]["A0101"]) == 1


def test_an_unknown_code_is_still_refused_with_the_merged_read():
    from ggzy.core.errors import InvalidInput

    op = helpers.operator()
    lot = helpers.lot(op)
    with pytest.raises(InvalidInput) as err:
        services.draw_commit(lot=lot, region_rule="any", wanted=[{"code": "A0109", "count": 1}], actor=op)
    assert [e.code for e in err.value.errors] == ["draw.unknown_specialty"]
    with pytest.raises(InvalidInput) as err:  # LIKE wildcards in a code match nothing
        services.draw_commit(lot=lot, region_rule="any", wanted=[{"code": "A01%", "count": 1}], actor=op)
    assert [e.code for e in err.value.errors] == ["draw.unknown_specialty"]
    assert not Draw.objects.exists()


def test_prepare_canonical_refuses_rows_out_of_order():
    rows = [{"id": "B", "region": "140105", "specialties": [], "orgs": []},
            {"id": "A", "region": "140105", "specialties": [], "orgs": []}]  # fmt: skip
    crit = {"request_id": "R", "lot_region": "140105", "region_rule": "any", "specialties": []}
    with pytest.raises(ValueError):
        drawing.prepare_canonical(rows, crit)
