"""An operator publishes a tender document from the lot's console page; a bidder downloads it with
the button and the download is recorded against its entity (issue 4 item 2)."""

from __future__ import annotations

import pyotp

from ggzy.tendering.models import DocumentDownload, TenderDocument
from tests import factories
from tests.tendering import bidding as b
from tests.trading import helpers as th

PDF = b"%PDF-1.4\n% \xe6\x8b\x9b\xe6\xa0\x87\xe6\x96\x87\xe4\xbb\xb6\n" * 100


def _login(page, user, *, totp: bool = False) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    if totp:  # staff: the first login enrols the second factor
        page.wait_for_load_state()
        user.refresh_from_db()
        page.fill("input[name=code]", pyotp.TOTP(user.totp_secret).now())
        page.get_by_role("button", name="确认绑定").click()
        page.wait_for_load_state()


def test_operator_publishes_and_bidder_downloads(page, settings, tmp_path):
    settings.GGZY_BID_DIR = str(tmp_path / "bids")
    lot = b.lot()
    op = th.operator()
    bidder = b.Bidder()
    source = tmp_path / "招标文件.pdf"
    source.write_bytes(PDF)

    _login(page, op, totp=True)
    page.goto(f"{page.base_url}/projects/console/{lot.project.code}/")
    page.get_by_role("link", name="招标文件").first.click()
    page.get_by_role("heading", name="发布招标文件").wait_for()
    page.get_by_label("文件名称").fill("招标文件（第一版）")
    page.get_by_label("文件", exact=True).set_input_files(str(source))
    page.get_by_role("button", name="发布").click()
    page.wait_for_load_state()
    table = page.locator("table.tender-documents").inner_text()
    assert "招标文件（第一版）" in table and "招标文件.pdf" in table
    doc = TenderDocument.objects.get()
    page.context.clear_cookies()  # sign out

    _login(page, bidder.user)
    page.goto(f"{page.base_url}/projects/{lot.project.code}/")
    page.get_by_role("link", name="招标文件").first.click()
    with page.expect_download() as info:
        page.get_by_role("button", name="下载招标文件（第一版）").click()
    download = info.value
    saved = tmp_path / "got.pdf"
    download.save_as(saved)
    assert saved.read_bytes() == PDF and download.suggested_filename == "招标文件.pdf"
    (rec,) = DocumentDownload.objects.all()
    assert rec.document_id == doc.pk and rec.entity_id == bidder.entity.pk
    assert "document-downloads" not in page.content()  # the bidder sees no download records
