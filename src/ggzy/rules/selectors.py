"""Reads of rule sets. Trading calls these (never the models): ``ruleset_effective`` gives the
version in force on the date a project was registered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ggzy.core import clock
from ggzy.core.errors import InvalidInput, NotFound
from ggzy.rules import lawtext, validate
from ggzy.rules.models import RuleSetVersion
from ggzy.rules.schema import Citation, RuleSet

_CACHE: dict[str, RuleSet] = {}  # digest -> RuleSet (a stored version never changes)


def to_ruleset(row: RuleSetVersion) -> RuleSet:
    rs = _CACHE.get(row.digest)
    if rs is None:
        rs = validate.validate(row.data)
        _CACHE[row.digest] = rs
    return rs


def _date(on: Any) -> dt.date:
    if isinstance(on, dt.datetime):
        return on.astimezone(clock.CHINA).date() if on.tzinfo else on.date()
    if isinstance(on, dt.date):
        return on
    try:
        return dt.date.fromisoformat(str(on))
    except ValueError:
        raise InvalidInput("rules.invalid_date", f"日期“{on}”应写成 YYYY-MM-DD", field="on") from None


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _not_found(code: str) -> NotFound:
    return NotFound("rules.not_found", f"没有代码为“{code}”的交易规则", field="code")


def version_row_effective(code: str, on: Any) -> RuleSetVersion:
    day = _date(on)
    row = (
        RuleSetVersion.objects.filter(code=code, effective_from__lte=day)
        .order_by("-effective_from", "-version")
        .first()
    )
    if row is None:
        if not RuleSetVersion.objects.filter(code=code).exists():
            raise _not_found(code)
        first = RuleSetVersion.objects.filter(code=code).order_by("effective_from").first()
        raise NotFound(
            "rules.not_in_force",
            f"交易规则“{first.name}”自{cn_date(first.effective_from)}起施行，{cn_date(day)}尚无有效版本",
            field="on",
        )
    return row


def ruleset_effective(code: str, on: Any) -> RuleSet:
    """The version in force on ``on`` (the latest effective on or before that day)."""
    return to_ruleset(version_row_effective(code, on))


def ruleset_version(code: str, version: int) -> RuleSet:
    return to_ruleset(version_row(code, version))


def version_row(code: str, version: int) -> RuleSetVersion:
    row = RuleSetVersion.objects.filter(code=code, version=version).first()
    if row is None:
        if not RuleSetVersion.objects.filter(code=code).exists():
            raise _not_found(code)
        raise NotFound("rules.version_not_found", f"交易规则“{code}”没有第{version}版", field="version")
    return row


def latest_rows() -> list[RuleSetVersion]:
    """The newest version of every rule set, ordered by category then code."""
    rows: dict[str, RuleSetVersion] = {}
    for row in RuleSetVersion.objects.order_by("code", "version"):
        rows[row.code] = row
    order = list(validate.CATEGORIES)
    return sorted(rows.values(), key=lambda r: (order.index(r.category), r.code))


def rulesets_published() -> list[RuleSet]:
    """The latest version of every rule set (for pages and the API)."""
    return [to_ruleset(r) for r in latest_rows()]


def version_rows(code: str) -> list[RuleSetVersion]:
    rows = list(RuleSetVersion.objects.filter(code=code).order_by("version"))
    if not rows:
        raise _not_found(code)
    return rows


@dataclass(frozen=True)
class Published:
    """A rule set as the public pages show it: the version in force today and any later one."""

    current: RuleSetVersion | None  # None when even version 1 is not in force yet
    latest: RuleSetVersion
    ruleset: RuleSet  # of ``current`` (or of ``latest`` when nothing is in force yet)
    upcoming: RuleSetVersion | None


def published(on: dt.date | None = None) -> list[Published]:
    day = on or clock.today()
    by_code: dict[str, list[RuleSetVersion]] = {}
    for row in RuleSetVersion.objects.order_by("code", "version"):
        by_code.setdefault(row.code, []).append(row)
    order = list(validate.CATEGORIES)
    out = []
    for rows in by_code.values():
        in_force = [r for r in rows if r.effective_from <= day]
        current = max(in_force, key=lambda r: (r.effective_from, r.version)) if in_force else None
        later = [r for r in rows if r.effective_from > day]
        upcoming = min(later, key=lambda r: r.effective_from) if later else None
        shown = current or rows[-1]
        out.append(Published(current, rows[-1], to_ruleset(shown), upcoming))
    return sorted(out, key=lambda p: (order.index(p.latest.category), p.latest.code))


def published_one(code: str, on: dt.date | None = None) -> Published:
    for p in published(on):
        if p.latest.code == code:
            return p
    raise _not_found(code)


@dataclass(frozen=True)
class CitedArticle:
    citation: Citation
    text: str | None  # the article's full text from the law library, None when unconfirmed
    law_title: str
    law_version: str


def cited_articles(rs: RuleSet) -> list[CitedArticle]:
    """Every distinct article the rule set cites, with its full text where the library has it."""
    seen: set[tuple[str, str]] = set()
    out = []
    for c in rs.all_citations():
        key = (c.law, c.article)
        if key in seen:
            continue
        seen.add(key)
        law = lawtext.find(c.law) if c.confirmed else None
        text = lawtext.article(c.law, c.article) if law is not None and c.article else None
        out.append(CitedArticle(c, text, law.title if law else c.law, law.version if law else ""))
    return out
