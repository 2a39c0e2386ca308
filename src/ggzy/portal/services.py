"""Writes of the portal: the notice search index (derived data).

``notice_index`` runs inside the transaction that publishes a notice, so a notice is searchable
exactly when it is public. Index rows are derived from the notice and not audited one by one (the
notice's publication is); a full rebuild is audited as one event.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ggzy.audit import services as audit
from ggzy.core.permissions import require
from ggzy.portal import fulltext
from ggzy.portal.models import NoticeDocument


def notice_index(notice: Any) -> NoticeDocument:
    """Index one published notice (replacing its document if it was indexed before)."""
    fields = fulltext.document(notice, notice.project)
    doc, _ = NoticeDocument.objects.update_or_create(notice_id=notice.pk, defaults=fields)
    fulltext.write(transaction.get_connection(), notice.pk, fields["title_tokens"], fields["body_tokens"])
    return doc


@transaction.atomic
def search_reindex(*, actor: Any, notices: Any) -> int:
    """Rebuild the whole index from ``notices`` (every published notice). Returns the count."""
    require(actor, "masterdata.manage")
    connection = transaction.get_connection()
    NoticeDocument.objects.all().delete()
    fulltext.clear(connection)
    count = 0
    for notice in notices.select_related("project").iterator(chunk_size=500):
        notice_index(notice)
        count += 1
    audit.record(
        actor=actor,
        action="search.reindex",
        object_type="portal.search",
        object_id="notices",
        summary={"documents": count},
    )
    return count
