"""OCDS 1.1.5 export: every package validates with the offline validator, with zero errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ggzy.opendata import ocds, selectors
from tests.opendata import helpers
from tests.opendata.ocdsvalidate import validate

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects():
    return [
        helpers.purchase("太原市开放数据道路工程"),
        helpers.purchase("太原市开放数据多标段工程", lots=3, results=False),
        helpers.purchase(
            "太原市开放数据办公设备采购",
            ruleset="procurement.open_tendering",
            item_kind="goods",
            results=True,
        ),
        helpers.purchase(
            "太原市开放数据单一来源采购",
            ruleset="procurement.single_source",
            item_kind="services",
            results=False,
        ),
    ]


def _facts(project):
    return selectors.project_facts(selectors._prefetched(type(project).objects.filter(pk=project.pk)).get())


def test_record_and_release_packages_of_several_projects_validate(projects, tmp_path):
    cfg = selectors.config()
    facts = [_facts(p) for p in projects]
    # bids as the tendering app will report them after the opening (losing bids included)
    lot = facts[0].lots[0]
    bids = [
        {
            "id": "1",
            "bidder_uscc": helpers.WINNER["uscc"],
            "bidder_name": helpers.WINNER["name"],
            "amount": Decimal("4500000.00"),
            "status": "valid",
            "at": dt.datetime(2026, 10, 9, 1, tzinfo=dt.UTC),
        },
        {
            "id": "2",
            "bidder_uscc": helpers.SECOND["uscc"],
            "bidder_name": helpers.SECOND["name"],
            "amount": Decimal("4600000.00"),
            "status": "valid",
            "at": dt.datetime(2026, 10, 9, 1, tzinfo=dt.UTC),
        },
        {
            "id": "3",
            "bidder_uscc": "",
            "bidder_name": "晋中测试公司",
            "amount": "4700000",
            "status": "disqualified",
        },
    ]
    facts[0] = ocds.ProjectFacts(
        **{**facts[0].__dict__, "lots": [ocds.LotFacts(**{**lot.__dict__, "bids": bids})]}
    )
    now = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
    records = ocds.record_package(facts, cfg, published=now)
    releases = ocds.release_package([r for f in facts for r in ocds.releases(f, cfg)], cfg, published=now)
    # one package holds everything: the validator runs twice, not once per project
    both = {**records, "records": records["records"]}
    for package in (both, releases):
        report = validate(package, tmp_path)
        # nothing outside the schema and its bids extension (lots are core items, not extra fields)
        assert report["additional_fields"] == [] and report["invalid_extensions"] == []

    first = records["records"][0]
    assert first["ocid"] == f"ocds-ggzy14-{projects[0].code}"
    compiled = first["compiledRelease"]
    assert compiled["tag"] == ["compiled"]
    assert [r["tag"] for r in first["releases"]] == [
        ["planning"],
        ["tender"],
        ["award"],
        ["award"],
        ["contract"],
    ]
    assert compiled["tender"]["procurementMethod"] == "open"
    assert compiled["tender"]["procurementMethodDetails"] == "工程建设项目公开招标"
    assert compiled["tender"]["status"] == "complete"
    assert compiled["tender"]["tenderPeriod"]["startDate"].startswith("2026-09-14")
    assert [a["status"] for a in compiled["awards"]] == ["pending", "active"]
    assert compiled["contracts"][0]["awardID"] == compiled["awards"][-1]["id"]
    assert {d["documentType"] for d in compiled["tender"]["documents"]} == {"tenderNotice"}
    assert compiled["tender"]["documents"][0]["url"].endswith(
        f"/notices/{compiled['tender']['documents'][0]['id']}/"
    )
    assert [b["status"] for b in compiled["bids"]["details"]] == ["valid", "valid", "disqualified"]
    assert compiled["tender"]["numberOfTenderers"] == 3
    roles = {p["name"]: p["roles"] for p in compiled["parties"]}
    assert roles[helpers.WINNER["name"]] == ["supplier", "tenderer"]
    assert roles["太原市测试建设投资有限公司"] == ["buyer"]

    multi = records["records"][1]["compiledRelease"]
    assert [i["id"] for i in multi["tender"]["items"]] == [
        lot.code for lot in projects[1].lots.order_by("number")
    ]
    assert "bids" not in multi and "awards" not in multi
    single = records["records"][3]["compiledRelease"]["tender"]
    assert (single["procurementMethod"], single["procurementMethodDetails"]) == (
        "direct",
        "政府采购单一来源采购",
    )
    assert records["records"][2]["compiledRelease"]["tender"]["mainProcurementCategory"] == "goods"


def test_a_bad_package_fails_validation(tmp_path):
    """The check can fail: a closed-codelist value and a missing required field are caught."""
    cfg = ocds.Config("ocds-ggzy14", "http://x", "测试")
    package = ocds.release_package(
        [
            {
                "ocid": "ocds-ggzy14-M1",
                "id": "1",
                "date": "2026-01-01T00:00:00Z",
                "tag": ["tender"],
                "initiationType": "tender",
                "tender": {"status": "open-ish"},
            }
        ],
        cfg,
        published=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    with pytest.raises(AssertionError):
        validate(package, tmp_path)


@pytest.mark.parametrize(
    ("ruleset", "method"),
    [
        ("engineering.open_tendering", "open"),
        ("engineering.open_tendering_prequal", "selective"),
        ("engineering.invited_tendering", "selective"),
        ("procurement.competitive_negotiation", "open"),
        ("procurement.competitive_consultation", "open"),
        ("procurement.request_for_quotation", "open"),
        ("procurement.single_source", "direct"),
    ],
)
def test_procedure_mapping(ruleset, method):
    assert ocds.method_of(ruleset) == method
