"""The fair-competition check (公平竞争审查) of notice and tender-document text. Pure module.

``check(text, category=...)`` returns a ``Finding`` per clause that a rule in ``fairness_rules``
flags: the rule's code, character offsets into the ORIGINAL text (so a page can highlight
``text[start:end]``), the articles, a Chinese message and a suggestion. Staff fix the clause or
record why it stands before publishing (the trading services keep the overrides).

Matching runs over a normalised copy of the text (NFKC, lower case, spaces and tabs removed, line
breaks kept) with a map from each normalised character back to the original one, so "须 在 本 市
注册" and full-width "（本市）" match the same expressions and the offsets still point into the
text the user wrote.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ggzy.core.errors import InvalidInput
from ggzy.rules.schema import Citation
from ggzy.trading.fairness_rules import ALL, CATEGORY_SCOPES, RULES, Rule

CLAUSE = r"[^。;!?\n]"  # what "~" stands for in the rules: a character of the same clause
CLAUSE_END = re.compile(r"[。;!?\n]")
MAX_CHARS = 2_000_000  # a tender document of 1,000 pages; bounds the work per call
_DROP = {" ", "\t", "\r", "\u00a0", "\u3000", "\u200b", "\ufeff"}


@dataclass(frozen=True)
class Finding:
    code: str  # the rule, e.g. fairness.local_registration
    title: str  # Chinese
    start: int  # offsets into the original text: excerpt == text[start:end]
    end: int
    excerpt: str
    basis: tuple[Citation, ...]  # the articles that apply to this trade
    message_zh: str
    suggestion_zh: str

    @property
    def articles(self) -> str:
        """e.g. "《招标投标法实施条例》第三十二条第二款第（三）项；…"."""
        return "；".join(c.label() for c in self.basis)

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "title": self.title,
            "start": self.start,
            "end": self.end,
            "excerpt": self.excerpt,
            "articles": [{"law": c.law, "article": c.article, "label": c.label()} for c in self.basis],
            "message": self.message_zh,
            "suggestion": self.suggestion_zh,
        }


@dataclass(frozen=True)
class Normalised:
    text: str
    index: tuple[int, ...]  # index[i]: the original offset of normalised character i

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span covering normalised characters [start, end)."""
        return self.index[start], self.index[end - 1] + 1


def normalise(text: str) -> Normalised:
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch in _DROP:
            continue
        norm = ch if ch.isascii() else unicodedata.normalize("NFKC", ch)
        for c in norm.lower():
            if c in _DROP:
                continue
            chars.append(c)
            index.append(i)
    return Normalised("".join(chars), tuple(index))


@dataclass(frozen=True)
class _Compiled:
    rule: Rule
    patterns: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern.replace("~", CLAUSE))


@lru_cache(maxsize=1)
def compiled() -> tuple[_Compiled, ...]:
    return tuple(
        _Compiled(r, tuple(_compile(p) for p in r.patterns), tuple(_compile(p) for p in r.unless))
        for r in RULES
    )


def _scopes(category: str | None) -> tuple[str, ...] | None:
    if category is None:
        return None
    if category in CATEGORY_SCOPES:
        return CATEGORY_SCOPES[category]
    return (ALL,)  # "other.*" categories and anything unknown: the seed binds every trade


def _clause(text: str, start: int, end: int) -> str:
    left = start
    while left > 0 and not CLAUSE_END.match(text[left - 1]):
        left -= 1
    m = CLAUSE_END.search(text, end)
    return text[left : m.start() if m else len(text)]


def check(text: str, *, category: str | None = None) -> list[Finding]:
    """The flagged clauses of ``text``, in order. ``category`` (engineering, procurement, land …)
    selects the articles that apply; None reports every rule with every article."""
    if not isinstance(text, str):
        raise InvalidInput("fairness.text_invalid", "审查的内容应为文本", field="text")
    if len(text) > MAX_CHARS:
        raise InvalidInput("fairness.text_too_long", f"审查的文本过长（超过{MAX_CHARS}字）", field="text")
    scopes = _scopes(category)
    norm = normalise(text)
    found: list[Finding] = []
    for c in compiled():
        basis = tuple(b.citation for b in c.rule.basis if scopes is None or b.scope in scopes)
        if not basis:
            continue
        spans: list[tuple[int, int]] = []
        for pattern in c.patterns:
            for m in pattern.finditer(norm.text):
                if m.end() == m.start():
                    continue
                if c.unless:
                    clause = _clause(norm.text, m.start(), m.end())
                    if any(u.search(clause) for u in c.unless):
                        continue
                spans.append((m.start(), m.end()))
        for a, b in _merge(spans):
            start, end = norm.span(a, b)
            found.append(
                Finding(
                    c.rule.code,
                    c.rule.title,
                    start,
                    end,
                    text[start:end],
                    basis,
                    f"{c.rule.explanation}（{'；'.join(x.label() for x in basis)}）",
                    c.rule.suggestion,
                )
            )
    found.sort(key=lambda f: (f.start, f.end, f.code))
    return found


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping matches of one rule become one finding."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out
