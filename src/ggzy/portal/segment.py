"""Chinese text for full-text search: jieba segmentation plus character bigrams. Pure module.

Documents are indexed as the words of ``jieba.cut_for_search`` (which also yields the shorter words
inside long ones: 太原市 -> 太原, 太原市) **and** every pair of adjacent Chinese characters. The
bigrams catch what segmentation misses: jieba cuts 呼和浩特市 into one word and never yields 呼和浩特,
but the bigrams 呼和 和浩 浩特 are all there. A query is split on spaces into terms; a term matches
a document that has all its jieba words, or all its bigrams. Both sides are segmented the same way
(a raw query word often matches nothing: see STACK-NOTES).

Tokens are written space-separated; the database's own tokenizer (SQLite FTS5 ``unicode61``,
PostgreSQL's ``simple`` configuration) then only splits on those spaces and lowercases.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from functools import cache

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_TOKEN_SPLIT = re.compile(r"[^0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
MAX_TERMS = 8
MAX_QUERY = 100


@cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _clean(token: str) -> list[str]:
    """A segmenter token as the database tokenizer will see it (split on anything not a letter,
    digit or Chinese character; lowercased)."""
    return [t.lower() for t in _TOKEN_SPLIT.split(token) if t]


def words(text: str) -> list[str]:
    """The jieba search words of ``text``, in order, cleaned (may repeat)."""
    out: list[str] = []
    for token in _jieba().cut_for_search(text):
        if _WORD.search(token):
            out.extend(_clean(token))
    return out


def bigrams(text: str) -> list[str]:
    """Every pair of adjacent Chinese characters inside each run of Chinese text."""
    out: list[str] = []
    for run in _HAN.findall(text):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def index_text(text: str) -> str:
    """What to store in the full-text index for ``text``: its words and bigrams, space-separated."""
    return " ".join(words(text) + bigrams(text))


@dataclass(frozen=True)
class Term:
    """One query term: it matches where all ``words`` are present, or all ``grams``."""

    text: str
    words: tuple[str, ...]
    grams: tuple[str, ...]

    @property
    def alternatives(self) -> list[tuple[str, ...]]:
        """The token sets any of which matches the term (without an empty or repeated set)."""
        out: list[tuple[str, ...]] = []
        for group in (self.words, self.grams):
            if group and group not in out:
                out.append(group)
        return out


def parse_query(query: str) -> list[Term]:
    """The terms of a user's query (at most ``MAX_TERMS``, each with tokens); [] when nothing in
    it can be searched (punctuation only)."""
    terms: list[Term] = []
    for part in (query or "")[:MAX_QUERY].split():
        ws = tuple(dict.fromkeys(words(part)))
        gs = tuple(dict.fromkeys(bigrams(part)))
        if not ws and not gs:
            continue
        terms.append(Term(text=part, words=ws, grams=gs))
        if len(terms) == MAX_TERMS:
            break
    return terms


def needles(terms: list[Term]) -> list[str]:
    """The strings to highlight: each term's text as typed, and its words."""
    found: dict[str, None] = {}
    for term in terms:
        for text in (term.text, *term.words):
            if len(text) >= 1 and _WORD.search(text):
                found[text] = None
    return sorted(found, key=len, reverse=True)


def highlight(text: str, terms: list[Term], width: int = 120) -> str:
    """An HTML-escaped snippet of ``text`` around the first match, matches wrapped in ``<mark>``."""
    text = re.sub(r"\s+", " ", text or "").strip()
    marks = needles(terms)
    lowered = text.lower()
    first = min((i for i in (lowered.find(n.lower()) for n in marks) if i >= 0), default=-1)
    if first < 0:
        snippet, start = text[:width], 0
    else:
        start = max(0, first - width // 3)
        snippet = text[start : start + width]
    end = start + len(snippet)
    if not marks:
        body = html.escape(snippet)
    else:
        pattern = re.compile("|".join(re.escape(n) for n in marks), re.IGNORECASE)
        pieces, last = [], 0
        for m in pattern.finditer(snippet):
            pieces.append(html.escape(snippet[last : m.start()]))
            pieces.append(f"<mark>{html.escape(m.group(0))}</mark>")
            last = m.end()
        pieces.append(html.escape(snippet[last:]))
        body = "".join(pieces)
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
