"""The audit hash chain: how an event is hashed and how a stream of events is verified. Pure module.

hash_n = SM3(hash_{n-1} ‖ canonical(event_n)), hash_0 = 64 zeros. The canonical form joins the
event's fields with the unit separator (0x1F), so changing, deleting, inserting or reordering any
event breaks either its own hash or the link from the next one.

Verification comes in two shapes over the same rule:
- ``verify(rows)``: rows are FIELDS + (prev_hash, hash), as Python values;
- ``verify_canonical(rows)``: rows are (seq, canonical text, prev_hash, hash), where the database
  already built the canonical text (the fast path of ``ggzy audit verify``; the SQL that builds it
  is tested against ``canonical`` on every backend).
A range of the chain can be verified on its own from the stored hash of the event before it, so
several processes can share a long chain; ``merge`` combines their results.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ggzy.crypto.sm import sm3, sm3_hex

GENESIS = "0" * 64
SEP = "\x1f"

# The fields, in hashing order. Changing this list changes every hash: never do it in place.
FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "project_ref",
    "entity_ref",
    "summary",
)

# Problem kinds (stable codes; the messages are for people)
ALTERED = "altered"
DELETED = "deleted"
REORDERED = "reordered"
BROKEN_LINK = "broken_link"
INSERTED = "inserted"
HEAD_MISMATCH = "head_mismatch"

KIND_LABELS = {
    ALTERED: "事件被篡改",
    DELETED: "事件被删除",
    REORDERED: "事件顺序被调换",
    BROKEN_LINK: "链接断裂",
    INSERTED: "存在伪造的追加事件",
    HEAD_MISMATCH: "链头与最后一条事件不符",
}


def canonical_json(value: Any) -> str:
    """Stable JSON text for the summary: sorted keys, no spaces, Chinese kept as is."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def canonical_text(row: tuple) -> str:
    """``row`` holds FIELDS in order; ``at`` as ISO text in UTC with microseconds."""
    return SEP.join("" if v is None else str(v) for v in row)


def canonical(row: tuple) -> bytes:
    return canonical_text(row).encode()


def event_hash(prev_hash: str, row: tuple) -> str:
    return sm3_hex(prev_hash.encode() + canonical(row))


def text_hash(prev_hash: str, text: str) -> str:
    """The hash of an event given its canonical text."""
    return sm3(prev_hash.encode() + text.encode()).hex()


@dataclass(frozen=True)
class Problem:
    seq: int
    kind: str  # one of the kinds above
    message: str  # Chinese, for the inspector

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def __str__(self) -> str:
        return f"事件 #{self.seq}：{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "kind": self.kind, "kind_label": self.kind_label, "message": self.message}


def _deleted(expected: int, found: int | None) -> Problem:
    if found is None:
        return Problem(expected, DELETED, f"第{expected}号事件缺失（其后已无事件），事件被删除")
    return Problem(expected, DELETED, f"第{expected}号事件缺失（下一条为第{found}号），事件被删除")


def verify_canonical(
    rows: Iterable[tuple[int, str | bytes, str, str]], *, start_seq: int = 1, start_prev: str = GENESIS
) -> tuple[int, Problem | None]:
    """Check rows (seq, canonical text, prev_hash, hash) ordered by seq; the text may come as
    UTF-8 bytes (saves decoding and re-encoding a million rows).

    Returns (events checked and found intact, first problem or None). A deletion at the end of the
    range is not visible here: the caller compares the count with the range it asked for.
    """
    count, problem, _ = verify_canonical_tail(rows, start_seq=start_seq, start_prev=start_prev)
    return count, problem


def verify_canonical_tail(
    rows: Iterable[tuple[int, str | bytes, str, str]], *, start_seq: int = 1, start_prev: str = GENESIS
) -> tuple[int, Problem | None, str]:
    """``verify_canonical`` that also returns the stored hash of the last intact event."""
    it: Iterator = iter(rows)
    expected_seq = start_seq
    prev = start_prev
    prev_bytes = prev.encode()
    count = 0
    for seq, text, stored_prev, stored_hash in it:
        if seq != expected_seq:
            if seq > expected_seq:
                return count, _deleted(expected_seq, seq), prev
            return (
                count,
                Problem(seq, REORDERED, f"顺序错乱（在第{expected_seq - 1}号之后出现第{seq}号）"),
                prev,
            )
        if text.__class__ is str:
            text = text.encode()
        digest = sm3(prev_bytes + text).hex()
        if stored_prev != prev or digest != stored_hash:
            return count, _classify(seq, prev, _str(text), stored_prev, stored_hash, next(it, None)), prev
        prev = stored_hash
        prev_bytes = prev.encode()
        expected_seq += 1
        count += 1
    return count, None, prev


def _str(text: str | bytes | memoryview) -> str:
    return text if isinstance(text, str) else bytes(text).decode()


def _classify(
    seq: int, prev: str, text: str, stored_prev: str, stored_hash: str, following: tuple | None
) -> Problem:
    """Name what happened at the first bad event, looking one event ahead to recognise a swap."""
    if following is not None:
        f_seq, f_text, f_prev, _ = following
        f_text = _str(f_text)
        # The event that belongs here sits one place later: the pair was swapped (seq numbers
        # exchanged, or the whole contents exchanged).
        own_seq_text = str(seq) + f_text[len(str(f_seq)) :]
        if f_prev == prev or text_hash(prev, own_seq_text) == stored_hash:
            return Problem(seq, REORDERED, f"第{seq}号与第{f_seq}号事件的顺序被调换")
    if stored_prev != prev:
        if text_hash(stored_prev, text) == stored_hash:
            return Problem(
                seq,
                BROKEN_LINK,
                "本事件完好，但与前一事件的链接不符：前一事件被改写并重算了哈希，或其前的事件被删除、插入",
            )
        return Problem(seq, ALTERED, "内容与其哈希不符，且与前一事件的链接不符，事件被篡改")
    return Problem(seq, ALTERED, "内容与其哈希不符，事件被篡改（修改了时间、操作人、操作、对象或摘要等）")


def verify(
    rows: Iterable[tuple], *, start_seq: int = 1, start_prev: str = GENESIS
) -> tuple[int, Problem | None]:
    """Check rows ordered by seq; each row is FIELDS + (prev_hash, hash).

    Returns (events checked, first problem or None).
    """
    return verify_canonical(
        ((row[0], canonical_text(row[:-2]), row[-2], row[-1]) for row in rows),
        start_seq=start_seq,
        start_prev=start_prev,
    )


@dataclass(frozen=True)
class RangeResult:
    """The outcome of verifying seq ``first``..``last`` (inclusive)."""

    first: int
    last: int
    checked: int
    problem: Problem | None
    last_hash: str | None = None  # stored hash of the last event checked (None if none)


def close_range(first: int, last: int, checked: int, problem: Problem | None) -> Problem | None:
    """A range that ended early without a problem lost its tail: name the first missing event."""
    if problem is None and first + checked <= last:
        return _deleted(first + checked, None)
    return problem


def merge(results: Iterable[RangeResult]) -> tuple[int, Problem | None]:
    """Combine adjacent range results: total intact events and the earliest problem."""
    ordered = sorted(results, key=lambda r: r.first)
    total = 0
    first_problem = None
    for r in ordered:
        total += r.checked
        if r.problem is not None and (first_problem is None or r.problem.seq < first_problem.seq):
            first_problem = r.problem
    return total, first_problem


def check_head(head_seq: int, head_hash: str, last_seq: int | None, last_hash: str | None) -> Problem | None:
    """The head row records the last appended event: a truncated or extended tail shows here."""
    last_seq = last_seq or 0
    last_hash = last_hash or GENESIS
    if head_seq > last_seq:
        return _deleted(last_seq + 1, None)
    if head_seq < last_seq:
        return Problem(
            head_seq + 1, INSERTED, f"链头记录到第{head_seq}号为止，其后出现了未经记账的事件，事件被伪造追加"
        )
    if head_hash != last_hash:
        return Problem(last_seq, HEAD_MISMATCH, "链头记录的哈希与最后一条事件不符，事件被篡改或重算")
    return None


def split(first: int, last: int, parts: int) -> list[tuple[int, int]]:
    """Split seq ``first``..``last`` into at most ``parts`` contiguous ranges."""
    n = last - first + 1
    if n <= 0:
        return []
    parts = max(1, min(parts, n))
    size, extra = divmod(n, parts)
    ranges = []
    lo = first
    for i in range(parts):
        hi = lo + size - 1 + (1 if i < extra else 0)
        ranges.append((lo, hi))
        lo = hi + 1
    return ranges
