"""The registry's pages with the Django test client."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ggzy.accounts.models import Role
from ggzy.core import uscc
from ggzy.entities.models import Entity, Membership
from tests import factories
from tests.entities import helpers as h
from tests.entities.test_import import csv_bytes, row

pytestmark = pytest.mark.django_db


def _form(n: int, **over) -> dict:
    d = h.data(n)
    d.update(
        admin_display_name="王五",
        admin_username=f"admin{n}",
        admin_email="admin@example.cn",
        admin_phone="13800000000",
        admin_password=factories.PASSWORD,
    )
    d.update(over)
    return d


def test_self_registration_shows_chinese_errors_next_to_fields(client):
    good = factories.valid_uscc(1)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    r = client.post(reverse("entities:register"), _form(1, uscc=wrong, legal_representative=""))
    page = r.content.decode()
    assert r.status_code == 200
    expected = f"第18位校验码应为“{uscc.check_character(good[:17])}”，实际为“{wrong[17]}”"
    assert expected in page and 'id="id_uscc-errors"' in page
    assert "请填写法定代表人" in page and 'id="id_legal_representative-errors"' in page
    assert not Entity.objects.exists()


def test_self_registration_explains_a_valid_code_and_succeeds(client):
    r = client.post(reverse("entities:register"), _form(2, admin_password="123"))
    page = r.content.decode()
    assert "代码校验通过" in page and "登记管理部门：工商" in page and "机构类别：企业" in page
    assert 'id="id_admin_password-errors"' in page
    r = client.post(reverse("entities:register"), _form(2))
    e = Entity.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("entities:detail", args=[e.uscc])
    assert Membership.objects.get(entity=e).user.username == "admin2"
    assert "注册成功" in client.get(r["Location"]).content.decode()


def test_register_page_renders(client):
    page = client.get(reverse("entities:register")).content.decode()
    assert "统一社会信用代码" in page and "管理员账户" in page and "投标人/供应商" in page


def test_directory_and_detail_hide_confidential_data(client):
    e = h.entity(3, name="太原建工集团")
    page = client.get(reverse("entities:directory"), {"q": "建工"}).content.decode()
    assert "太原建工集团" in page and e.uscc in page
    page = client.get(reverse("entities:detail", args=[e.uscc])).content.decode()
    assert "太原建工集团" in page and "0502123456789012345" not in page and "非公开信息" not in page
    client.force_login(h.member_of(e))
    page = client.get(reverse("entities:detail", args=[e.uscc])).content.decode()
    assert "0502123456789012345" in page and "变更记录" in page
    assert client.get(reverse("entities:detail", args=["X"])).status_code == 404


def test_edit_page_saves_and_refuses_others(client):
    e = h.entity(4)
    client.force_login(h.member_of(h.entity(5)))
    assert client.get(reverse("entities:edit", args=[e.uscc])).status_code == 403
    client.force_login(h.member_of(e))
    assert "登记新资质" in client.get(reverse("entities:edit", args=[e.uscc])).content.decode()
    form = {
        f: getattr(e, f) for f in ("name", "legal_representative", "address", "region_code", "contact_name")
    }
    form.update(
        action="save",
        expected_version=1,
        contact_phone="13911112222",
        contact_email=e.contact_email,
        trading_roles=["bidder", "transferee"],
        bank_name=e.bank_name,
        bank_account_name=e.bank_account_name,
        bank_account_no=e.bank_account_no,
    )
    r = client.post(reverse("entities:edit", args=[e.uscc]), form)
    assert r.status_code == 302
    e.refresh_from_db()
    assert e.version == 2 and e.contact_phone == "13911112222" and e.trading_roles == ["bidder", "transferee"]
    r = client.post(
        reverse("entities:edit", args=[e.uscc]), {**form, "region_code": "149999", "expected_version": 2}
    )
    assert "不是山西省现行的行政区划代码" in r.content.decode()
    r = client.post(
        reverse("entities:edit", args=[e.uscc]),
        {"action": "add_qualification", "name": "资质", "certificate_no": "C1", "issuer": "住建厅",
         "valid_from": "2025-01-01", "valid_until": "2024-01-01"},
    )  # fmt: skip
    assert "有效期至不能早于有效期起" in r.content.decode()


def test_import_page_shows_report_and_template(client):
    client.force_login(h.operator())
    url = reverse("entities:import")
    assert "下载导入模板" in client.get(url).content.decode()
    bad = SimpleUploadedFile("a.csv", csv_bytes([row(6), row(7, region="149999")]))
    page = client.post(url, {"file": bad}).content.decode()
    assert "未导入任何数据" in page and "entity.region_unknown" in page and not Entity.objects.exists()
    good = SimpleUploadedFile("a.csv", csv_bytes([row(6), row(7)]))
    assert "新增市场主体" in client.post(url, {"file": good}).content.decode()
    assert Entity.objects.count() == 2
    r = client.get(reverse("entities:import_template"))
    assert r.content.startswith(b"\xef\xbb\xbf") and "统一社会信用代码".encode() in r.content
    client.force_login(factories.user(Role.PLATFORM_ADMIN))
    assert client.get(url).status_code == 403


def test_console_list_and_members_page(client):
    e = h.entity(8)
    admin = h.member_of(e)
    client.force_login(admin)
    page = client.get(reverse("entities:console_list")).content.decode()
    assert "维护本主体信息" in page
    url = reverse("entities:members", args=[e.uscc])
    r = client.post(
        url,
        {"action": "add", "display_name": "经办人", "username": "jb1", "email": "jb@example.cn",
         "password": factories.PASSWORD},
    )  # fmt: skip
    assert r.status_code == 302
    assert "jb1" in client.get(url).content.decode()
    client.force_login(h.operator())
    assert client.get(url).status_code == 403
