"""The backend-specific half of notice search: creating the full-text index, writing to it and
querying it, on SQLite (FTS5) and PostgreSQL (``tsvector`` + GIN). Used by the portal's services,
selectors and migrations only."""

from __future__ import annotations

from typing import Any

from django.utils.html import strip_tags

from ggzy.portal import segment
from ggzy.portal.segment import Term

FTS_TABLE = "portal_notice_fts"
DOC_TABLE = "portal_noticedocument"
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
    connection, terms: list[Term], scope_sql: str, scope_params: list[Any], limit: int, offset: int
) -> tuple[int, list[int]]:
    """(number of matches, ids of this page best first) among the documents whose ids
    ``scope_sql`` selects. Tokens are letters, digits and Chinese characters only
    (``segment``), so quoting them needs no escaping."""
    if connection.vendor == "sqlite":
        match = [_fts5_query(terms)]
        base = (
            f"FROM {FTS_TABLE} f JOIN {DOC_TABLE} d ON d.notice_id = f.rowid "
            f"WHERE {FTS_TABLE} MATCH %s AND d.notice_id IN ({scope_sql})"
        )
        rank = f"bm25({FTS_TABLE}, {TITLE_WEIGHT}, 1.0)"
        order = f"ORDER BY {rank}, d.published_at DESC, d.notice_id DESC"
    elif connection.vendor == "postgresql":
        match = [_tsquery(terms)]
        base = (
            f"FROM {DOC_TABLE} d WHERE d.search @@ to_tsquery('simple', %s) AND d.notice_id IN ({scope_sql})"
        )
        order = "ORDER BY ts_rank_cd(d.search, to_tsquery('simple', %s)) DESC, d.published_at DESC, d.notice_id DESC"
    else:  # pragma: no cover - the platform runs on SQLite or PostgreSQL only
        raise NotImplementedError(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) {base}", match + list(scope_params))
        total = cursor.fetchone()[0]
        params = match + list(scope_params) + (match if connection.vendor == "postgresql" else [])
        cursor.execute(f"SELECT d.notice_id {base} {order} LIMIT %s OFFSET %s", [*params, limit, offset])
        ids = [row[0] for row in cursor.fetchall()]
    return total, ids
