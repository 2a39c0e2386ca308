"""The backend-specific half of notice search: creating the full-text index, writing to it and
querying it, on SQLite (FTS5) and PostgreSQL (``tsvector`` + GIN). Used by the portal's services,
selectors and migrations only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.html import strip_tags

from ggzy.core import clock
from ggzy.portal import segment
from ggzy.portal.segment import Term

FTS_TABLE = "portal_notice_fts"
DOC_TABLE = "portal_noticedocument"
WINDOWS = (7, 30, 120, 365, None)  # PostgreSQL: days back searched first (None: all)
CANDIDATES = 1000  # the newest matches that are counted and ranked by relevance (50 pages of 20)
TITLE_WEIGHT = 5.0  # a match in the title counts five times a match in the body (SQLite bm25)

SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "title_tokens, body_tokens, tokenize = 'unicode61 remove_diacritics 0')"
)
SQLITE_DROP = f"DROP TABLE IF EXISTS {FTS_TABLE}"
PG_CREATE = [
    f"ALTER TABLE {DOC_TABLE} ADD COLUMN search tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', title_tokens), 'A') || "
    "setweight(to_tsvector('simple', body_tokens), 'B')) STORED",
    f"CREATE INDEX portal_notice_search_gin ON {DOC_TABLE} USING GIN (search)",
]
PG_DROP = [
    "DROP INDEX IF EXISTS portal_notice_search_gin",
    f"ALTER TABLE {DOC_TABLE} DROP COLUMN IF EXISTS search",
]


def document(notice: Any, project: Any) -> dict[str, Any]:
    """The fields of a notice's search document (works on historical models in migrations)."""
    body = " ".join([project.name, project.code, notice.number, strip_tags(notice.body_html or "")])
    return {
        "kind": notice.kind,
        "category": project.category,
        "procedure": project.ruleset_code,
        "region_code": project.region_code,
        "published_at": notice.published_at,
        "title_tokens": segment.index_text(notice.title),
        "body_tokens": segment.index_text(body),
    }


def create(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(SQLITE_CREATE)
        elif connection.vendor == "postgresql":
            for sql in PG_CREATE:
                cursor.execute(sql)


def drop(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(SQLITE_DROP)
        elif connection.vendor == "postgresql":
            for sql in PG_DROP:
                cursor.execute(sql)


def write(connection, notice_id: int, title_tokens: str, body_tokens: str) -> None:
    """Index one document (PostgreSQL indexes the stored row by itself). A stale entry under the
    same id (a test database flushed under the FTS table) is replaced."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [notice_id])
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, title_tokens, body_tokens) VALUES (%s, %s, %s)",
            [notice_id, title_tokens, body_tokens],
        )


def clear(connection) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE}")


def _fts5_query(terms: list[Term]) -> str:
    parts = []
    for term in terms:
        options = [" AND ".join(f'"{t}"' for t in group) for group in term.alternatives]
        parts.append("(" + " OR ".join(f"({o})" for o in options) + ")")
    return " AND ".join(parts)


def _tsquery(terms: list[Term]) -> str:
    parts = []
    for term in terms:
        options = [" & ".join(f"'{t}'" for t in group) for group in term.alternatives]
        parts.append("(" + " | ".join(f"({o})" for o in options) + ")")
    return " & ".join(parts)


def search(
    connection,
    terms: list[Term],
    scope_sql: str | None,
    scope_params: list[Any],
    limit: int,
    offset: int,
) -> tuple[int, bool, list[int]]:
    """(number of matches, whether there are more than ``CANDIDATES``, ids of this page best
    first) among the documents whose ids ``scope_sql`` selects (None: all).

    Cost is bounded whatever the size of the collection: only the **newest ``CANDIDATES`` (+1)
    matches** are read (SQLite: FTS5 walks its doclists backwards and stops, one statement;
    PostgreSQL: widening time windows, ``_search_postgresql``), counted, ranked by relevance
    (bm25 / ts_rank_cd, the title weighing more) and the page cut from them. Broad queries therefore report "more than 1,000" and rank the newest 1,000. Tokens are
    letters, digits and Chinese characters only (``segment``): quoting them needs no escaping."""
    scoped = f" AND d.notice_id IN ({scope_sql})" if scope_sql else ""
    if connection.vendor == "sqlite":
        t = FTS_TABLE
        # always joined: an index entry counts only with its document (a test database flushed
        # under the FTS table leaves entries behind; ``write`` replaces one whose id is reused)
        source = f"FROM {t} JOIN {DOC_TABLE} d ON d.notice_id = {t}.rowid WHERE {t} MATCH %s{scoped}"
        params = [_fts5_query(terms), *scope_params]
        candidates = (
            f"SELECT {t}.rowid AS id, bm25({t}, {TITLE_WEIGHT}, 1.0) AS score {source} "
            f"ORDER BY {t}.rowid DESC LIMIT {CANDIDATES + 1}"
        )
        rank = "score, id DESC"
        order = "id DESC"
    elif connection.vendor == "postgresql":
        return _search_postgresql(connection, terms, scoped, scope_params, limit, offset)
    else:  # pragma: no cover - the platform runs on SQLite or PostgreSQL only
        raise NotImplementedError(connection.vendor)
    with connection.cursor() as cursor:
        # c holds one row more than is ranked: it tells whether there are more matches
        cursor.execute(
            f"WITH c AS ({candidates}), r AS (SELECT * FROM c ORDER BY {order} LIMIT {CANDIDATES}) "
            f"SELECT id, (SELECT count(*) FROM c) FROM r ORDER BY {rank} LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        rows = cursor.fetchall()
        if rows:
            found = rows[0][1]
        else:  # a page past the end: count on its own
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 {source} LIMIT {CANDIDATES + 1}) n", params)
            found = cursor.fetchone()[0]
    return min(found, CANDIDATES), found > CANDIDATES, [row[0] for row in rows]


def _search_postgresql(
    connection, terms: list[Term], scoped: str, scope_params: list[Any], limit: int, offset: int
) -> tuple[int, bool, list[int]]:
    """PostgreSQL: the newest matches by **widening time windows** (the last 7 days, 30, 120, 365,
    then all). Each window is one bitmap AND of the GIN index and the publication-time index, so
    a common word (采购, in 13% of notices) reads a week's matches instead of every match's row,
    and a rare word costs a few cheap index probes. The first window holding more than
    ``CANDIDATES`` matches holds the newest ones."""
    query = _tsquery(terms)
    now = clock.now()
    for days in WINDOWS:
        since = "" if days is None else " AND d.published_at >= %s"
        window = [] if days is None else [now - dt.timedelta(days=days)]
        source = f"FROM {DOC_TABLE} d WHERE d.search @@ to_tsquery('simple', %s){since}{scoped}"
        params = [query, *window, *scope_params]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 {source} LIMIT {CANDIDATES + 1}) n", params)
            found = cursor.fetchone()[0]
            if found <= CANDIDATES and days is not None:
                continue
            # the rank is computed on the candidates only (the planner would rank every match)
            cursor.execute(
                f"WITH c AS (SELECT d.notice_id AS id, d.published_at AS at, d.search {source} "
                f"ORDER BY d.published_at DESC, d.notice_id DESC LIMIT {CANDIDATES}) "
                "SELECT id FROM c ORDER BY ts_rank_cd(search, to_tsquery('simple', %s)) DESC, at DESC, id DESC "
                "LIMIT %s OFFSET %s",
                [*params, query, limit, offset],
            )
            ids = [row[0] for row in cursor.fetchall()]
        return min(found, CANDIDATES), found > CANDIDATES, ids
    raise AssertionError("unreachable: the last window is unbounded")
