"""Tender documents (issue 4 item 2): published with the notice, every download recorded per
entity; supervisors see who downloaded, other bidders and the public never do; bad input stores
nothing."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
import time_machine

from ggzy.accounts.models import Role
from ggzy.core import clock
from ggzy.core.errors import Conflict, InvalidInput, PermissionDenied
from ggzy.crypto import platform
from ggzy.tendering import documents as docs
from ggzy.tendering.models import DocumentDownload, TenderDocument
from tests import factories
from tests.experts import helpers as eh
from tests.tendering import bidding as b
from tests.trading import helpers as th

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% \xe6\x8b\x9b\xe6\xa0\x87\xe6\x96\x87\xe4\xbb\xb6\n" * 200


def test_downloads_are_recorded_per_entity_and_seen_by_supervisors_only(bid_dir):
    lot = b.lot()
    op = th.operator()
    doc = docs.document_publish(
        lot=lot, name="招标文件（第一版）", filename="招标文件.pdf", data=PDF, actor=op
    )
    # the public list carries the digest and the platform's signature over it
    (row,) = docs.documents_of(lot)
    assert row["sm3"] == doc.sm3 and docs.verify_signature(row["sm3"], row["signature"])
    assert platform.public_key().verify(
        base64.b64decode(row["signature"]), f"GGZY-DOCUMENT-SM3:{doc.sm3}".encode()
    )
    one, two = b.Bidder(), b.Bidder()
    _doc, path = docs.document_download(document_id=doc.pk, actor=one.user, client_ip="10.1.2.3")
    assert path.read_bytes() == PDF
    docs.document_download(document_id=doc.pk, actor=two.user)
    docs.document_download(document_id=doc.pk, actor=one.user)
    seen = docs.downloads_of(lot, eh.supervisor("140100", "housing"))
    assert [r["uscc"] for r in seen] == [one.uscc, two.uscc, one.uscc]
    assert seen[0]["client_ip"] == "10.1.2.3"
    for oversight in (Role.INSPECTOR, Role.AUDITOR):  # they read the audit trail anyway
        assert len(docs.downloads_of(lot, factories.user(oversight))) == 3
    # the operator running the trade is refused too (招标投标法第二十二条)
    for outsider in (one.user, two.user, None, op):
        with pytest.raises(PermissionDenied) as err:
            docs.downloads_of(lot, outsider)
        assert err.value.code == "document.downloads_forbidden"


def test_bad_input_stores_nothing(bid_dir):
    lot = b.lot(deadline_in=600)
    op = th.operator()
    cases = [
        ({"name": "", "filename": "a.pdf", "data": PDF}, "document.name_invalid"),
        ({"name": "招标文件", "filename": "a.pdf", "data": b""}, "document.empty"),
        ({"name": "招标文件", "filename": "", "data": PDF}, "document.filename_invalid"),
    ]
    for kw, code in cases:
        with pytest.raises(InvalidInput) as err:
            docs.document_publish(lot=lot, actor=op, **kw)
        assert err.value.code == code
    with pytest.raises(PermissionDenied):
        docs.document_publish(lot=lot, name="招标文件", filename="a.pdf", data=PDF, actor=b.Bidder().user)
    docs.document_publish(lot=lot, name="招标文件", filename="a.pdf", data=PDF, actor=op)
    with pytest.raises(Conflict) as err:
        docs.document_publish(lot=lot, name="招标文件（重复）", filename="b.pdf", data=PDF, actor=op)
    assert err.value.code == "document.duplicate"
    with pytest.raises(PermissionDenied) as err:  # an operator is no entity: no download on its name
        docs.document_download(document_id=TenderDocument.objects.get().pk, actor=op)
    assert err.value.code == "document.not_an_entity"
    with (
        time_machine.travel(clock.now() + dt.timedelta(seconds=601), tick=False),
        pytest.raises(Conflict) as err,
    ):
        docs.document_publish(lot=lot, name="补充文件", filename="c.pdf", data=PDF + b"x", actor=op)
    assert err.value.code == "document.deadline_passed"
    assert TenderDocument.objects.count() == 1 and DocumentDownload.objects.count() == 0
    assert len(list((bid_dir / "documents" / lot.code).iterdir())) == 1


def test_document_api(client, bid_dir):
    lot = b.lot()
    op = th.operator()
    client.force_login(op)
    r = client.post(f"/api/tendering/lots/{lot.code}/documents", {"name": "招标文件", "file": _upload()})
    assert r.status_code == 201, r.content
    doc_id = r.json()["id"]
    client.logout()
    listed = client.get(f"/api/tendering/lots/{lot.code}/documents").json()
    assert [d["id"] for d in listed] == [doc_id]
    assert client.get(f"/api/tendering/documents/{doc_id}/file").status_code == 401
    bidder = b.Bidder()
    client.force_login(bidder.user)
    r = client.get(f"/api/tendering/documents/{doc_id}/file")
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert r["X-Content-SM3"] == listed[0]["sm3"]
    r = client.get(f"/api/tendering/lots/{lot.code}/document-downloads")
    assert r.status_code == 403 and r.json()["code"] == "document.downloads_forbidden"
    assert bidder.uscc not in r.content.decode()
    client.force_login(eh.supervisor("140100", "housing"))
    rows = client.get(f"/api/tendering/lots/{lot.code}/document-downloads").json()
    assert [x["uscc"] for x in rows] == [bidder.uscc]
    assert client.get("/api/tendering/documents/999999/file").json()["code"] == "document.not_found"


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("招标文件.pdf", PDF, content_type="application/pdf")
