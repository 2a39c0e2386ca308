"""The chain finds every kind of tampering, done the way an intruder would: raw SQL / QuerySet.update."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from ggzy.audit import chain, verification
from ggzy.audit.models import AuditEvent, AuditHead
from ggzy.audit.selectors import verify_chain_unchecked
from ggzy.audit.services import at_text, record

pytestmark = pytest.mark.django_db


def verify(**kw):
    return verify_chain_unchecked(**kw)


def test_clean_chain_passes_and_checks_head(make_events):
    make_events(12)
    r = verify()
    assert r.ok and r.checked == 12 and r.head_checked and r.problem is None


def test_empty_chain_passes():
    r = verify()
    assert r.ok and r.checked == 0


def test_database_canonical_text_matches_python(make_events):
    """The SQL fast path builds exactly chain.canonical_text (NULL actor, whole seconds, Chinese)."""
    make_events(2)
    with transaction.atomic():
        e = record(actor=None, action="x.y", object_type="t", object_id="a", summary={"说明": "中文"})
    AuditEvent.objects.filter(pk=e.pk).update(at=dt.datetime(2026, 3, 1, 8, 0, 0, tzinfo=dt.UTC))
    rows = list(verification._rows(1, 3))
    for ev, (seq, text, _, _) in zip(AuditEvent.objects.order_by("seq"), rows, strict=True):
        expected = chain.canonical_text(
            (
                ev.seq,
                at_text(ev.at),
                ev.actor_id,
                ev.actor_label,
                ev.action,
                ev.object_type,
                ev.object_id,
                ev.project_ref,
                ev.entity_ref,
                ev.summary,
            )
        )
        assert bytes(text).decode() == expected and seq == ev.seq
    assert rows[2][1].decode().split(chain.SEP)[1] == "2026-03-01T08:00:00.000000+00:00"


@pytest.mark.parametrize(
    "field,value",
    [
        ("summary", json.dumps({"名称": ["旧名", "篡改"]}, ensure_ascii=False)),
        ("at", dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
        ("actor_label", "别人"),
        ("actor_id", 99),
        ("action", "test.other"),
        ("object_type", "other"),
        ("object_id", "999"),
        ("project_ref", "SX-FAKE"),
        ("entity_ref", "91140100MA0L8QX12A"),
    ],
)
def test_edited_event_is_named(make_events, field, value):
    make_events(6)
    AuditEvent.objects.filter(seq=4).update(**{field: value})
    r = verify()
    assert not r.ok
    assert (r.problem.seq, r.problem.kind) == (4, chain.ALTERED)
    assert "篡改" in r.problem.message


def test_edited_event_with_recomputed_hash_breaks_next_link(make_events):
    make_events(5)
    e = AuditEvent.objects.get(seq=3)
    forged_summary = chain.canonical_json({"金额": "1"})
    row = (e.seq, at_text(e.at), e.actor_id, e.actor_label, e.action, e.object_type, e.object_id)
    row += (e.project_ref, e.entity_ref, forged_summary)
    AuditEvent.objects.filter(seq=3).update(summary=forged_summary, hash=chain.event_hash(e.prev_hash, row))
    r = verify()
    assert (r.problem.seq, r.problem.kind) == (4, chain.BROKEN_LINK)


def test_deleted_middle_event(make_events):
    make_events(6)
    with connection.cursor() as c:
        c.execute("DELETE FROM audit_auditevent WHERE seq = 3")
    r = verify()
    assert (r.problem.seq, r.problem.kind) == (3, chain.DELETED) and r.checked == 2
    assert "第3号" in r.problem.message


def test_deleted_tail_is_caught_by_the_head(make_events):
    make_events(6)
    AuditEvent.objects.filter(seq__gte=5).delete()
    r = verify()
    assert (r.problem.seq, r.problem.kind) == (5, chain.DELETED)


def test_deleted_tail_with_head_rewound_breaks_head_hash(make_events):
    events = make_events(6)
    AuditEvent.objects.filter(seq=6).delete()
    AuditHead.objects.filter(pk=1).update(seq=6, hash=events[4].hash)
    r = verify()
    assert not r.ok and r.problem.seq in (6,)


def _swap_seq(a: int, b: int) -> None:
    AuditEvent.objects.filter(seq=a).update(seq=-1)
    AuditEvent.objects.filter(seq=b).update(seq=a)
    AuditEvent.objects.filter(seq=-1).update(seq=b)


def test_swapped_pair_by_seq(make_events):
    make_events(6)
    _swap_seq(3, 4)
    r = verify()
    assert (r.problem.seq, r.problem.kind) == (3, chain.REORDERED)
    assert "调换" in r.problem.message


def test_swapped_pair_contents(make_events):
    make_events(6)
    fields = [f for f in chain.FIELDS if f != "seq"]  # the events trade places; seq and hashes stay
    a = AuditEvent.objects.filter(seq=2).values(*fields).get()
    b = AuditEvent.objects.filter(seq=3).values(*fields).get()
    AuditEvent.objects.filter(seq=2).update(**b)
    AuditEvent.objects.filter(seq=3).update(**a)
    r = verify()
    assert (r.problem.seq, r.problem.kind) == (2, chain.REORDERED)


def test_forged_event_appended_with_valid_hash(make_events):
    events = make_events(3)
    last = events[-1]
    row = (4, at_text(last.at), None, "伪造", "x.forged", "t", "1", "", "", "{}")
    AuditEvent.objects.create(
        seq=4,
        at=last.at,
        actor_label="伪造",
        action="x.forged",
        object_type="t",
        object_id="1",
        summary="{}",
        prev_hash=last.hash,
        hash=chain.event_hash(last.hash, row),
    )
    r = verify()
    assert (r.problem.seq, r.problem.kind) == (4, chain.INSERTED)


def test_forged_event_inserted_in_the_middle(make_events):
    events = make_events(4)
    with connection.cursor() as c:  # renumber 3, 4 -> 4, 5 to make room for a forged 3
        c.execute("UPDATE audit_auditevent SET seq = -seq WHERE seq >= 3")
        c.execute("UPDATE audit_auditevent SET seq = 1 - seq WHERE seq < 0")
    row = (3, at_text(events[1].at), None, "伪造", "x.forged", "t", "1", "", "", "{}")
    AuditEvent.objects.create(
        seq=3,
        at=events[1].at,
        actor_label="伪造",
        action="x.forged",
        object_type="t",
        object_id="1",
        summary="{}",
        prev_hash=events[1].hash,
        hash=chain.event_hash(events[1].hash, row),
    )
    r = verify()
    assert not r.ok and r.problem.seq in (3, 4)


def test_ranges_and_split_workers_agree(make_events, monkeypatch):
    make_events(10)
    monkeypatch.setattr(verification, "PARALLEL_MIN_EVENTS", 1)
    # in a test transaction other processes see nothing: ranges are verified in process
    r = verify(from_seq=3, to_seq=8)
    assert r.ok and r.checked == 6 and not r.head_checked
    results = [verification.verify_range(lo, hi) for lo, hi in chain.split(1, 10, 3)]
    assert chain.merge(results) == (10, None)
    AuditEvent.objects.filter(seq=7).update(action="x")
    results = [verification.verify_range(lo, hi) for lo, hi in chain.split(1, 10, 3)]
    _total, problem = chain.merge(results)
    assert problem.seq == 7
    AuditEvent.objects.filter(seq=4).delete()  # the boundary event of the first range
    results = [verification.verify_range(lo, hi) for lo, hi in chain.split(1, 10, 3)]
    assert chain.merge(results)[1].seq == 4


def test_command_ok_and_failure(make_events, capsys):
    make_events(4)
    call_command("audit", "verify", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] and out["checked"] == 4
    AuditEvent.objects.filter(seq=2).update(summary="{}")
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify")
    assert exc.value.code == 1
    captured = capsys.readouterr()
    assert "#2" in captured.err and "条/秒" in captured.out


@given(st.lists(st.text(max_size=20), min_size=1, max_size=8), st.data())
def test_pure_chain_detects_any_single_change(texts, data):
    """Property: for rows built with the chain rule, altering any one field of any row is found there."""
    prev = chain.GENESIS
    rows = []
    for i, t in enumerate(texts, start=1):
        fields = (i, "2026-01-01T00:00:00.000000+00:00", None, "a", "x", "t", str(i), "", "", t)
        h = chain.event_hash(prev, fields)
        rows.append((*fields, prev, h))
        prev = h
    assert chain.verify(rows) == (len(rows), None)
    k = data.draw(st.integers(0, len(rows) - 1))
    col = data.draw(st.sampled_from([1, 3, 4, 5, 6, 9]))
    bad = list(rows[k])
    bad[col] = str(bad[col]) + "!"
    tampered = [*rows[:k], tuple(bad), *rows[k + 1 :]]
    count, problem = chain.verify(tampered)
    assert count == k and problem is not None and problem.seq == k + 1
