"""The public changes feed: which audit events are public changes, what of them is public, and the
opaque cursor. Pure module (no Django).

Every write of the platform appends one audit event under a lock of the audit head, taking
``seq = head + 1`` and keeping the lock until its transaction commits. ``seq`` order is therefore
commit order and has no gaps: once ``seq = N + 1`` is visible, ``N`` is too. The feed is the
subsequence of the trail made of public actions, and the cursor is the last ``seq`` a reader has
scanned, so a reader never skips an item (no later commit can get a smaller seq) and never sees
one twice (it only reads ``seq > cursor``). See docs/opendata.md.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from ggzy.core.errors import InvalidInput

CURSOR_VERSION = "v1"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Kind:
    """How one public audit action appears in the feed."""

    object_type: str  # project | lot | notice | ...
    change: str  # the change kind partners read
    label: str  # Chinese, for people
    keys: tuple[str, ...]  # the audit summary keys that are public (a whitelist, never a blacklist)
    id_key: str = ""  # take the public object id from this summary key (not the internal row id)


# Public actions -> feed kinds. Add a row when an app starts recording a new public change (for
# example the tendering app's bid opening and results); keys not listed here never reach the feed.
PUBLIC_ACTIONS: dict[str, Kind] = {
    "project.register": Kind("project", "project.registered", "项目登记", ("name", "region_code", "lots")),
    "lot.add": Kind("lot", "lot.added", "增加标段（包）", ("name", "number")),
    "lot.schedule": Kind("lot", "lot.scheduled", "确定时间安排", ()),
    "lot.transition": Kind("lot", "lot.status_changed", "标段（包）状态变更", ("from", "to")),
    "notice.publish": Kind("notice", "notice.published", "发布公告", ("kind", "title", "lot")),
    "notice.amend": Kind("notice", "notice.amended", "发布更正（澄清）公告", ("kind", "amends")),
    # tendering: the bid deadline passed (how many bids, whether the opening goes ahead) and the
    # opening ended (its record is published as a notice; 电子招标投标办法第三十一条)
    "opening.closed": Kind("lot", "bids.closed", "投标截止", ("bids", "min_bidders", "status"), "lot"),
    "opening.finished": Kind("lot", "opening.finished", "开标结束", ("notice", "not_decrypted"), "lot"),
    # auctions: the end and its result. Neither the reserve price nor the winner's bidding number
    # (竞买号) is a feed field; the result notice says what the law asks to publish.
    "auction.close": Kind(
        "auction",
        "auction.closed",
        "竞价结束",
        ("result", "price", "quantity", "premium_rate", "closed_at", "bids"),
    ),
}


@dataclass(frozen=True)
class Event:
    """What the feed reads of an audit event (filled by the selector)."""

    seq: int
    at: str  # ISO 8601
    action: str
    object_id: str
    project_ref: str
    summary: dict[str, Any]


def item(event: Event) -> dict[str, Any]:
    """The public item of one audit event of a public action. Depends on the event only (never on
    the current state), so every reader gets the same item for the same position."""
    kind = PUBLIC_ACTIONS[event.action]
    payload = {k: event.summary[k] for k in kind.keys if k in event.summary}
    object_id = str(event.summary.get(kind.id_key, "")) if kind.id_key else event.object_id
    return {
        "position": event.seq,
        "object_type": kind.object_type,
        "object_id": object_id,
        "project_code": event.project_ref,
        "change": kind.change,
        "label": kind.label,
        "at": event.at,
        "path": path_of(kind.object_type, object_id, event.project_ref),
        "payload": payload,
    }


def path_of(object_type: str, object_id: str, project_ref: str) -> str:
    if object_type == "notice":
        return f"/notices/{object_id}/"
    if project_ref:
        return f"/projects/{project_ref}/"
    return ""


def parse_summary(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def encode_cursor(seq: int) -> str:
    raw = f"{CURSOR_VERSION}:{int(seq)}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def bad_cursor() -> InvalidInput:
    return InvalidInput(
        "changes.bad_cursor",
        "游标无效：请使用上一页返回的 next_cursor 原样传回，或不带游标从头读取",
        field="cursor",
    )


def decode_cursor(cursor: str | None) -> int:
    """The last position a reader scanned (0 without a cursor). Any other text is refused."""
    if cursor is None or cursor == "":
        return 0
    if len(cursor) > 64:
        raise bad_cursor()
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
    except (ValueError, binascii.Error, UnicodeError):
        raise bad_cursor() from None
    version, _, number = raw.partition(":")
    if version != CURSOR_VERSION or not number.isdigit() or len(number) > 18:
        raise bad_cursor()
    if encode_cursor(int(number)) != cursor.rstrip("="):  # one spelling per position
        raise bad_cursor()
    return int(number)


def check_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput("changes.bad_limit", f"每页条数应在1到{MAX_LIMIT}之间", field="limit")
    return limit


def next_cursor(scanned_to: int, items: list[dict[str, Any]], limit: int, head: int) -> tuple[int, bool]:
    """The position to continue from, and whether more may be waiting right now.

    A full page ends at its last item (more may follow). A page that is not full has scanned
    every committed event up to ``head`` (read before the scan), so the reader continues from
    ``head`` and does not rescan a run of non-public events.
    """
    if len(items) >= limit:
        return items[-1]["position"], True
    return max(scanned_to, head), False
