"""The specialty classification import reports duplicated codes instead of keeping one."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from ggzy.audit.models import AuditEvent
from ggzy.core.permissions import SYSTEM
from ggzy.experts.models import Specialty
from ggzy.experts.services import specialty_import

pytestmark = pytest.mark.django_db
SHIPPED = Path("/work/shared/data/expert-specialties.csv")
PACKAGED = Path(__file__).resolve().parents[2] / "src/ggzy/experts/data/expert-specialties.csv"


def test_the_packaged_file_is_the_shared_one():
    if SHIPPED.exists():
        assert PACKAGED.read_bytes() == SHIPPED.read_bytes()


def test_the_two_duplicated_codes_are_reported_and_neither_row_is_kept():
    report = specialty_import(text=PACKAGED.read_text(encoding="utf-8"), actor=SYSTEM)
    assert sorted(report["duplicates"]) == ["A040405", "B011305"]
    assert [r["name"] for r in report["duplicates"]["A040405"]] == ["给水排水", "机车车辆"]
    text = "\n".join(report["report"])
    assert "A040405" in text and "给水排水" in text and "机车车辆" in text and "两行均未导入" in text
    assert "B011305" in text and "卫星通信设备" in text and "灯光、音响、舞台设备" in text
    assert not Specialty.objects.filter(code__in=["A040405", "B011305"]).exists()
    # every other row: 30 + 256 + 1,454 minus the 4 rows of the two codes
    assert Specialty.objects.count() == 1740 - 4
    assert Specialty.objects.filter(level=3).count() == 1454 - 4
    assert AuditEvent.objects.filter(action="expert.specialty_import").count() == 1


def test_import_is_idempotent_and_a_renamed_code_is_reported_not_changed():
    text = "code,name,level,parent_code\nA01,规划,1,\nA0101,发展规划,2,A01\n"
    assert specialty_import(text=text, actor=SYSTEM)["added"] == 2
    again = specialty_import(text=text.replace("发展规划", "另一个名称"), actor=SYSTEM)
    assert again["added"] == 0 and again["unchanged"] == 1
    assert any("A0101" in line and "未改动" in line for line in again["report"])
    assert Specialty.objects.get(code="A0101").name == "发展规划"


def test_the_command_prints_the_duplicates_in_chinese():
    out = StringIO()
    call_command("experts", "import-specialties", stdout=out)
    assert "专业代码A040405重复出现2次" in out.getvalue()
    assert "专业代码B011305重复出现2次" in out.getvalue()
