"""Bulk import: all or nothing, with a row-by-row report."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from ggzy.accounts.models import Role
from ggzy.audit.models import AuditEvent
from ggzy.core.errors import InvalidInput, PermissionDenied
from ggzy.crypto.sm import sm3_hex
from ggzy.entities import importfile, services
from ggzy.entities.models import Entity, RegistrationChannel
from tests import factories
from tests.entities import helpers as h

pytestmark = pytest.mark.django_db

HEADER = list(importfile.COLUMNS)


def row(n: int, **over) -> list[str]:
    d = h.data(n, **over)
    d["trading_roles"] = over.get("trading_roles", "投标人、供应商")
    return [str(d[importfile.COLUMNS[c]]) for c in HEADER]


def csv_bytes(rows: list[list[str]], *, encoding: str = "utf-8", bom: bool = False) -> bytes:
    text = "\r\n".join(",".join(r) for r in [HEADER, *rows]) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def test_good_csv_imports_every_row_with_events():
    data = csv_bytes([row(1), row(2, trading_roles="招标人，采购代理机构"), row(3)], bom=True)
    before = AuditEvent.objects.count()
    result = services.entity_import(file=data, filename="主体.csv", actor=h.operator())
    assert result.count == 3 and result.digest == sm3_hex(data)
    assert Entity.objects.filter(channel=RegistrationChannel.IMPORT).count() == 3
    assert Entity.objects.get(uscc=factories.valid_uscc(2)).trading_roles == ["tenderer", "agency"]
    events = AuditEvent.objects.filter(seq__gt=before).order_by("seq")
    assert [e.action for e in events] == ["entity.register"] * 3 + ["entity.import"]
    assert f'"sm3":"{result.digest}"' in events.last().summary and '"count":3' in events.last().summary


def test_gb18030_csv_is_read():
    result = services.entity_import(
        file=csv_bytes([row(4)], encoding="gb18030"), filename="a.csv", actor=h.operator()
    )
    assert Entity.objects.get(uscc=result.usccs[0]).name == "山西测试建设有限公司4"


def test_good_xlsx_imports():
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(row(5))
    r6 = row(6)
    r6[HEADER.index("银行账号")] = 6222021234567890  # typed as a number in Excel
    r6[HEADER.index("所在地区划代码")] = 140105
    sheet.append(r6)
    buf = io.BytesIO()
    book.save(buf)
    result = services.entity_import(file=buf.getvalue(), filename="主体.xlsx", actor=h.operator())
    assert result.count == 2
    assert Entity.objects.get(uscc=factories.valid_uscc(6)).bank_account_no == "6222021234567890"


def test_one_bad_row_imports_nothing_and_is_reported():
    h.entity(9)  # already registered
    good, bad = row(7), row(8, region="149999")
    bad_uscc = row(10)
    bad_uscc[0] = bad_uscc[0][:17] + ("0" if bad_uscc[0][17] != "0" else "1")
    data = csv_bytes([good, bad, row(9), row(7), bad_uscc])
    before = h.counts()
    with pytest.raises(InvalidInput) as info:
        services.entity_import(file=data, filename="x.csv", actor=h.operator())
    assert h.counts() == before
    exc = info.value
    assert exc.code == "entity.import_invalid" and "未导入任何数据" in exc.message
    report = {(p["row"], p["column"], p["code"]) for p in exc.details["report"]}
    assert report == {
        (3, "所在地区划代码", "entity.region_unknown"),
        (4, "统一社会信用代码", "entity.duplicate"),
        (5, "统一社会信用代码", "entity.duplicate_in_file"),
        (6, "统一社会信用代码", "uscc.check_character"),
    }
    assert any(
        p["row"] == 5 and p["message"] == "与第2行的统一社会信用代码重复" for p in exc.details["report"]
    )


def test_header_problems_are_reported():
    header = [c for c in HEADER if c != "名称"] + ["备注"]
    data = ("\n".join([",".join(header), ",".join(row(11)[: len(header)])]) + "\n").encode()
    with pytest.raises(InvalidInput) as info:
        services.entity_import(file=data, filename="x.csv", actor=h.operator())
    codes = {(p["column"], p["code"]) for p in info.value.details["report"]}
    assert ("名称", "import.column_missing") in codes and ("备注", "import.column_unknown") in codes
    assert not Entity.objects.exists()


@pytest.mark.parametrize(
    "data, filename, code",
    [
        (b"", "a.csv", "import.empty"),
        (b"abc", "a.xls", "import.format"),
        (b"abc", "a.pdf", "import.format"),
        (",".join(HEADER).encode(), "a.csv", "import.no_rows"),
        (b"PK\x03\x04garbage", "a.xlsx", "import.xlsx_invalid"),
    ],
)
def test_unreadable_files(data, filename, code):
    with pytest.raises(InvalidInput) as info:
        services.entity_import(file=data, filename=filename, actor=h.operator())
    assert info.value.code == code


def test_only_operators_import():
    e = h.entity(12)
    for actor in (factories.user(Role.PLATFORM_ADMIN), h.member_of(e), factories.user(Role.EXPERT)):
        with pytest.raises(PermissionDenied):
            services.entity_import(file=csv_bytes([row(13)]), filename="a.csv", actor=actor)
    assert Entity.objects.count() == 1


def test_template_file_imports_cleanly():
    result = services.entity_import(file=importfile.template_csv(), filename="模板.csv", actor=h.operator())
    assert result.usccs == [importfile.EXAMPLE_USCC]
