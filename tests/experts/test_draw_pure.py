"""The pure draw module: determinism, verification rejects any change, rules, uniformity."""

from __future__ import annotations

import copy
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from ggzy.crypto.sm import sm3
from ggzy.experts import draw

SPECS = ["A010101", "A010102", "A020101"]
AVOID = "91140100MA0000001X"


def pool(n: int, seed: int = 0) -> list[dict]:
    """Snapshot rows that meet ``criteria()`` (each holds A010101 or A020101)."""
    rows = []
    for i in range(n):
        h = sm3(f"{seed}:{i}".encode())
        rows.append(
            {
                "id": f"E{i:05d}",
                "region": ["140105", "140202", "140302"][h[0] % 3],
                "specialties": sorted({SPECS[h[1] % 3], ["A010101", "A020101"][h[2] % 2]}),
                "orgs": [f"ORG{h[3] % 7}"],
            }
        )
    return rows


def criteria(**over) -> dict:
    c = {
        "request_id": "L1-Z01",
        "lot_region": "140105",
        "region_rule": "any",
        "specialties": [
            {"code": "A010101", "count": 2, "reserves": 1},
            {"code": "A0201", "count": 1, "reserves": 1},
        ],
        "avoid_orgs": [AVOID],
    }
    c.update(over)
    return c


def revealed(seed: bytes, rows, crit, public="ab" * 32, declined=()) -> dict:
    alloc = draw.run(seed=seed, public_value=public, snapshot=rows, criteria=crit, declined=declined)
    return draw.export(
        request_id=crit["request_id"], seed=seed, public_value=public, snapshot=rows, criteria=crit,
        declined=declined, commitment_hex=draw.commitment(seed, rows, crit), allocation=alloc,
    )  # fmt: skip


seeds = st.binary(min_size=32, max_size=32)
publics = st.binary(min_size=32, max_size=32).map(bytes.hex)


@given(seed=seeds, public=publics, n=st.integers(20, 60))
@settings(max_examples=40, deadline=None)
def test_the_draw_is_deterministic_and_independent_of_row_order(seed, public, n):
    rows = pool(n)
    a = draw.run(seed=seed, public_value=public, snapshot=rows, criteria=criteria())
    b = draw.run(seed=seed, public_value=public, snapshot=list(reversed(rows)), criteria=criteria())
    assert a == b
    assert draw.verify(revealed(seed, rows, criteria(), public)).ok


@given(seed=seeds, public=publics, flip=st.integers(0, 255))
@settings(max_examples=40, deadline=None)
def test_any_changed_seed_or_public_value_is_rejected(seed, public, flip):
    rec = revealed(seed, pool(40), criteria(), public)
    bad = dict(rec)
    changed = bytearray(seed)
    changed[flip % 32] ^= 1 + flip % 255
    bad["seed"] = bytes(changed).hex()
    assert not draw.verify(bad).ok
    bad = dict(rec)
    pv = bytearray.fromhex(public)
    pv[flip % 32] ^= 1
    bad["public_value"] = pv.hex()
    v = draw.verify(bad)
    # the commitment still opens (it does not cover the public value) but the committee differs,
    # except in the rare case where the changed order gives the same committee
    assert not v.ok or v.selected == rec["selected"]


@given(seed=seeds, i=st.integers(0, 39), field=st.sampled_from(["id", "region", "specialties", "orgs"]))
@settings(max_examples=60, deadline=None)
def test_any_changed_snapshot_row_is_rejected(seed, i, field):
    rows = pool(40)
    rec = revealed(seed, rows, criteria())
    bad = copy.deepcopy(rec)
    row = bad["snapshot"][i]
    row[field] = {"id": "X99999", "region": "140999", "specialties": ["A010103"], "orgs": ["ORGX"]}[field]
    v = draw.verify(bad)
    assert not v.ok and any("承诺值不符" in p for p in v.problems)


@given(seed=seeds)
@settings(max_examples=30, deadline=None)
def test_a_changed_order_or_committee_is_rejected(seed):
    rec = revealed(seed, pool(40), criteria())
    bad = copy.deepcopy(rec)
    sel = bad["selected"]["A010101"]
    sel.reverse()
    assert not draw.verify(bad).ok
    bad = copy.deepcopy(rec)
    bad["selected"]["A010101"][0] = bad["reserves"]["A010101"][0]
    assert not draw.verify(bad).ok
    bad = copy.deepcopy(rec)
    bad["declined"] = [rec["selected"]["A010101"][0]]  # a decline that was not in the commitment... is
    # part of the result: the committee then no longer matches
    assert not draw.verify(bad).ok


@given(seed=seeds, declines=st.integers(0, 3))
@settings(max_examples=40, deadline=None)
def test_declines_move_the_next_in_line_up(seed, declines):
    rows = pool(60)
    first = draw.run(seed=seed, public_value="00" * 32, snapshot=rows, criteria=criteria())
    declined = first.selected["A010101"][:declines] if declines <= 2 else first.selected["A010101"]
    after = draw.run(seed=seed, public_value="00" * 32, snapshot=rows, criteria=criteria(), declined=declined)
    # nobody who declined is selected; the ones who did not decline keep their seat
    assert not set(after.selected_ids()) & set(declined)
    kept = [i for i in first.selected["A010101"] if i not in declined]
    assert after.selected["A010101"][: len(kept)] == kept
    if declined:
        assert first.reserves["A010101"][0] in after.selected["A010101"]
    assert draw.verify(revealed(seed, rows, criteria(), "00" * 32, declined)).ok


@given(seed=seeds, public=publics, rule=st.sampled_from(["local", "offsite", "any"]))
@settings(max_examples=40, deadline=None)
def test_a_snapshot_breaking_the_rules_fails_verification(seed, public, rule):
    rows = [r for r in pool(60) if draw.region_ok(rule, "140105", r["region"])]
    crit = criteria(region_rule=rule)
    assert draw.verify(revealed(seed, rows, crit, public)).ok
    # a snapshot holding an avoided organisation's employee does not verify, even if committed to
    bad_rows = [*rows, {"id": "E99999", "region": "140105" if rule != "offsite" else "140202",
                        "specialties": ["A010101"], "orgs": [AVOID]}]  # fmt: skip
    v = draw.verify(revealed(seed, bad_rows, crit, public))
    assert not v.ok and any("应回避单位" in p for p in v.problems)


def test_region_rules():
    assert draw.region_ok("local", "140105", "140106")
    assert not draw.region_ok("local", "140105", "140202")
    assert draw.region_ok("offsite", "140105", "140202")
    assert not draw.region_ok("offsite", "140105", "140100")
    assert draw.region_ok("any", "140105", "140202")


def test_shortage_names_the_specialty_and_how_many_are_missing():
    rows = [{"id": f"E{i}", "region": "140105", "specialties": ["A010101"], "orgs": []} for i in range(3)]
    assert draw.shortage(rows, criteria()) == {"A0201": 2}
    rows += [{"id": f"F{i}", "region": "140105", "specialties": ["A020101"], "orgs": []} for i in range(2)]
    assert draw.shortage(rows, criteria()) == {}


def test_uniformity_sanity():
    """Over many public values each of 10 experts comes first about 1/10 of the time."""
    rows = [{"id": f"E{i}", "region": "140105", "specialties": ["A010101"], "orgs": []} for i in range(10)]
    crit = criteria(specialties=[{"code": "A010101", "count": 1, "reserves": 0}])
    firsts = Counter()
    trials = 4000
    for t in range(trials):
        alloc = draw.run(
            seed=b"\x01" * 32, public_value=sm3(str(t).encode()).hex(), snapshot=rows, criteria=crit
        )
        firsts[alloc.selected["A010101"][0]] += 1
    expected = trials / 10
    chi2 = sum((firsts[f"E{i}"] - expected) ** 2 / expected for i in range(10))
    assert chi2 < 27.9  # 9 degrees of freedom, p = 0.001


def test_the_commitment_covers_the_criteria():
    seed = b"\x02" * 32
    rows = pool(30)
    rec = revealed(seed, rows, criteria())
    bad = copy.deepcopy(rec)
    bad["criteria"]["avoid_orgs"] = []
    assert not draw.verify(bad).ok


# --- the fast paths compute exactly what the published definitions say ---------------------------------
texts = st.text(min_size=0, max_size=12)
rows_st = st.lists(
    st.fixed_dictionaries(
        {
            "id": texts,
            "region": texts,
            "specialties": st.lists(texts, max_size=4),
            "orgs": st.lists(texts, max_size=4),
        }
    ),
    max_size=20,
)


@given(rows=rows_st)
@settings(max_examples=80, deadline=None)
def test_the_prepared_snapshot_bytes_are_the_canonical_json(rows):
    """The one-pass encoder equals canonical(canonical_snapshot(rows)) for any strings (quotes,
    backslashes, control characters, non-BMP Chinese …): commitments of old and new draws agree."""
    prepared = draw.prepare(rows, criteria())
    assert prepared.data == draw.canonical(draw.canonical_snapshot(rows))
    assert prepared.rows == draw.canonical_snapshot(rows)


@given(rand=st.binary(min_size=32, max_size=32), ids=st.lists(texts, max_size=30))
@settings(max_examples=60, deadline=None)
def test_the_order_is_sm3_of_randomness_and_id(rand, ids):
    assert draw.order(rand, ids) == sorted(ids, key=lambda i: (sm3(rand + i.encode()), i))


@given(seed=seeds, public=publics, n=st.integers(20, 60))
@settings(max_examples=30, deadline=None)
def test_run_on_canonical_rows_equals_run(seed, public, n):
    rows = pool(n)
    crit = criteria()
    a = draw.run(seed=seed, public_value=public, snapshot=list(reversed(rows)), criteria=crit)
    p = draw.prepare(rows, crit)
    b = draw.run_canonical(seed=seed, public_value=public, rows=p.rows, criteria=p.criteria)
    assert a == b
    assert draw.shortage_of(p) == draw.shortage(rows, crit)
    assert draw.commitment_of(seed, p) == draw.commitment(seed, rows, crit)
