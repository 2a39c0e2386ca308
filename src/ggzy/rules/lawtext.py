"""The platform's law library: the full texts in ``rules/law/*.md``, article by article. Pure module.

A file is named ``<law>(<date of the version>).md`` (e.g. ``招标投标法(2017-12-27).md``); its articles
are the paragraphs that start with ``第…条`` up to the next article or heading. A citation is
*confirmed* only when its law is here and the article exists, so the public pages can show the
article's full text and the tests can check that the article states the figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LAW_DIR = Path(__file__).with_name("law")
_ARTICLE = re.compile(r"^(第[零一二三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?)[\s　]")
_DATED = re.compile(r"^(?P<name>.+?)\((?P<date>\d{4}-\d{2}-\d{2})\)$")
# Names a citation may use for a file whose title differs.
ALIASES = {"民法典": "民法典总则"}


@dataclass(frozen=True)
class Law:
    name: str  # short name used in citations, e.g. 招标投标法
    title: str  # the first heading, e.g. 中华人民共和国招标投标法
    version: str  # the date in the file name, or ""
    filename: str
    articles: dict[str, str]  # 第二十四条 -> full text (paragraphs joined by newlines)


def _parse(path: Path) -> Law:
    stem = path.stem
    m = _DATED.match(stem)
    name, version = (m["name"], m["date"]) if m else (stem, "")
    title = name
    articles: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("# ") and title == name:
            title = line[2:].strip()
        if line.startswith("#"):
            if current:
                articles[current] = "\n".join(lines)
            current, lines = None, []
            continue
        found = _ARTICLE.match(line)
        if found:
            if current:
                articles[current] = "\n".join(lines)
            current, lines = found.group(1), [line]
        elif current and line and not line.startswith("<!--"):
            lines.append(line)
    if current:
        articles[current] = "\n".join(lines)
    return Law(name=name, title=title, version=version, filename=path.name, articles=articles)


@lru_cache(maxsize=1)
def library() -> dict[str, Law]:
    """Every law in the folder by its short name (README.md is not a law)."""
    laws = {}
    for path in sorted(LAW_DIR.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        law = _parse(path)
        laws[law.name] = law
    return laws


def find(name: str) -> Law | None:
    laws = library()
    return laws.get(name) or laws.get(ALIASES.get(name, ""))


def has_law(name: str) -> bool:
    return find(name) is not None


def article(name: str, article_no: str) -> str | None:
    """The full text of an article, or None when the law or the article is not in the library."""
    law = find(name)
    if law is None:
        return None
    return law.articles.get(article_no)
