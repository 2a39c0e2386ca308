"""Trading statistics: figures derived from published results, the page and the Excel export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from ggzy.portal import selectors, statistics
from ggzy.portal.statistics import LotFact
from ggzy.trading import services
from tests import factories
from tests.trading import helpers

MONEY = st.decimals(min_value=1, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
FACT = st.builds(
    LotFact,
    category=st.sampled_from(["engineering", "procurement", "land", "property"]),
    region_code=st.sampled_from(["140105", "140106", "140213", "140702"]),
    month=st.sampled_from(["2026-08", "2026-09"]),
    project=st.sampled_from(["P1", "P2", "P3"]),
    estimate=MONEY,
    result=st.none() | MONEY,
    bidders=st.none() | st.integers(0, 30),
)


@given(st.lists(FACT, max_size=30))
def test_the_total_row_adds_up_the_groups(facts):
    rows = statistics.aggregate(facts, lambda f: statistics.city_of(f.region_code), str)
    *groups, total = rows
    assert total.key == "" and [r.key for r in groups] == sorted({f.region_code[:4] + "00" for f in facts})
    assert total.lots == sum(r.lots for r in groups) == len(facts)
    assert total.estimate == sum((r.estimate for r in groups), Decimal(0))
    assert total.value == sum((f.result for f in facts if f.result is not None), Decimal(0))
    assert total.concluded == sum(r.concluded for r in groups)
    assert total.projects == len({f.project for f in facts})
    assert all(r.projects <= r.lots for r in rows)


def test_savings_and_premium_rates():
    facts = [
        LotFact("engineering", "140105", "2026-09", "P1", Decimal("1000000"), Decimal("900000"), 5),
        LotFact("procurement", "140105", "2026-09", "P2", Decimal("200000"), Decimal("150000"), 3),
        LotFact("procurement", "140105", "2026-09", "P2", Decimal("300000")),  # no result: volume only
        LotFact("land", "140105", "2026-09", "P3", Decimal("8000000"), Decimal("10000000"), 4),
    ]
    (row, total) = statistics.aggregate(facts, lambda f: f.month, str)
    assert (total.lots, total.value) == (row.lots, row.value)
    assert row.lots == 4 and row.projects == 3 and row.concluded == 3
    assert row.savings_rate == Decimal("0.1250")  # 1 - 1,050,000 / 1,200,000
    assert row.premium_rate == Decimal("0.2500")  # 10,000,000 / 8,000,000 - 1
    assert row.savings_text == "12.50%" and row.premium_text == "25.00%"
    assert row.bidders_per_lot == Decimal("4.00")
    empty = statistics.aggregate([facts[2]], lambda f: f.month, str)[0]
    assert (empty.savings_rate, empty.premium_rate, empty.bidders_per_lot) == (None, None, None)
    assert empty.savings_text == "—"


def _concluded(name: str, region: str, estimate: str, price: str, bids: int, **data):
    city = region[:4] + "00"
    op = helpers.operator(city)
    with time_machine.travel(dt.datetime(2026, 9, 1, 1, tzinfo=dt.UTC), tick=False):
        project = services.project_register(
            data=helpers.data(
                name=name,
                region_code=region,
                estimate=estimate,
                service_center=factories.service_center(city).pk,
                **data,
            ),
            actor=op,
        )
        services.notice_publish(
            project=project,
            lot=project.lots.get(),
            kind="award",
            data={"winner": "山西测试建设有限公司", "winning_price": price, "bid_count": bids},
            actor=op,
        )
    return project


@pytest.mark.django_db
def test_page_and_excel_show_the_same_figures(client):
    _concluded("太原市测试道路工程", "140105", "1000000.00", "900000.00", 5)
    _concluded("大同市测试学校工程", "140213", "1000000.00", "800000.00", 3)
    tables = selectors.statistics_tables()
    engineering = next(r for r in tables["category"] if r.key == "engineering")
    assert (engineering.lots, engineering.value, engineering.savings_text) == (
        2,
        Decimal("1700000.00"),
        "15.00%",
    )
    assert engineering.bidders_per_lot == Decimal("4.00")
    assert [r.label for r in tables["city"]] == ["太原市", "大同市", "合计"]

    page = client.get(reverse("portal:statistics")).content.decode()
    assert "15.00%" in page and "1700000.00" in page and 'id="stats-charts"' in page

    response = client.get(reverse("portal:statistics_export"), {"year": "2026"})
    assert response["Content-Disposition"].endswith('ggzy-statistics-2026.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["按交易类别", "按地区", "按月份"]
    rows = list(book["按交易类别"].iter_rows(min_row=3, values_only=True))
    assert rows[0][0] == "工程建设" and rows[0][2] == 2 and Decimal(str(rows[0][5])) == Decimal("1700000")
    assert Decimal(str(rows[0][6])) == Decimal("0.15")
    assert rows[-1][0] == "合计"
    # a year without trades: empty tables, no error
    assert client.get(reverse("portal:statistics"), {"year": "2001"}).status_code == 200
    assert selectors.statistics_tables(2001)["category"][-1].lots == 0


@pytest.mark.django_db
def test_service_guide_lists_processes_norms_and_the_channels_of_a_region(client):
    from ggzy.accounts.models import Department

    taiyuan = factories.service_center("140100")
    taiyuan.complaint_phone = "0351-1234567"
    taiyuan.save()
    datong = factories.service_center("140200")
    finance = factories.department("140100")
    finance.phone = "0351-7654321"
    finance.save()
    elsewhere = factories.department("140200")
    page = client.get(reverse("portal:guide"), {"region": "140100"}).content.decode()
    assert "服务流程" in page and "招标投标法实施条例》第五十七条" in page
    assert "不通过设置注册登记、设立分支机构" in page  # seed 三(七)
    assert taiyuan.name in page and "0351-1234567" in page
    assert datong.name not in page
    assert "工程建设项目公开招标" in page  # a published procedure with its stages
    assert finance.name in page and "0351-7654321" in page and "政府采购" in page
    assert elsewhere.name not in page
    assert Department.objects.count() >= 2
    assert client.get(reverse("portal:guide"), {"region": "<x>"}).status_code == 200
