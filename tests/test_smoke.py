import pytest
from django.db import transaction

from ggzy.audit import chain
from ggzy.audit.models import AuditEvent
from ggzy.audit.services import record


@pytest.mark.django_db
def test_health(client):
    r = client.get("/api/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


@pytest.mark.django_db
def test_home_page_is_chinese(client):
    r = client.get("/")
    assert r.status_code == 200
    assert "公共资源交易平台" in r.content.decode()


@pytest.mark.django_db
def test_record_chains_events():
    with transaction.atomic():
        a = record(actor=None, action="test.a", object_type="t", object_id=1, summary={"x": 1})
        b = record(actor=None, action="test.b", object_type="t", object_id=2)
    assert b.prev_hash == a.hash and a.seq + 1 == b.seq
    from ggzy.audit.services import at_text

    rows = [
        (
            e.seq,
            at_text(e.at),
            e.actor_id,
            e.actor_label,
            e.action,
            e.object_type,
            e.object_id,
            e.project_ref,
            e.entity_ref,
            e.summary,
            e.prev_hash,
            e.hash,
        )
        for e in AuditEvent.objects.order_by("seq")
    ]
    assert chain.verify(rows) == (2, None)
