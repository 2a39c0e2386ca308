"""Killing the server process in the middle of a submission leaves no bid and no receipt.

A child process (a fresh interpreter on the same PostgreSQL test database) commits a prepared
upload and is killed with SIGKILL at a chosen step: right after the file was renamed into place,
or inside the database transaction after the receipt was appended. The database is left without
the bid, the receipt or the audit event; at most an orphan file that no bid names remains, and
the bidder's upload can still be committed afterwards."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from django.db import connection

from ggzy.audit.models import AuditEvent
from ggzy.core.errors import DomainError
from ggzy.tendering import services, storage
from ggzy.tendering.models import Bid, ReceiptLogEntry, SignedTreeHead
from tests.tendering import bidding as b

CHILD = r"""
import os, signal, sys
import django
django.setup()
from django.conf import settings
settings.GGZY_BID_DIR = sys.argv[1]
from ggzy.accounts.models import User
from ggzy.audit import services as audit
from ggzy.tendering import services, storage
step = sys.argv[3]
if step == "after_rename":
    real_install = storage.install
    def install(*a, **kw):
        out = real_install(*a, **kw)
        os.kill(os.getpid(), signal.SIGKILL)
        return out
    storage.install = install
else:
    real_record = audit.record_many
    def record_many(entries):  # the receipt's and the bid's events: appended, not committed
        if any(e.get("action") == "bid.submitted" for e in entries):
            os.kill(os.getpid(), signal.SIGKILL)
        return real_record(entries)
    audit.record_many = record_many
upload = services.upload_get(sys.argv[2], User.objects.get(pk=int(sys.argv[4])))
services.bid_upload_commit(upload=upload, actor=User.objects.get(pk=int(sys.argv[4])))
print("NOT KILLED")
"""


def _state(lt):
    return (
        Bid.objects.filter(lot=lt).count(),
        ReceiptLogEntry.objects.count(),
        SignedTreeHead.objects.count(),
        AuditEvent.objects.filter(action="bid.submitted").count(),
    )


@pytest.mark.parametrize("step", ["after_rename", "in_transaction"])
@pytest.mark.django_db(transaction=True)
def test_killed_mid_submission_leaves_no_bid_and_no_receipt(step, bid_dir):
    if connection.vendor != "postgresql":
        pytest.skip("the child process needs a shared server database: PostgreSQL")
    lt, bidder = b.lot(), b.Bidder()
    env, meta = b.seal(b.plaintext(lt, bidder), bidder)
    up = services.bid_upload_create(lot=lt, chunk_size=64 << 10, actor=bidder.user, **meta)
    for i in range(services.chunk_count(up)):
        services.bid_chunk_put(upload=up, index=i, data=env[i * 65536 : (i + 1) * 65536], actor=bidder.user)
    before = _state(lt)
    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    env_vars = dict(
        os.environ, GGZY_DATABASE_URL=url, GGZY_ENV="test", DJANGO_SETTINGS_MODULE="ggzy.settings"
    )
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(bid_dir), up.token, step, str(bidder.user.pk)],
        env=env_vars,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr
    assert _state(lt) == before
    known = set(Bid.objects.values_list("path", flat=True))
    leftovers = storage.orphans(known)
    assert len(leftovers) <= 1  # the renamed file, named by no bid: not a bid
    # the bidder's client sends the chunks again and commits
    up = services.upload_get(up.token, bidder.user)
    with pytest.raises(DomainError) as err:
        services.bid_upload_commit(upload=up, actor=bidder.user)
    assert err.value.code == "bid.chunks_missing"
    for i in range(services.chunk_count(up)):
        services.bid_chunk_put(upload=up, index=i, data=env[i * 65536 : (i + 1) * 65536], actor=bidder.user)
    bid = services.bid_upload_commit(upload=up, actor=bidder.user)
    assert bid.status == Bid.ACTIVE and _state(lt)[0] == before[0] + 1
    assert storage.path_of(bid.path).read_bytes() == env
