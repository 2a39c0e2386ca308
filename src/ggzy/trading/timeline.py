"""Statutory timelines of a lot: when each event may lawfully happen. Pure module (no Django).

Input: a ``RuleSet`` (its ``periods`` link events: "from ``start_event`` to ``end_event`` at least /
at most / exactly N calendar or working days, per an article"), a ``HolidayTable``, the times the
operator chose (``anchors``, e.g. ``notice_published`` and ``bid_deadline``) and an acceleration
factor (an int >= 1; 1 is the real law).

Rules of computation (docs/timeline.md):
- Periods counted in days go through ``ggzy.core.calendar``: the start DATE (Beijing time) is not
  counted (民法典第二百零一条); a calendar-day period whose last day is a rest day ends on the next
  working day (第二百零三条); working-day periods count working days only.
- A period limits the end event's DATE: for a minimum period the end date must be on or after the
  computed date; a deadline then falls at the time of day the operator chose (``times``, default
  09:30). Maximum periods limit the end date from above; exact periods fix it.
- A period with ``days == 0`` counts ``minutes`` as real time (e.g. timed bidding starts at least 5
  minutes after the listing ends); ``days == 0`` and ``minutes == 0`` means "not before" (or "at the
  same instant" for ``exact``, e.g. the opening at the bid deadline).
- Accelerated mode (factor F > 1, demos and end-to-end tests): a period of N days (calendar or
  working) lasts N × 24 h / F of real time from the start instant; the calendar does not apply and
  every result is marked ``accelerated``.
A result that looked at a day of a year whose holiday schedule is not yet published is provisional
and says so: "（暂定：2027年放假安排尚未发布）".
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from ggzy.core import calendar as cal
from ggzy.core.errors import FieldError, InvalidInput, invalid
from ggzy.rules import events as rules_events
from ggzy.rules.schema import Citation, Period, RuleSet
from ggzy.trading import lifecycle

CHINA = ZoneInfo("Asia/Shanghai")
DEFAULT_TIME = dt.time(9, 30)
MAX_FACTOR = 100_000

# how an event's time was obtained (TimelineEvent.source)
ANCHOR = "anchor"  # chosen by the operator
EARLIEST = "earliest"  # the earliest lawful time after the events before it
LATEST = "latest"  # only a maximum period bounds it: the latest lawful time
UNSCHEDULED = "unscheduled"  # nothing determines it yet (e.g. a stage entered by a person's action)
SOURCE_LABELS = {
    ANCHOR: "操作人员确定",
    EARLIEST: "依法最早时间",
    LATEST: "依法最晚时间",
    UNSCHEDULED: "待定",
}

PERIOD_TOO_SHORT = "timeline.period_too_short"
PERIOD_TOO_LONG = "timeline.period_too_long"
ORDER = "timeline.order"

# Chinese names of the events, phrased to fit "X距Y不得少于N日". The rule set's event list
# (ggzy.rules.events) is the reference; an event missing here is shown by its label there.
EVENT_LABELS = {
    "notice_published": "公告发布之日",
    "documents_issued": "招标文件开始发出之日",
    "documents_end": "文件发售（提供）截止时间",
    "prequal_documents_issued": "资格预审文件开始发售之日",
    "prequal_documents_end": "资格预审文件停止发售之日",
    "prequal_deadline": "资格预审申请文件提交截止时间",
    "prequal_result": "资格预审结果通知之日",
    "bidding_start": "投标开始之日",
    "report_delivered": "评审报告送交采购人之日",
    "winner_confirmed": "确定中标（成交）人之日",
    "contract_published": "合同公告之日",
    "bid_deadline": "投标截止时间",
    "opening": "开标时间",
    "evaluation_done": "评标（评审）结束之日",
    "publicity_start": "公示开始之日",
    "publicity_end": "公示结束之日",
    "award_notice": "中标（成交）通知书发出之日",
    "contract_signed": "合同签订之日",
    "response_deadline": "响应文件提交截止时间",
    "registration_deadline": "竞买报名截止时间",
    "listing_start": "挂牌起始时间",
    "listing_end": "挂牌截止时间",
    "auction_start": "拍卖（竞价）开始时间",
    "auction_end": "竞价结束时间",
    "result_published": "成交结果公布之日",
    "predisclosure_start": "预披露开始之日",
    "disclosure_start": "正式披露开始之日",
    "disclosure_end": "正式披露结束之日",
    "amendment_published": "澄清或者修改发出之日",
}
RELATION_WORDS = {"min": "不得少于", "max": "不得超过", "exact": "应为"}


def label(event: str) -> str:
    return EVENT_LABELS.get(event) or rules_events.label(event)


# --- small formatting helpers ----------------------------------------------------------------------

_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """0..9999 in Chinese numerals as laws write them: 5 -> 五, 15 -> 十五, 20 -> 二十, 105 -> 一百零五."""
    if not 0 <= n < 10000:
        return str(n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    parts, zero = [], False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            if zero:
                parts.append("零")
            parts.append(_DIGITS[digit] + unit)
            zero = False
        elif parts:
            zero = True
    return "".join(parts)


def local(t: dt.datetime) -> dt.datetime:
    return t.astimezone(CHINA)


def cn_datetime(t: dt.datetime, *, seconds: bool = False) -> str:
    """e.g. "2026年10月19日9:30" (Beijing time)."""
    t = local(t)
    text = f"{cal.cn_date(t.date())}{t.hour}:{t.minute:02d}"
    return text + f":{t.second:02d}" if seconds else text


def period_length(period: Period) -> str:
    """e.g. "二十日", "五个工作日", "五分钟"."""
    if period.days == 0:
        return f"{cn_number(period.minutes)}分钟"
    unit = "个工作日" if period.kind == cal.WORKING else "日"
    text = cn_number(period.days) + unit
    return text + (f"{cn_number(period.minutes)}分钟" if period.minutes else "")


# --- bounds ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bound:
    """The limit one period puts on its end event, counted from its start event's time.

    ``date`` is the limiting date when the period counts days in normal mode (compare the end
    event's Beijing date with it); None when the limit is an instant (minutes, or accelerated).
    ``at`` is the limit as an instant: ``date`` at the end event's time of day, or the instant.
    """

    period: Period
    start_at: dt.datetime
    at: dt.datetime
    date: dt.date | None
    provisional_years: tuple[int, ...] = ()
    accelerated: bool = False
    explanation: tuple[str, ...] = ()

    @property
    def basis(self) -> Citation:
        return self.period.basis

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)

    def allows(self, end: dt.datetime, relation: str) -> bool:
        """Whether an end at ``end`` satisfies this bound read as ``relation`` (min / max / exact)."""
        if self.date is not None:
            got, limit = local(end).date(), self.date
        else:
            got, limit = end, self.at
        if relation == "min":
            return got >= limit
        if relation == "max":
            return got <= limit
        if self.date is None:
            return abs(end - self.at) < dt.timedelta(seconds=1)
        return got == limit

    def describe(self) -> str:
        """The limit for people: a date in normal mode, an instant otherwise."""
        if self.date is not None:
            return cal.cn_date(self.date)
        return cn_datetime(self.at, seconds=self.accelerated)


def bound(
    period: Period,
    start_at: dt.datetime,
    table: cal.HolidayTable,
    *,
    factor: int = 1,
    time_of_day: dt.time = DEFAULT_TIME,
) -> Bound:
    """The limit ``period`` puts on its end event when its start event happens at ``start_at``."""
    start_at = _aware(start_at, period.start_event)
    if period.days < 0 or period.minutes < 0:
        raise InvalidInput("timeline.period_invalid", f"期间“{period.label}”的天数或分钟数不能为负数")
    if factor > 1:
        delta = (dt.timedelta(days=period.days) + dt.timedelta(minutes=period.minutes)) / factor
        hours = delta.total_seconds() / 3600
        line = (
            f"加速模式（{factor}倍）：{period_length(period)}按{period.days * 24 + period.minutes / 60:g}小时"
            f"÷{factor}={hours:.4g}小时实际时间计算，不适用法定节假日。"
        )
        return Bound(period, start_at, local(start_at + delta), None, (), True, (line,))
    if period.days == 0:
        at = local(start_at + dt.timedelta(minutes=period.minutes))
        return Bound(period, start_at, at, None, (), False, ())
    result = cal.add(local(start_at).date(), period.days, table, kind=period.kind)
    at = dt.datetime.combine(result.end, time_of_day, tzinfo=CHINA)
    if period.minutes:
        at += dt.timedelta(minutes=period.minutes)
    return Bound(period, start_at, at, result.end, result.provisional_years, False, result.explanation)


# --- the timeline ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEvent:
    event: str
    at: dt.datetime | None  # Beijing time
    source: str  # ANCHOR | EARLIEST | LATEST | UNSCHEDULED
    earliest: Bound | None  # the binding minimum (or exact) period from the events before it
    latest: Bound | None  # the binding maximum (or exact) period
    provisional_years: tuple[int, ...] = ()
    accelerated: bool = False

    @property
    def label(self) -> str:
        return label(self.event)

    @property
    def binding(self) -> Bound | None:
        """The bound that produced ``at`` (None for anchors and unscheduled events)."""
        return {EARLIEST: self.earliest, LATEST: self.latest}.get(self.source)

    @property
    def period(self) -> Period | None:
        b = self.binding
        return b.period if b else None

    @property
    def basis(self) -> Citation | None:
        b = self.binding
        return b.basis if b else None

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)

    @property
    def provisional_note(self) -> str:
        return cal.provisional_note(self.provisional_years)

    @property
    def conflict(self) -> bool:
        """True when the events before it leave no lawful time (the earliest is after the latest)."""
        if self.earliest is None or self.latest is None:
            return False
        return not self.latest.allows(self.earliest.at, "max")

    def describe(self) -> str:
        """One line, e.g. "投标截止时间：2026年10月19日9:30（《招标投标法》第二十四条）"."""
        if self.at is None:
            return f"{self.label}：待定"
        text = f"{self.label}：{cn_datetime(self.at, seconds=self.accelerated)}"
        if self.basis is not None:
            text += f"（{self.basis.label()}）"
        return text + self.provisional_note


@dataclass(frozen=True)
class Timeline:
    ruleset: str  # the rule set's code
    version: int
    factor: int
    events: tuple[TimelineEvent, ...]  # by time, unscheduled last
    anchors: Mapping[str, dt.datetime] = field(default_factory=dict)
    times: Mapping[str, dt.time] = field(default_factory=dict)
    default_time: dt.time = DEFAULT_TIME

    def __getitem__(self, event: str) -> TimelineEvent:
        for e in self.events:
            if e.event == event:
                return e
        raise KeyError(event)

    def __contains__(self, event: object) -> bool:
        return any(e.event == event for e in self.events)

    def at(self, event: str) -> dt.datetime | None:
        return self[event].at

    def times_by_event(self) -> dict[str, dt.datetime]:
        return {e.event: e.at for e in self.events if e.at is not None}

    @property
    def accelerated(self) -> bool:
        return self.factor > 1

    @property
    def provisional_years(self) -> tuple[int, ...]:
        return tuple(sorted({y for e in self.events for y in e.provisional_years}))

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)

    def time_of_day(self, event: str) -> dt.time:
        return self.times.get(event, self.default_time)


def events_of(ruleset: RuleSet) -> tuple[str, ...]:
    """Every event the rule set names: stage events in stage order, then period events."""
    seen: dict[str, None] = {}
    for s in ruleset.stages:
        if s.event:
            seen.setdefault(s.event)
    for p in ruleset.periods:
        seen.setdefault(p.start_event)
        seen.setdefault(p.end_event)
    return tuple(seen)


def _aware(t: object, event: str) -> dt.datetime:
    if not isinstance(t, dt.datetime):
        raise InvalidInput("timeline.time_invalid", f"{label(event)}应为日期和时间", field=event)
    if t.tzinfo is None or t.utcoffset() is None:
        return t.replace(tzinfo=CHINA)  # a naive time is Beijing time
    return t


def _check_factor(factor: object) -> int:
    if isinstance(factor, bool) or not isinstance(factor, int) or not 1 <= factor <= MAX_FACTOR:
        raise InvalidInput(
            "timeline.factor_invalid",
            f"加速倍数应为1至{MAX_FACTOR}之间的整数（1为按法定期间计算）",
            field="factor",
        )
    return factor


def _times(ruleset: RuleSet, given: Mapping[str, object] | None, what: str) -> dict[str, dt.datetime]:
    known = set(events_of(ruleset))
    errors = [
        FieldError("timeline.unknown_event", f"“{ruleset.name}”没有“{label(ev)}”这一时间节点", ev)
        for ev in (given or {})
        if ev not in known
    ]
    if errors:
        raise invalid(errors, what)
    return {ev: local(_aware(t, ev)) for ev, t in (given or {}).items() if t is not None}


def _order(ruleset: RuleSet) -> tuple[str, ...]:
    """Events in an order where every period's start comes before its end (stage order breaks ties)."""
    events = events_of(ruleset)
    rank = {ev: i for i, ev in enumerate(events)}
    succ: dict[str, set[str]] = defaultdict(set)
    indegree = dict.fromkeys(events, 0)
    for p in ruleset.periods:
        if p.end_event not in succ[p.start_event]:
            succ[p.start_event].add(p.end_event)
            indegree[p.end_event] += 1
    ready = [(rank[ev], ev) for ev, d in indegree.items() if d == 0]
    heapq.heapify(ready)
    out = []
    while ready:
        _, ev = heapq.heappop(ready)
        out.append(ev)
        for nxt in succ[ev]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                heapq.heappush(ready, (rank[nxt], nxt))
    if len(out) != len(events):
        stuck = "、".join(label(ev) for ev in events if ev not in out)
        raise InvalidInput(
            "timeline.cycle", f"“{ruleset.name}”的期间首尾相接成环（涉及{stuck}），无法计算时间表"
        )
    return tuple(out)


def compute(
    ruleset: RuleSet,
    anchors: Mapping[str, dt.datetime],
    table: cal.HolidayTable,
    *,
    factor: int = 1,
    times: Mapping[str, dt.time] | None = None,
    default_time: dt.time = DEFAULT_TIME,
    _raise: Iterable[str] = (),
) -> Timeline:
    """Every event of ``ruleset`` with its time: an anchor keeps the operator's time; any other
    event gets its earliest lawful time after the events before it (or, bounded only by maximum
    periods, its latest lawful time), at the time of day ``times`` gives it (default 09:30)."""
    factor = _check_factor(factor)
    fixed = _times(ruleset, anchors, "时间节点")
    times = dict(times or {})
    raise_ = set(_raise)
    incoming: dict[str, list[Period]] = defaultdict(list)
    for p in ruleset.periods:
        incoming[p.end_event].append(p)
    at: dict[str, dt.datetime] = {}
    done: dict[str, TimelineEvent] = {}
    order = _order(ruleset)
    for ev in order:
        tod = times.get(ev, default_time)
        lows: list[Bound] = []
        highs: list[Bound] = []
        for p in incoming[ev]:
            start = at.get(p.start_event)
            if start is None:
                continue
            b = bound(p, start, table, factor=factor, time_of_day=tod)
            if p.relation in ("min", "exact"):
                lows.append(b)
            if p.relation in ("max", "exact"):
                highs.append(b)
        earliest = max(lows, key=lambda b: b.at) if lows else None
        latest = min(highs, key=lambda b: b.at) if highs else None
        if ev in fixed and not (ev in raise_ and earliest and not earliest.allows(fixed[ev], "min")):
            t, source = fixed[ev], ANCHOR
        elif earliest is not None:
            t, source = earliest.at, EARLIEST
        elif latest is not None:
            t, source = latest.at, LATEST
        else:
            t, source = None, UNSCHEDULED
        binding = {EARLIEST: earliest, LATEST: latest}.get(source)
        years: set[int] = set()
        if binding is not None:
            years.update(binding.provisional_years)
            years.update(done[binding.period.start_event].provisional_years)
        if t is not None:
            at[ev] = t
        done[ev] = TimelineEvent(ev, t, source, earliest, latest, tuple(sorted(years)), factor > 1)
    rank = {ev: i for i, ev in enumerate(order)}
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    ordered = sorted(done.values(), key=lambda e: (e.at is None, e.at or far, rank[e.event]))
    return Timeline(ruleset.code, ruleset.version, factor, tuple(ordered), fixed, times, default_time)


def earliest(
    ruleset: RuleSet,
    event: str,
    anchors: Mapping[str, dt.datetime],
    table: cal.HolidayTable,
    *,
    factor: int = 1,
    times: Mapping[str, dt.time] | None = None,
    default_time: dt.time = DEFAULT_TIME,
) -> Bound | None:
    """The earliest lawful time of ``event`` given the other anchors (an anchor for ``event``
    itself is ignored; events between are taken at their earliest). ``None``: no minimum period
    leads to it from the known events. ``.at`` is the instant, ``.basis`` the article."""
    others = {ev: t for ev, t in anchors.items() if ev != event}
    if event not in events_of(ruleset):
        raise InvalidInput(
            "timeline.unknown_event", f"“{ruleset.name}”没有“{label(event)}”这一时间节点", field=event
        )
    tl = compute(ruleset, others, table, factor=factor, times=times, default_time=default_time)
    return tl[event].earliest


# --- checking proposed times ------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    code: str  # PERIOD_TOO_SHORT | PERIOD_TOO_LONG | ORDER
    message: str  # Chinese, citing the article
    event: str  # the event whose time is wrong (the period's end)
    start_event: str
    period: str | None = None  # the period's code
    basis: Citation | None = None
    earliest: dt.datetime | None = None
    latest: dt.datetime | None = None
    provisional_years: tuple[int, ...] = ()
    accelerated: bool = False

    def field_error(self) -> FieldError:
        return FieldError(self.code, self.message, self.event)


def _period_violation(p: Period, b: Bound, end: dt.datetime) -> Violation | None:
    too_short = not b.allows(end, "min") if p.relation in ("min", "exact") else False
    too_long = not b.allows(end, "max") if p.relation in ("max", "exact") else False
    if not (too_short or too_long):
        return None
    where = f"（{p.basis.label()}）"
    if p.days == 0 and p.minutes == 0:  # "not before" / "not after" / "at the same instant"
        words = {"min": "不得早于", "max": "不得晚于", "exact": "应与"}[p.relation]
        same = "为同一时间" if p.relation == "exact" else ""
        head = f"{label(p.end_event)}{words}{label(p.start_event)}{same}{where}"
    else:
        head = f"{label(p.end_event)}距{label(p.start_event)}{RELATION_WORDS[p.relation]}{period_length(p)}{where}"
    if b.accelerated:
        head += "（加速模式按比例缩短）"
    note = cal.provisional_note(b.provisional_years)
    if p.relation == "exact":
        tail = f"，应为{b.describe()}"
    elif too_short:
        tail = f"，最早为{b.describe()}"
    else:
        tail = f"，最晚为{b.describe()}"
    return Violation(
        PERIOD_TOO_SHORT if too_short else PERIOD_TOO_LONG,
        head + tail + note,
        p.end_event,
        p.start_event,
        p.code,
        p.basis,
        earliest=b.at if p.relation in ("min", "exact") else None,
        latest=b.at if p.relation in ("max", "exact") else None,
        provisional_years=b.provisional_years,
        accelerated=b.accelerated,
    )


def _order_violation(first: str, then: str, period: Period | None, t_first: dt.datetime) -> Violation:
    where = f"（{period.basis.label()}）" if period else ""
    return Violation(
        ORDER,
        f"{label(then)}不得早于{label(first)}（{cn_datetime(t_first)}）{where}",
        then,
        first,
        period.code if period else None,
        period.basis if period else None,
        earliest=t_first,
    )


def check(
    ruleset: RuleSet,
    proposed_times: Mapping[str, dt.datetime],
    table: cal.HolidayTable,
    factor: int = 1,
) -> list[Violation]:
    """Every way ``proposed_times`` break the rule set: a period too short or too long (with the
    article and the earliest or latest lawful time), or events out of order (a period's end before
    its start, or a later stage's event before an earlier stage's). Empty list: lawful."""
    factor = _check_factor(factor)
    proposed = _times(ruleset, proposed_times, "时间节点")
    out: list[Violation] = []
    reported: set[tuple[str, str]] = set()
    for p in ruleset.periods:
        start, end = proposed.get(p.start_event), proposed.get(p.end_event)
        if start is None or end is None:
            continue
        if end < start:
            out.append(_order_violation(p.start_event, p.end_event, p, start))
            reported.add((p.start_event, p.end_event))
            continue
        b = bound(p, start, table, factor=factor, time_of_day=end.time())
        v = _period_violation(p, b, end)
        if v is not None:
            out.append(v)
    previous: str | None = None
    for s in ruleset.stages:
        ev = s.event
        if not ev or ev not in proposed:
            continue
        if previous is not None and ev != previous and proposed[ev] < proposed[previous]:
            if (previous, ev) not in reported:
                out.append(_order_violation(previous, ev, None, proposed[previous]))
                reported.add((previous, ev))
            continue
        previous = ev if previous is None or proposed[ev] >= proposed[previous] else previous
    return out


def require_lawful(
    ruleset: RuleSet, proposed_times: Mapping[str, dt.datetime], table: cal.HolidayTable, factor: int = 1
) -> None:
    """Raise ``InvalidInput`` (one field error per violation, codes as in ``check``) if any."""
    found = check(ruleset, proposed_times, table, factor)
    if found:
        raise invalid([v.field_error() for v in found], "时间安排")


def lawful_timeline(
    ruleset: RuleSet,
    anchors: Mapping[str, dt.datetime],
    table: cal.HolidayTable,
    factor: int = 1,
    *,
    times: Mapping[str, dt.time] | None = None,
) -> Timeline:
    """The timeline the ``anchors`` give, or ``InvalidInput`` with one field error per problem
    (``field`` = the event): the anchors break a period or the order among themselves; an event
    has no lawful time (``timeline.conflict``: its earliest is after its latest); or an anchor
    breaks a period or the order against the events computed from the others (e.g. an opening
    chosen before the computed bid deadline, a candidate publicity before it)."""
    require_lawful(ruleset, anchors, table, factor)
    tl = compute(ruleset, anchors, table, factor=factor, times=times)
    conflicts = [
        FieldError(
            "timeline.conflict",
            f"{e.label}没有合法的时间：最早{e.earliest.describe()}（{e.earliest.basis.label()}），"
            f"最晚{e.latest.describe()}（{e.latest.basis.label()}）",
            e.event,
        )
        for e in tl.events
        if e.conflict and e.earliest is not None and e.latest is not None
    ]
    if conflicts:
        raise invalid(conflicts, "时间安排")
    require_lawful(ruleset, tl.times_by_event(), table, factor)
    return tl


# --- the timeline as people read it; the anchors an operator may choose ---------------------------


def requirement_text(period: Period) -> str:
    """What a period asks of its end event, for tables: e.g. "距招标文件开始发出之日不少于20日",
    "距资格预审文件停止发售之日不少于5个工作日", "与投标截止时间同时", "不早于公示结束之日"."""
    start = label(period.start_event)
    if period.days == 0 and period.minutes == 0:
        word = {"min": "不早于", "max": "不晚于", "exact": "与"}[period.relation]
        return f"{word}{start}" + ("同时" if period.relation == "exact" else "")
    if period.days == 0:
        length = f"{period.minutes}分钟"
    else:
        length = f"{period.days}{'个工作日' if period.kind == cal.WORKING else '日'}"
        length += f"{period.minutes}分钟" if period.minutes else ""
    word = {"min": "不少于", "max": "不超过", "exact": "为"}[period.relation]
    return f"距{start}{word}{length}"


@dataclass(frozen=True)
class Requirement:
    """One period of the rule set ending at an event, applied to the times of a schedule.

    ``bound`` is None (and ``satisfied`` None) while the period's start event has no time."""

    period: Period
    bound: Bound | None
    satisfied: bool | None

    @property
    def text(self) -> str:
        return requirement_text(self.period)

    @property
    def basis(self) -> Citation:
        return self.period.basis

    @property
    def provisional_years(self) -> tuple[int, ...]:
        return self.bound.provisional_years if self.bound else ()

    @property
    def limit(self) -> str:
        """The limit for people: "最早2026年10月8日" / "最晚…" / "应为…" ("" without a bound)."""
        if self.bound is None:
            return ""
        word = {"min": "最早", "max": "最晚", "exact": "应为"}[self.period.relation]
        return word + self.bound.describe()


@dataclass(frozen=True)
class ScheduleRow:
    """One event of a lot's timeline as its page shows it."""

    event: str
    at: dt.datetime | None  # Beijing time; None: not determined yet (待定)
    stage: str | None  # the label of the stage the lot enters at this event
    requirements: tuple[Requirement, ...]  # the periods ending at this event
    provisional_years: tuple[int, ...] = ()
    provisional: bool = False  # provisional_years, or marked provisional when it was computed
    accelerated: bool = False

    @property
    def label(self) -> str:
        return rules_events.label(self.event)

    @property
    def provisional_note(self) -> str:
        if self.provisional_years:
            return cal.provisional_note(self.provisional_years)
        return "（暂定）" if self.provisional else ""

    @property
    def satisfied(self) -> bool:
        return all(r.satisfied is not False for r in self.requirements)

    def at_text(self) -> str:
        return cn_datetime(self.at, seconds=self.accelerated) if self.at else "待定"


def schedule_rows(
    ruleset: RuleSet,
    times: Mapping[str, dt.datetime],
    table: cal.HolidayTable,
    *,
    factor: int = 1,
    provisional: Iterable[str] = (),
) -> tuple[ScheduleRow, ...]:
    """Every event of ``ruleset`` with its stored time (``times``), the stage it opens and each
    period ending at it, checked against the times: ordered by time, events without a time last.

    A row is provisional when one of its periods looked at a year without a published holiday
    schedule, or when its event is in ``provisional`` (e.g. ``LotEvent.provisional``). The
    floating ``amendment_published`` is listed only when it has a time."""
    factor = _check_factor(factor)
    known = _times(ruleset, times, "时间节点")
    flagged = set(provisional)
    stage_of = {s.event: s.label for s in ruleset.stages if s.event}
    rows = []
    for ev in _order(ruleset):
        if ev in rules_events.FLOATING and ev not in known:
            continue
        at = known.get(ev)
        reqs = []
        for p in ruleset.periods:
            if p.end_event != ev or (p.start_event in rules_events.FLOATING and p.start_event not in known):
                continue
            start = known.get(p.start_event)
            if start is None:
                reqs.append(Requirement(p, None, None))
                continue
            b = bound(p, start, table, factor=factor, time_of_day=at.time() if at else DEFAULT_TIME)
            ok = None if at is None else (at >= start and _period_violation(p, b, at) is None)
            reqs.append(Requirement(p, b, ok))
        years = tuple(sorted({y for r in reqs for y in r.provisional_years}))
        rows.append(
            ScheduleRow(
                ev, at, stage_of.get(ev), tuple(reqs), years, bool(years) or ev in flagged, factor > 1
            )
        )
    rank = _display_rank(ruleset)
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return tuple(sorted(rows, key=lambda r: (r.at is None, r.at or far, rank[r.event])))


def _display_rank(ruleset: RuleSet) -> dict[str, int]:
    """Events in their natural order for people: the mechanism's order of events
    (``ggzy.rules.events.ORDER``), then the order of the period graph."""
    graph = _order(ruleset)
    size = len(graph)

    def key(ev: str) -> tuple[int, int]:
        pos = rules_events.position(ruleset.mechanism, ev)
        return (pos if pos is not None else size + graph.index(ev), graph.index(ev))

    return {ev: i for i, ev in enumerate(sorted(graph, key=key))}


@dataclass(frozen=True)
class AnchorField:
    """An event the operator may fix when scheduling a lot, for a form."""

    event: str
    required: bool
    requirements: tuple[Period, ...]  # the periods ending at it (the rules its time must follow)

    @property
    def label(self) -> str:
        return rules_events.label(self.event)

    def rules_text(self) -> list[str]:
        """e.g. ["距招标文件开始发出之日不少于20日（《招标投标法》第二十四条）"]."""
        return [f"{requirement_text(p)}（{p.basis.label()}）" for p in self.requirements]


def anchor_fields(ruleset: RuleSet) -> tuple[AnchorField, ...]:
    """The events an operator may fix when scheduling a lot of ``ruleset``: every event of its
    timeline except the floating ``amendment_published`` (an amendment notice sets that), in their
    natural order.

    Required: the events that open the stages before the competition closes (the first stage
    entered at a closing event, ``lifecycle.CLOSING_EVENTS``) and that no period computes from
    another event, e.g. the notice and the documents of a tender, the predisclosure of a state
    property transfer. Without them the lot could never enter those stages."""
    incoming: dict[str, list[Period]] = defaultdict(list)
    for p in ruleset.periods:
        incoming[p.end_event].append(p)
    opening_stages = []
    for s in ruleset.stages:
        if s.event in lifecycle.CLOSING_EVENTS:
            break
        if s.event:
            opening_stages.append(s.event)
    computed = {ev for ev, ps in incoming.items() if any(p.relation in ("min", "exact") for p in ps)}
    required = {ev for ev in opening_stages if ev not in computed}
    if not required and ruleset.stages and ruleset.stages[0].event:
        required = {ruleset.stages[0].event}
    rank = _display_rank(ruleset)
    return tuple(
        AnchorField(ev, ev in required, tuple(incoming[ev]))
        for ev in sorted(rank, key=rank.__getitem__)
        if ev not in rules_events.FLOATING
    )


def anchor_bounds(
    ruleset: RuleSet,
    anchors: Mapping[str, dt.datetime],
    table: cal.HolidayTable,
    *,
    factor: int = 1,
) -> dict[str, tuple[Bound | None, Bound | None]]:
    """For every event: the binding (earliest, latest) bounds given the OTHER anchors (an event's
    own anchor is ignored, events between are taken at their earliest), what a form shows beside
    each field. One computation per anchored event, plus one for the rest."""
    fixed = _times(ruleset, anchors, "时间节点")
    shared = compute(ruleset, fixed, table, factor=factor)
    out: dict[str, tuple[Bound | None, Bound | None]] = {}
    for e in shared.events:
        if e.event in fixed:
            others = {ev: t for ev, t in fixed.items() if ev != e.event}
            e = compute(ruleset, others, table, factor=factor)[e.event]
        out[e.event] = (e.earliest, e.latest)
    return out


# --- amendments (澄清或者修改) ---------------------------------------------------------------------------

TENDER_AMENDMENT = Citation("招标投标法", "第二十三条")
PROCUREMENT_AMENDMENT = Citation("政府采购法实施条例", "第三十一条")
PREQUAL_AMENDMENT = Citation("招标投标法实施条例", "第二十一条")
PREQUAL_AMENDMENT_DAYS = 3
AMENDMENT_DAYS = 15
_DOCUMENTS = {"prequal_deadline": "资格预审申请文件", "response_deadline": "响应文件"}


@dataclass(frozen=True)
class AmendmentEffect:
    moves_deadline: bool
    deadline_event: str
    old_deadline: dt.datetime
    new_deadline: dt.datetime  # == old_deadline when it does not move
    message_zh: str
    basis: Citation
    min_days: int
    timeline: Timeline  # the timeline after the amendment (the same one when nothing moves)
    shifted: tuple[tuple[str, dt.datetime, dt.datetime], ...] = ()  # (event, old, new)
    provisional_years: tuple[int, ...] = ()

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)


def amendment_rule(ruleset: RuleSet, deadline_event: str = "bid_deadline") -> tuple[int, Citation]:
    """The minimum days between an amendment and the deadline, and the article: the rule set's
    ``clarification`` period if it has one, else 3 days before a prequalification deadline
    (招标投标法实施条例第二十一条), 15 days for procurement (政府采购法实施条例第三十一条), 15 days
    otherwise (招标投标法第二十三条)."""
    for p in ruleset.periods:
        if p.code == "clarification" and p.end_event == deadline_event:
            return p.days, p.basis
    if deadline_event == "prequal_deadline":
        return PREQUAL_AMENDMENT_DAYS, PREQUAL_AMENDMENT
    if ruleset.category == "procurement":
        return AMENDMENT_DAYS, PROCUREMENT_AMENDMENT
    return AMENDMENT_DAYS, TENDER_AMENDMENT


def _descendants(ruleset: RuleSet, event: str) -> set[str]:
    succ: dict[str, set[str]] = defaultdict(set)
    for p in ruleset.periods:
        succ[p.start_event].add(p.end_event)
    seen, todo = set(), [event]
    while todo:
        for nxt in succ[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def amendment_effect(
    ruleset: RuleSet,
    timeline: Timeline,
    amendment_time: dt.datetime,
    affects_preparation: bool,
    table: cal.HolidayTable,
    *,
    min_days: int | None = None,
    basis: Citation | None = None,
    deadline_event: str = "bid_deadline",
) -> AmendmentEffect:
    """What an amendment (澄清或者修改) issued at ``amendment_time`` does to the deadline.

    If it may affect the preparation of bids and is issued fewer than ``min_days`` days before the
    deadline (counted like any period: the amendment's date not counted, a last day on a rest day
    moves to the next working day; accelerated: min_days × 24 h / factor), the deadline moves to
    the earliest lawful one, at its old time of day, and the events after it shift: anchored ones by
    the same amount (raised to their earliest lawful time if that is not enough), computed ones are
    recomputed from their periods. ``min_days`` and ``basis`` default to ``amendment_rule``."""
    if min_days is None or basis is None:
        rule_days, rule_basis = amendment_rule(ruleset, deadline_event)
        min_days = rule_days if min_days is None else min_days
        basis = rule_basis if basis is None else basis
    if isinstance(min_days, bool) or not isinstance(min_days, int) or min_days < 1:
        raise InvalidInput("timeline.amendment_days_invalid", "澄清或者修改的最短提前天数应为正整数")
    if deadline_event not in timeline or timeline.at(deadline_event) is None:
        raise InvalidInput(
            "timeline.deadline_missing", f"时间表中没有{label(deadline_event)}，无法判断澄清或者修改的影响"
        )
    old = timeline.at(deadline_event)
    assert old is not None
    amended = local(_aware(amendment_time, "amendment_published"))
    if amended >= old:
        raise InvalidInput(
            "timeline.amendment_after_deadline",
            f"澄清或者修改的发出时间（{cn_datetime(amended)}）不早于{label(deadline_event)}（{cn_datetime(old)}），"
            "截止后不得再对文件作出修改",
            field="amendment_time",
        )
    doc = _DOCUMENTS.get(deadline_event, "投标文件")
    days_text = cn_number(min_days) + "日"
    cite = f"（{basis.label()}）"
    if not affects_preparation:
        msg = f"澄清或者修改的内容不影响{doc}编制，{label(deadline_event)}不变{cite}"
        return AmendmentEffect(False, deadline_event, old, old, msg, basis, min_days, timeline)
    period = Period(
        "amendment",
        "澄清或者修改",
        "amendment_published",
        deadline_event,
        min_days,
        cal.CALENDAR,
        "min",
        basis,
    )
    b = bound(period, amended, table, factor=timeline.factor, time_of_day=local(old).time())
    if b.allows(old, "min"):
        msg = (
            f"澄清或者修改在{label(deadline_event)}至少{days_text}前发出{cite}，"
            f"{label(deadline_event)}（{cn_datetime(old)}）不变"
        )
        return AmendmentEffect(
            False, deadline_event, old, old, msg, basis, min_days, timeline, (), b.provisional_years
        )
    new = b.at
    later = _descendants(ruleset, deadline_event)
    delta = new - old
    anchors: dict[str, dt.datetime] = {}
    for ev, t in timeline.anchors.items():
        if ev == deadline_event:
            continue
        anchors[ev] = t + delta if (t > old or ev in later) else t
    anchors[deadline_event] = new
    moved_anchors = {ev for ev in anchors if ev != deadline_event and anchors[ev] != timeline.anchors[ev]}
    after = compute(
        ruleset,
        anchors,
        table,
        factor=timeline.factor,
        times=timeline.times,
        default_time=timeline.default_time,
        _raise=moved_anchors,
    )
    shifted = tuple(
        (e.event, e.at, after.at(e.event))
        for e in timeline.events
        if e.at is not None and after.at(e.event) is not None and after.at(e.event) != e.at
    )
    msg = (
        f"澄清或者修改的内容可能影响{doc}编制，发出时间（{cn_datetime(amended)}）距{label(deadline_event)}"
        f"（{cn_datetime(old)}）不足{days_text}{cite}，{label(deadline_event)}应顺延至"
        f"{cn_datetime(new, seconds=b.accelerated)}"
    )
    if b.accelerated:
        msg += "（加速模式按比例缩短）"
    msg += cal.provisional_note(b.provisional_years)
    return AmendmentEffect(
        True, deadline_event, old, new, msg, basis, min_days, after, shifted, b.provisional_years
    )
