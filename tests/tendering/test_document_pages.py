"""The console page of a lot's tender documents, per role: the service center's operator publishes
(and sees the versions), a bidder's member downloads (recorded against its entity), a supervisor
sees the download records; another bidder never learns who downloaded. Bad input stores nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from ggzy.core import clock
from ggzy.tendering import documents as docs
from ggzy.tendering.models import DocumentDownload, TenderDocument
from tests.experts import helpers as eh
from tests.tendering import bidding as b
from tests.trading import helpers as th

pytestmark = pytest.mark.django_db
RECORDS = 'class="document-downloads"'
PDF = b"%PDF-1.4\n% \xe6\x8b\x9b\xe6\xa0\x87\xe6\x96\x87\xe4\xbb\xb6\n" * 300


def _file(data: bytes = PDF, name: str = "招标文件.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _url(lot) -> str:
    return f"/tendering/lots/{lot.code}/documents/"


def _stored(bid_dir, lot) -> list:
    d = bid_dir / "documents" / lot.code
    return sorted(p.name for p in d.iterdir()) if d.is_dir() else []


def test_operator_publishes_bidder_downloads_supervisor_sees_the_record(client, bid_dir):
    lot = b.lot()
    op = th.operator()
    client.force_login(op)
    page = client.get(_url(lot))
    assert page.status_code == 200 and "发布招标文件" in page.content.decode()
    r = client.post(_url(lot), {"name": "招标文件（第一版）", "file": _file()})
    assert r.status_code == 302 and r["Location"] == _url(lot)
    r = client.post(_url(lot), {"name": "招标文件澄清", "file": _file(PDF + b"v2", "澄清.pdf")})
    assert r.status_code == 302
    html = client.get(_url(lot)).content.decode()
    assert "招标文件（第一版）" in html and "第1版" in html and "第2版" in html and "澄清.pdf" in html
    assert "/download/" not in html  # an operator is no entity: no download button
    first, second = TenderDocument.objects.order_by("id")
    # the project's console page links to it
    assert (
        f"/tendering/lots/{lot.code}/documents/"
        in client.get(f"/projects/console/{lot.project.code}/").content.decode()
    )

    one, two = b.Bidder(), b.Bidder()
    client.force_login(one.user)
    html = client.get(_url(lot)).content.decode()
    assert f"/tendering/documents/{first.pk}/download/" in html and "发布招标文件" not in html
    r = client.post(f"/tendering/documents/{first.pk}/download/", REMOTE_ADDR="10.9.8.7")
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert r["X-Content-SM3"] == first.sm3 and "attachment" in r["Content-Disposition"]
    (rec,) = DocumentDownload.objects.all()
    assert rec.entity_id == one.entity.pk and rec.document_id == first.pk and rec.client_ip == "10.9.8.7"
    # a GET records nothing (the button posts)
    assert client.get(f"/tendering/documents/{first.pk}/download/").status_code == 405
    assert DocumentDownload.objects.count() == 1

    # another bidder: downloads too, but never sees who else did
    client.force_login(two.user)
    html = client.get(_url(lot)).content.decode()
    assert one.uscc not in html and one.entity.name not in html and RECORDS not in html
    r = client.get(f"/tendering/lots/{lot.code}/documents/downloads.csv")
    assert r.status_code == 403 and one.uscc not in r.content.decode()
    assert "只有监督人员" in r.content.decode()
    client.post(f"/tendering/documents/{second.pk}/download/")
    html = client.get(_url(lot)).content.decode()
    assert one.uscc not in html and one.entity.name not in html

    # the operator who runs the trade does not see who holds the documents either
    client.force_login(op)
    html = client.get(_url(lot)).content.decode()
    assert RECORDS not in html and one.uscc not in html and two.uscc not in html
    assert client.get(f"/tendering/lots/{lot.code}/documents/downloads.csv").status_code == 403

    # the supervisor sees both records, per entity
    client.force_login(eh.supervisor("140100", "housing"))
    html = client.get(_url(lot)).content.decode()
    assert RECORDS in html and one.uscc in html and two.uscc in html and "10.9.8.7" in html
    assert "发布招标文件" not in html and "/download/" not in html  # a supervisor is no entity
    csv = client.get(f"/tendering/lots/{lot.code}/documents/downloads.csv").content.decode("utf-8-sig")
    assert csv.count("\n") == 3 and one.uscc in csv and two.uscc in csv


def test_refusals_and_bad_input_store_nothing(client, bid_dir, monkeypatch):
    lot = b.lot(deadline_in=600)
    op = th.operator()
    bidder = b.Bidder()
    # not permitted: a bidder cannot publish
    client.force_login(bidder.user)
    r = client.post(_url(lot), {"name": "假冒的招标文件", "file": _file()})
    assert r.status_code == 403
    client.force_login(op)
    # no file, no name
    r = client.post(_url(lot), {"name": "招标文件"})
    assert r.status_code == 400 and "请选择要发布的文件" in r.content.decode()
    r = client.post(_url(lot), {"name": "", "file": _file()})
    assert r.status_code == 422 and "请填写文件名称" in r.content.decode()
    # too big: refused before the service reads it
    monkeypatch.setattr(docs, "MAX_SIZE", 1 << 20)
    r = client.post(_url(lot), {"name": "招标文件", "file": _file(b"x" * ((1 << 20) + 1))})
    assert r.status_code == 400 and "文件不能超过1MB" in r.content.decode()
    # the wrong state: after the bid deadline
    with time_machine.travel(clock.now() + dt.timedelta(seconds=601), tick=False):
        r = client.post(_url(lot), {"name": "补充文件", "file": _file()})
    assert r.status_code == 409 and "投标截止时间已过" in r.content.decode()
    assert TenderDocument.objects.count() == 0 and _stored(bid_dir, lot) == []
    # an operator is no entity: no download in its name; an unknown document is not found
    client.post(_url(lot), {"name": "招标文件", "file": _file()})
    doc = TenderDocument.objects.get()
    r = client.post(f"/tendering/documents/{doc.pk}/download/")
    assert r.status_code == 403 and "市场主体的经办人" in r.content.decode()
    client.force_login(bidder.user)
    assert client.post("/tendering/documents/999999/download/").status_code == 404
    assert DocumentDownload.objects.count() == 0
    # signed out: to the login page, nothing recorded
    client.logout()
    r = client.post(f"/tendering/documents/{doc.pk}/download/")
    assert r.status_code == 302 and "/accounts/" in r["Location"]
    assert client.get("/tendering/lots/NOSUCHLOT/documents/").status_code == 302
    assert DocumentDownload.objects.count() == 0 and _stored(bid_dir, lot) == [f"{doc.sm3}.bin"]


def test_the_public_project_page_links_the_documents(client):
    lot = b.lot()
    html = client.get(f"/projects/{lot.project.code}/").content.decode()
    assert f"/tendering/lots/{lot.code}/documents/" in html
