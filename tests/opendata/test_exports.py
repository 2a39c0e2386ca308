"""National-spec rows, the sales dataset, the monthly bulk files, the API and the pages."""

from __future__ import annotations

import gzip
import hashlib
import json

import pytest
from django.core.management import CommandError, call_command

from ggzy.audit.models import AuditEvent
from ggzy.core.permissions import SYSTEM
from ggzy.crypto.sm import sm3_hex
from ggzy.opendata import national, selectors, services
from ggzy.opendata.models import BulkFile
from tests.opendata import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def trades():
    return {
        "road": helpers.purchase("太原市国家规范测试道路工程"),
        "land": helpers.sale("太原市国家规范测试地块出让"),
    }


@pytest.fixture
def opendata_dir(tmp_path, settings):
    settings.GGZY_OPENDATA_DIR = tmp_path / "opendata"
    return settings.GGZY_OPENDATA_DIR


def test_national_rows_use_the_specification_names(trades):
    road, land = trades["road"], trades["land"]
    rows = selectors.national_rows(road.code)
    assert set(rows) == {"PROJECT", "TENDER_PROJECT", "SECTION", "TENDER_ANN_QUA_INQUERY_ANN",
                         "TENDER_CANDIDATE_ANNOUNCE", "WIN_RESULT_ANNO"}  # fmt: skip
    lot = road.lots.get()
    assert rows["SECTION"][0]["BID_SECTION_CODE"] == lot.code
    assert rows["TENDER_PROJECT"][0]["TENDER_PROJECT_CODE"] == road.tender_code
    assert all(
        r["UNIFIED_DEAL_CODE"] == road.code and r["REGION_CODE"] == "140105" for t in rows.values() for r in t
    )
    win = rows["WIN_RESULT_ANNO"][0]
    assert (win["WIN_BIDDER_NAME"], win["WIN_BIDDER_CODE"], win["BID_AMOUNT"]) == (
        helpers.WINNER["name"], helpers.WINNER["uscc"], "4500000.00")  # fmt: skip
    cand = rows["TENDER_CANDIDATE_ANNOUNCE"][0]
    assert cand["SECOND_CANDIDATE_CODE"] == helpers.SECOND["uscc"] and cand["THIRD_CANDIDATE_NAME"] == ""
    notice = rows["TENDER_ANN_QUA_INQUERY_ANN"][0]
    assert notice["DOC_GET_START_TIME"] == "2026-09-14 09:30:00" and notice["URL"].endswith("/")
    # every field we fill is documented (with its status) in national.tables()
    documented = {name for t in national.tables() for name, _, _ in t["fields"]}
    assert {k for t in rows.values() for r in t for k in r} <= documented
    land_rows = selectors.national_rows(land.code)
    assert {"DEAL_BEHAVIOR_INFO", "SECTION", "DEAL_LAND_INFO"} <= set(land_rows)
    assert land_rows["DEAL_BEHAVIOR_INFO"][0]["INVEST_AMOUNT"] == ""  # no price of a sale before its result


def test_sales_are_a_separate_dataset_not_ocds(client, trades):
    land = trades["land"]
    response = client.get(f"/api/opendata/ocds/records/{land.code}")
    assert (response.status_code, response.json()["code"]) == (404, "opendata.not_a_purchase")
    record = client.get(f"/api/opendata/sales/{land.code}").json()
    assert record["schema"] == "ggzy-sales/1.0" and record["category"] == "land"
    assert record["procedure_name"] == "国有建设用地使用权拍卖出让"
    assert record["result"]["transferee"]["name"] == helpers.WINNER["name"]
    assert record["result"]["price"] == {"amount": 88000000.0, "currency": "CNY"}
    response = client.get(f"/api/opendata/sales/{trades['road'].code}")
    assert (response.status_code, response.json()["code"]) == (404, "opendata.not_a_sale")


def test_api_record_release_and_unknown_project(client, trades):
    code = trades["road"].code
    record = client.get(f"/api/opendata/ocds/records/{code}").json()
    assert record["records"][0]["ocid"] == f"ocds-ggzy14-{code}"
    releases = client.get(f"/api/opendata/ocds/releases/{code}").json()
    assert releases["releases"][0]["id"] == f"{code}-registration"
    for url in ("/api/opendata/ocds/records/M0000", "/api/opendata/national/nope", "/api/opendata/sales/x"):
        response = client.get(url)
        assert response.status_code == 404 and response.json()["code"] == "opendata.project_not_found"
        assert "未找到项目编号" in response.json()["message"]


def test_monthly_dump_streams_gzip_json_lines_with_digests(client, trades, opendata_dir):
    before = AuditEvent.objects.count()
    call_command("opendata", "dump", "--month", "2026-09")
    files = {f.dataset: f for f in BulkFile.objects.all()}
    assert set(files) == {"ocds-releases", "national", "sales"}
    assert AuditEvent.objects.count() == before + 3
    ocds_file = files["ocds-releases"]
    raw = (opendata_dir / ocds_file.filename).read_bytes()
    assert (ocds_file.size, ocds_file.sha256, ocds_file.sm3) == (
        len(raw),
        hashlib.sha256(raw).hexdigest(),
        sm3_hex(raw),
    )
    lines = [json.loads(line) for line in gzip.decompress(raw).splitlines()]
    assert len(lines) == ocds_file.lines
    # September: the road's registration (1 Sep) and tender notice (14 Sep); its later notices are October's
    road = trades["road"].code
    assert [r["tag"] for r in lines if r["ocid"].endswith(road)] == [["planning"], ["tender"]]
    national_lines = [
        json.loads(x)
        for x in gzip.decompress((opendata_dir / files["national"].filename).read_bytes()).splitlines()
    ]
    assert {x["table"] for x in national_lines} >= {"PROJECT", "SECTION", "TENDER_ANN_QUA_INQUERY_ANN"}
    assert all(x["row"]["DATA_TIMESTAMP"].startswith("2026-09") for x in national_lines)
    # the same data gives the same bytes: regenerating replaces the row with equal digests
    services.bulk_dump(month="2026-09", actor=SYSTEM, datasets=["ocds-releases"])
    assert BulkFile.objects.get(dataset="ocds-releases").sha256 == ocds_file.sha256
    october = services.bulk_dump(month="2026-10", actor=SYSTEM, datasets=["ocds-releases"])[0]
    assert october.lines == 2  # candidate publicity and award of the road; its contract is in November

    listed = client.get("/api/opendata/downloads").json()
    assert {(f["month"], f["dataset"]) for f in listed} >= {
        ("2026-09", "national"),
        ("2026-10", "ocds-releases"),
    }
    entry = next(f for f in listed if f["filename"] == ocds_file.filename)
    assert entry["sha256"] == ocds_file.sha256 and entry["sm3"] == ocds_file.sm3 and entry["size"] == len(raw)
    response = client.get(entry["url"])
    assert response.status_code == 200 and b"".join(response.streaming_content) == raw
    assert response["X-Content-SM3"] == ocds_file.sm3

    page = client.get("/opendata/").content.decode()
    assert ocds_file.sha256 in page and ocds_file.sm3 in page and entry["url"] in page


@pytest.mark.parametrize("month", ["2026-13", "2026-9", "26-09", "", "2026/09", "1999-12", "２０２６-09"])
def test_a_bad_month_is_refused_in_chinese_and_writes_nothing(month, opendata_dir):
    before = AuditEvent.objects.count()
    with pytest.raises(CommandError, match=r"opendata\.bad_month"):
        call_command("opendata", "dump", "--month", month)
    assert AuditEvent.objects.count() == before and not BulkFile.objects.exists()


def test_download_of_an_unknown_month_or_file_is_a_chinese_page(client, opendata_dir):
    response = client.get("/opendata/downloads/2026-09/national.jsonl.gz")
    assert response.status_code == 404 and "尚未生成2026-09" in response.content.decode()
    response = client.get("/opendata/downloads/2026-99/national.jsonl.gz")
    assert response.status_code == 422 and "格式不正确" in response.content.decode()


def test_pages_link_to_open_data(client, trades):
    page = client.get("/opendata/").content.decode()
    for text in (
        "开放数据",
        "变更订阅",
        "/api/opendata/changes",
        "UNIFIED_DEAL_CODE",
        "BID_SECTION_CODE",
        "ocds-ggzy14",
    ):
        assert text in page
    home = client.get("/").content.decode()
    assert 'href="/opendata/"' in home
    code = trades["road"].code
    project_page = client.get(f"/projects/{code}/").content.decode()
    assert f'href="/opendata/ocds/{code}.json"' in project_page
    assert "/opendata/ocds/" not in client.get(f"/projects/{trades['land'].code}/").content.decode()
    response = client.get(f"/opendata/ocds/{code}.json")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert json.loads(response.content)["records"][0]["ocid"].endswith(code)
    assert client.get("/opendata/ocds/M404.json").status_code == 404
