"""The audit hash chain: how an event is hashed and how a stream of events is verified. Pure module.

hash_n = SM3(hash_{n-1} ‖ canonical(event_n)), hash_0 = 64 zeros. The canonical form joins the
event's fields with the unit separator (0x1F), so changing, deleting, inserting or reordering any
event breaks either its own hash or the link from the next one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ggzy.crypto.sm import sm3_hex

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


def canonical_json(value: Any) -> str:
    """Stable JSON text for the summary: sorted keys, no spaces, Chinese kept as is."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def canonical(row: tuple) -> bytes:
    """``row`` holds FIELDS in order; ``at`` as ISO text in UTC with microseconds."""
    return SEP.join("" if v is None else str(v) for v in row).encode()


def event_hash(prev_hash: str, row: tuple) -> str:
    return sm3_hex(prev_hash.encode() + canonical(row))


@dataclass(frozen=True)
class Problem:
    seq: int
    kind: str  # altered | deleted | reordered | broken_link | head_mismatch
    message: str  # Chinese, for the inspector

    def __str__(self) -> str:
        return f"事件 #{self.seq}：{self.message}"


def verify(
    rows: Iterable[tuple], *, start_seq: int = 1, start_prev: str = GENESIS
) -> tuple[int, Problem | None]:
    """Check rows ordered by seq; each row is FIELDS + (prev_hash, hash).

    Returns (events checked, first problem or None).
    """
    expected_seq = start_seq
    prev = start_prev
    count = 0
    for row in rows:
        seq = row[0]
        stored_prev, stored_hash = row[-2], row[-1]
        if seq != expected_seq:
            if seq > expected_seq:
                return count, Problem(
                    expected_seq, "deleted", f"缺失（应为第{expected_seq}号，下一条为第{seq}号），事件被删除"
                )
            return count, Problem(seq, "reordered", f"顺序错乱（在第{expected_seq - 1}号之后出现第{seq}号）")
        if stored_prev != prev:
            return count, Problem(seq, "broken_link", "与前一事件的链接不符，前一事件被修改、删除或调换")
        if event_hash(prev, row[:-2]) != stored_hash:
            return count, Problem(seq, "altered", "内容与其哈希不符，事件被修改或调换")
        prev = stored_hash
        expected_seq += 1
        count += 1
    return count, None
