"""The verifiable expert draw. Pure module: no Django, no database; anyone can run it on the
revealed data (``verify``) and get the same committee.

1. Commitment, published before drawing::

       commitment = SM3(seed ‖ SM3(canonical(snapshot)) ‖ SM3(canonical(criteria)))

   ``seed``: 32 secret random bytes; ``snapshot``: the eligible pool (every expert that passed the
   avoidance rules, with the facts the rules used); ``criteria``: the request (specialties, counts,
   reserves, region rule, the avoided organisations).
2. Randomness, at draw time::

       randomness = SM3(seed ‖ public value ‖ request id)

   The public value is the audit chain's head hash when the draw runs; it did not exist when the
   commitment was published, so neither the operator (who cannot change the seed any more) nor
   anyone who can influence the chain (who does not know the seed) can steer the result.
3. Order: eligible experts sorted by ``SM3(randomness ‖ expert id)`` (ties impossible in practice,
   broken by id). For each specialty in the request's order, the experts holding that specialty
   (or one below it) and not already taken are taken in that order: the first ``count`` are
   selected, the next ``reserves`` are the reserves. An expert who declined or did not answer is
   skipped and the next in line moves up (``allocate`` is recomputed with the declines).

Nothing here takes an expert as input other than through the snapshot, and no function accepts a
chosen expert: there is no code path for naming one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from json.encoder import encode_basestring as _json_str  # what json.dumps uses for ensure_ascii=False
from typing import Any

from ggzy.crypto.sm import sm3

try:  # OpenSSL's SM3 through hashlib: a state can be copied, so the shared prefix is hashed once
    _SM3_STATE: Any = hashlib.new("sm3")
except ValueError:  # pragma: no cover - OpenSSL without SM3: ggzy.crypto.sm falls back to cryptography
    _SM3_STATE = None

VERSION = 1
REGION_RULES = {"local": "本地专家", "offsite": "异地专家（其他设区市）", "any": "不限地区"}


# --- canonical forms ----------------------------------------------------------------------------
def canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def canonical_snapshot(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Snapshot rows in one order with sorted lists: ``{"id", "region", "specialties", "orgs"}``.

    ``orgs``: the organisations the expert is tied to (employer and declared relationships and
    interests, by USCC), so a verifier sees that none of them was avoided."""
    out = []
    for r in rows:
        out.append(
            {
                "id": str(r["id"]),
                "region": str(r["region"]),
                "specialties": sorted(set(r["specialties"])),
                "orgs": sorted(set(r.get("orgs", ()))),
            }
        )
    out.sort(key=lambda r: r["id"])
    return out


@dataclass(frozen=True)
class Prepared:
    """A snapshot and criteria in canonical form, with the snapshot's canonical JSON: computed once
    per draw and shared by the shortage check, the commitment, sealing and the order."""

    rows: list[dict[str, Any]]
    data: bytes  # canonical(rows), byte for byte
    criteria: dict[str, Any]


def _row_json(row: Mapping[str, Any]) -> str:
    # the canonical JSON of one canonical row (keys in sorted order), equal to canonical(row)
    return '{"id":%s,"orgs":[%s],"region":%s,"specialties":[%s]}' % (  # noqa: UP031
        _json_str(row["id"]),
        ",".join(map(_json_str, row["orgs"])),
        _json_str(row["region"]),
        ",".join(map(_json_str, row["specialties"])),
    )


def prepare(snapshot: Iterable[Mapping[str, Any]], criteria: Mapping[str, Any]) -> Prepared:
    rows = canonical_snapshot(snapshot)
    data = ("[" + ",".join(map(_row_json, rows)) + "]").encode()
    return Prepared(rows=rows, data=data, criteria=canonical_criteria(criteria))


def prepare_canonical(rows: list[dict[str, Any]], criteria: Mapping[str, Any]) -> Prepared:
    """``prepare`` for rows already in canonical form (``canonical_snapshot`` of them is equal to
    them: string values, sorted unique lists, sorted by id), as ``experts.selectors.eligible_pool``
    builds them: they are encoded as they are, not copied and sorted again. The rows are checked
    to be in strictly increasing id order (cheap); the rest is the caller's promise, held by
    ``tests/experts/test_avoidance_property.py`` (prepare and prepare_canonical agree on every pool)."""
    for a, b in pairwise(rows):
        if not a["id"] < b["id"]:
            raise ValueError("snapshot rows are not in canonical order")
    data = ("[" + ",".join(map(_row_json, rows)) + "]").encode()
    return Prepared(rows=rows, data=data, criteria=canonical_criteria(criteria))


def canonical_criteria(criteria: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "version": VERSION,
        "request_id": str(criteria["request_id"]),
        "lot_region": str(criteria["lot_region"]),
        "region_rule": str(criteria["region_rule"]),
        "specialties": [
            {"code": str(s["code"]), "count": int(s["count"]), "reserves": int(s.get("reserves", 0))}
            for s in criteria["specialties"]
        ],
        "avoid_orgs": sorted(set(criteria.get("avoid_orgs", ()))),
    }


def commitment(seed: bytes, snapshot: Sequence[Mapping[str, Any]], criteria: Mapping[str, Any]) -> str:
    return commitment_of(seed, prepare(snapshot, criteria))


def commitment_of(seed: bytes, prepared: Prepared) -> str:
    if len(seed) != 32:
        raise ValueError("seed must be 32 bytes")
    snap = sm3(prepared.data)
    crit = sm3(canonical(prepared.criteria))
    return sm3(seed + snap + crit).hex()


def randomness(seed: bytes, public_value: str, request_id: str) -> bytes:
    return sm3(seed + bytes.fromhex(public_value) + str(request_id).encode())


def order(rand: bytes, expert_ids: Iterable[str]) -> list[str]:
    """Ids sorted by SM3(rand ‖ id), then by id. With hashlib's SM3 the state after ``rand`` is
    copied for each id (the same digests as ``sm3(rand + id)``, without rehashing the prefix)."""
    ids = [str(i) for i in expert_ids]
    if _SM3_STATE is None:  # pragma: no cover
        return sorted(ids, key=lambda i: (sm3(rand + i.encode()), i))
    base = _SM3_STATE.copy()
    base.update(rand)
    keyed = []
    for i in ids:
        h = base.copy()
        h.update(i.encode())
        keyed.append((h.digest(), i))
    keyed.sort()
    return [i for _, i in keyed]


# --- rules a snapshot row must meet ------------------------------------------------------------------
def region_ok(rule: str, lot_region: str, expert_region: str) -> bool:
    """local: the lot's city (first 4 digits); offsite: any other city; any: anywhere."""
    same_city = expert_region[:4] == lot_region[:4]
    if rule == "local":
        return same_city
    if rule == "offsite":
        return not same_city
    if rule == "any":
        return True
    raise ValueError(f"unknown region rule {rule!r}")


def holds(specialties: Iterable[str], wanted: str) -> bool:
    """An expert holds ``wanted`` if one of its codes is it or lies below it (A0101 ⊃ A010101)."""
    return any(s.startswith(wanted) for s in specialties)


def row_problems(row: Mapping[str, Any], criteria: Mapping[str, Any]) -> list[str]:
    """Why a snapshot row should not be in the eligible pool (empty when it may)."""
    return _row_problems(row, criteria, set(criteria.get("avoid_orgs", ())))


def _row_problems(row: Mapping[str, Any], criteria: Mapping[str, Any], avoided: set[str]) -> list[str]:
    problems = []
    hit = sorted(set(row.get("orgs", ())) & avoided)
    if hit:
        problems.append(f"专家{row['id']}与应回避单位{'、'.join(hit)}有关联")
    if not region_ok(criteria["region_rule"], criteria["lot_region"], row["region"]):
        problems.append(f"专家{row['id']}所在地区{row['region']}不符合地区规则")
    if not any(holds(row["specialties"], s["code"]) for s in criteria["specialties"]):
        problems.append(f"专家{row['id']}不具备所需专业")
    return problems


# --- allocation --------------------------------------------------------------------------------------
@dataclass
class Allocation:
    selected: dict[str, list[str]] = field(default_factory=dict)  # specialty -> expert ids in order
    reserves: dict[str, list[str]] = field(default_factory=dict)
    skipped: dict[str, list[str]] = field(default_factory=dict)  # declined / no answer, in order met
    missing: dict[str, int] = field(default_factory=dict)  # specialty -> how many are missing

    def as_dict(self) -> dict[str, Any]:
        return {
            "selected": self.selected,
            "reserves": self.reserves,
            "skipped": self.skipped,
            "missing": self.missing,
        }

    def selected_ids(self) -> list[str]:
        return [i for ids in self.selected.values() for i in ids]


def allocate(
    ranked: Sequence[str],
    specialties_of: Mapping[str, Iterable[str]],
    wanted: Sequence[Mapping[str, Any]],
    declined: Iterable[str] = (),
) -> Allocation:
    """Walk ``ranked`` once per wanted specialty, as the module docstring says."""
    declined = set(declined)
    taken: set[str] = set()
    out = Allocation()
    held = {i: tuple(specialties_of[i]) for i in ranked}
    for spec in wanted:
        code, count, reserves = str(spec["code"]), int(spec["count"]), int(spec.get("reserves", 0))
        sel: list[str] = []
        res: list[str] = []
        skip: list[str] = []
        for i in ranked:
            if len(sel) >= count and len(res) >= reserves:
                break
            if i in taken or not holds(held[i], code):
                continue
            taken.add(i)
            if i in declined:
                skip.append(i)
            elif len(sel) < count:
                sel.append(i)
            else:
                res.append(i)
        out.selected[code], out.reserves[code], out.skipped[code] = sel, res, skip
        if len(sel) < count:
            out.missing[code] = count - len(sel)
    return out


def run(
    *,
    seed: bytes,
    public_value: str,
    snapshot: Sequence[Mapping[str, Any]],
    criteria: Mapping[str, Any],
    declined: Iterable[str] = (),
) -> Allocation:
    return run_canonical(
        seed=seed,
        public_value=public_value,
        rows=canonical_snapshot(snapshot),
        criteria=canonical_criteria(criteria),
        declined=declined,
    )


def run_canonical(
    *,
    seed: bytes,
    public_value: str,
    rows: Sequence[Mapping[str, Any]],
    criteria: Mapping[str, Any],
    declined: Iterable[str] = (),
) -> Allocation:
    """``run`` on rows and criteria already in canonical form (``prepare``, or the platform's own
    sealed snapshot: sealed canonical and authenticated, so not canonicalised again)."""
    rand = randomness(seed, public_value, criteria["request_id"])
    ranked = order(rand, [r["id"] for r in rows])
    return allocate(ranked, {r["id"]: r["specialties"] for r in rows}, criteria["specialties"], declined)


def shortage(snapshot: Sequence[Mapping[str, Any]], criteria: Mapping[str, Any]) -> dict[str, int]:
    """Specialty -> how many eligible experts are missing for count + reserves, whatever the order
    (a draw with a shortage is refused before any commitment)."""
    return shortage_of(prepare(snapshot, criteria))


def shortage_of(prepared: Prepared) -> dict[str, int]:
    snap, crit = prepared.rows, prepared.criteria
    alloc = allocate(
        sorted(r["id"] for r in snap), {r["id"]: r["specialties"] for r in snap}, crit["specialties"]
    )
    out = {}
    for s in crit["specialties"]:
        got = len(alloc.selected[s["code"]]) + len(alloc.reserves[s["code"]])
        need = s["count"] + s["reserves"]
        if got < need:
            out[s["code"]] = need - got
    return out


# --- verification ------------------------------------------------------------------------------------
@dataclass
class Verification:
    ok: bool
    problems: list[str]
    commitment: str
    selected: dict[str, list[str]]
    reserves: dict[str, list[str]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "problems": self.problems,
            "commitment": self.commitment,
            "selected": self.selected,
            "reserves": self.reserves,
        }


def verify(record: Mapping[str, Any]) -> Verification:
    """Recompute a revealed draw from its export (``export`` below) and compare every part.

    Checks: the commitment opens with the seed, snapshot and criteria; every snapshot row meets the
    rules (no avoided organisation, the region rule, a wanted specialty); the committee and the
    reserves are exactly what the order gives with the recorded declines."""
    problems: list[str] = []
    try:
        seed = bytes.fromhex(record["seed"])
        snapshot = record["snapshot"]
        criteria = record["criteria"]
        prepared = prepare(snapshot, criteria)
        recomputed = commitment_of(seed, prepared)
    except (KeyError, ValueError, TypeError, AttributeError) as e:
        return Verification(False, [f"导出数据不完整或格式不正确：{e}"], "", {}, {})
    if recomputed != record.get("commitment"):
        problems.append("承诺值不符：公布的承诺值与揭示的种子、专家库快照和抽取条件重新计算的结果不一致")
    crit = prepared.criteria
    if str(record.get("request_id", crit["request_id"])) != crit["request_id"]:
        problems.append("抽取申请编号与抽取条件中的编号不一致")
    ids = [str(r["id"]) for r in snapshot]
    if len(ids) != len(set(ids)):
        problems.append("专家库快照中有重复的专家")
    avoided = set(crit["avoid_orgs"])
    for row in prepared.rows:
        problems.extend(_row_problems(row, crit, avoided))
    try:
        alloc = run_canonical(
            seed=seed,
            public_value=record["public_value"],
            rows=prepared.rows,
            criteria=crit,
            declined=record.get("declined", ()),
        )
    except (KeyError, ValueError) as e:
        return Verification(False, [*problems, f"无法重新抽取：{e}"], recomputed, {}, {})
    if not set(record.get("declined", ())) <= set(ids):
        problems.append("记录的谢绝专家不在专家库快照中")
    if _norm(alloc.selected) != _norm(record.get("selected", {})):
        problems.append("抽取结果不符：按公开算法重新抽取的评标专家与公布的名单不一致")
    if _norm(alloc.reserves) != _norm(record.get("reserves", {})):
        problems.append("备选专家不符：按公开算法重新抽取的备选专家与公布的名单不一致")
    return Verification(not problems, problems, recomputed, alloc.selected, alloc.reserves)


def _norm(d: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    return {str(k): [str(x) for x in v] for k, v in d.items()}


def export(
    *,
    request_id: str,
    seed: bytes,
    public_value: str,
    snapshot: Sequence[Mapping[str, Any]],
    criteria: Mapping[str, Any],
    declined: Iterable[str],
    commitment_hex: str,
    allocation: Allocation,
) -> dict[str, Any]:
    """The revealed draw as a JSON-able record that ``verify`` accepts."""
    return {
        "format": "ggzy-expert-draw",
        "version": VERSION,
        "request_id": request_id,
        "commitment": commitment_hex,
        "seed": seed.hex(),
        "public_value": public_value,
        "criteria": canonical_criteria(criteria),
        "snapshot": canonical_snapshot(snapshot),
        "declined": sorted(set(declined)),
        "selected": allocation.selected,
        "reserves": allocation.reserves,
    }
