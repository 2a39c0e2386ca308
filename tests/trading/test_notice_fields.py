"""Notice fields have Chinese labels: no raw English key on a notice page or a console page."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine
from django.urls import reverse

from ggzy.core.errors import InvalidInput
from ggzy.trading import notice_fields, services
from ggzy.trading.models import Notice, NoticeKind
from tests.trading import helpers

pytestmark = pytest.mark.django_db
RAW_KEY = re.compile(r"\b[a-z]+_[a-z_]+\b")
NOW = dt.datetime(2026, 9, 14, 2, tzinfo=dt.UTC)

# one notice of every kind, with the structured data its procedure would give
DATA = {
    NoticeKind.TENDER: {
        "qualification": "具有独立法人资格，具备市政公用工程施工总承包二级及以上资质",
        "资格要求": "项目经理具有市政公用工程二级及以上注册建造师资格",
        "scope": "道路、排水及附属工程",
        "max_price": "4800000.00",
        "joint_bids": False,
        "bid_deadline": "2026-10-08T09:30:00+08:00",
        "documents_obtain": "在山西省公共资源交易平台下载",
    },
    NoticeKind.PREQUALIFICATION: {
        "prequal_method": "合格制",
    },
    NoticeKind.QUALIFICATION_RESULT: {
        "qualified": [{"name": "山西建工集团有限公司", "uscc": "91140000110013895K"}],
        "rejected": [{"name": "某建设有限公司", "reason": "资质等级不符合要求"}],
    },
    NoticeKind.CANDIDATE_PUBLICITY: {
        "candidates": [
            {"rank": 1, "name": "山西建工集团有限公司", "price": "4650000.00", "score": "93.5"},
            {"rank": 2, "name": "山西路桥建设集团有限公司", "price": "4700000.00", "score": "91.2"},
        ],
        "publicity_start": "2026-10-22T09:00:00+08:00",
        "publicity_end": "2026-10-25T09:00:00+08:00",
        "objection": "投标人或者其他利害关系人对评标结果有异议的，应当在公示期间向招标人提出",
    },
    NoticeKind.AWARD: {
        "winner": {"name": "山西建工集团有限公司", "uscc": "91140000110013895K", "project_manager": "王五"},
        "winning_price": "4650000.00",
    },
    NoticeKind.TERMINATION: {"reason": "项目规划调整，招标人决定终止招标"},
    NoticeKind.CONTRACT: {
        "contract_no": "TY-2026-018",
        "contract_amount": "4650000.00",
        "signed_on": "2026-11-20",
    },
    NoticeKind.PERFORMANCE: {"performance": "按期完工", "acceptance": "验收合格"},
    NoticeKind.LISTING: {
        "parcel": "TY2026-015",
        "area": "12000",
        "land_use": "住宅用地",
        "term_years": 70,
        "reserve_price": "36000000",
        "increment": "100000",
        "listing_start": "2026-10-15T09:00:00+08:00",
        "listing_end": "2026-10-29T10:00:00+08:00",
    },
    NoticeKind.TRANSACTION_RESULT: {"winner": {"name": "太原市某置业有限公司"}, "winning_price": "38500000"},
    NoticeKind.RULE_PUBLICATION: {"note": "本规则自公告之日起施行"},
    NoticeKind.OPENING_RECORD: {
        "bid_count": "3",
        "opening_record": [
            {
                "name": "山西某建设有限公司",
                "price": "4800000.00",
                "period_days": "180",
                "decryption": "已解密",
            }
        ],
    },
}


def visible(page: str) -> str:
    """The text a reader sees: no scripts, styles, tags or attribute values."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture
def op():
    return helpers.operator()


@pytest.fixture
def lot(op):
    with time_machine.travel(dt.datetime(2026, 9, 1, 1, tzinfo=dt.UTC), tick=False):
        lot = services.project_register(data=helpers.data(), actor=op).lots.get()
    with time_machine.travel(dt.datetime(2026, 9, 2, 1, tzinfo=dt.UTC), tick=False):
        start = dt.datetime(2026, 9, 14, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
        return services.lot_schedule(
            lot=lot, anchors={"notice_published": start, "documents_issued": start}, actor=op
        )


def test_every_kind_of_notice_shows_chinese_labels_only(client, op, lot):
    assert set(DATA) | {NoticeKind.AMENDMENT, NoticeKind.CLARIFICATION} == set(NoticeKind)
    with time_machine.travel(NOW, tick=False):
        published = [
            services.notice_publish(project=lot.project, lot=lot, kind=kind, data=data, actor=op)
            for kind, data in DATA.items()
        ]
        tender = published[0]
        for kind in (NoticeKind.AMENDMENT, NoticeKind.CLARIFICATION):
            published.append(
                services.notice_amend(
                    notice=tender,
                    kind=kind,
                    data={"amendment": "技术参数调整", "bid_deadline": "2026-10-08T09:30:00+08:00"},
                    affects_preparation=True,
                    actor=op,
                )
            )
    for notice in published:
        text = visible(client.get(reverse("notices:detail", args=[notice.number])).content.decode())
        assert not RAW_KEY.findall(text), (notice.kind, RAW_KEY.findall(text))
        assert notice.title in text
    pages = {n.kind: visible(n.body_html) for n in published}
    assert "最高投标限价（元）" in pages["tender"] and "是否接受联合体投标 否" in pages["tender"]
    assert "投标截止 2026-10-08 09:30" in pages["tender"]
    assert "中标候选人" in pages["candidate_publicity"] and "排名" in pages["candidate_publicity"]
    assert "项目负责人 王五" in pages["award"]
    assert "更正内容 技术参数调整" in pages["amendment"]
    # the project page and the lists too
    for url in (reverse("trading:detail", args=[lot.project.code]), reverse("notices:list")):
        assert not RAW_KEY.findall(visible(client.get(url).content.decode())), url


def test_a_key_without_a_chinese_label_is_refused(op, lot):
    with time_machine.travel(NOW, tick=False), pytest.raises(InvalidInput) as exc:
        services.notice_publish(
            project=lot.project,
            lot=lot,
            kind="tender",
            data={"qualification": "独立法人", "candidates": [{"name": "甲", "bid_bond": "1"}]},
            actor=op,
        )
    assert exc.value.code == "notice.field_unlabelled"
    assert exc.value.details["fields"] == ["candidates.0.bid_bond"] and "没有中文名称" in exc.value.message
    assert not Notice.objects.exists()


def test_console_pages_show_no_raw_key(client, op, lot):
    client.force_login(op)
    pages = [
        reverse("trading:console_detail", args=[lot.project.code]),
        reverse("trading:lot_schedule", args=[lot.code]),
        reverse("trading:notice_publish", args=[lot.code]),
        reverse("trading:console_list"),
    ]
    for url in pages:
        assert not RAW_KEY.findall(visible(client.get(url).content.decode())), url
    # the fair-competition findings name the field and the clause in Chinese
    with time_machine.travel(NOW, tick=False):
        r = client.post(
            reverse("trading:notice_publish", args=[lot.code]),
            {"kind": "tender", "qualification": "投标人须为在太原市注册登记的企业。"},
        )
    assert r.status_code == 422
    text = visible(r.content.decode())
    assert "资格要求" in text and not RAW_KEY.findall(text), RAW_KEY.findall(text)


def test_labels_and_paths():
    assert notice_fields.label("bid_deadline") == "投标截止"
    assert notice_fields.label("资格要求") == "资格要求"
    assert notice_fields.label("bid_bond") is None
    assert notice_fields.path_label("candidates.0.name") == "中标候选人第1项名称"
    assert notice_fields.unlabelled({"title": "x", "schedule": [], "a_b": {"c_d": 1}}) == ["a_b", "a_b.c_d"]
    assert notice_fields.text({"name": "甲", "price": "1.00"}) == "名称：甲；报价（元）：1.00"
