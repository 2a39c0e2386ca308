"""The fair-competition check on real-world clause wordings of Chinese tender notices."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ggzy.core.errors import InvalidInput
from ggzy.trading import fairness
from ggzy.trading.fairness_rules import RULES

FLAGGED = [
    ("fairness.local_registration", "投标人须为在太原市市场监督管理局注册登记的企业。"),
    ("fairness.local_registration", "投标人必须是本市注册的独立法人企业。"),
    ("fairness.local_registration", "省外建筑企业须办理进晋备案手续后方可参加投标。"),
    ("fairness.local_registration", "投标人注册地须在山西省行政区域内。"),
    ("fairness.local_registration", "外地企业进入本市建筑市场须先到市住建局登记备案。"),
    ("fairness.local_branch", "投标人须在晋城市设立分公司或分支机构。"),
    ("fairness.local_branch", "供应商应在项目所在地设有售后服务网点，并提供证明材料。"),
    ("fairness.local_branch", "投标人在运城市有固定办公场所的方可报名。"),
    ("fairness.local_performance", "投标人近三年须具有山西省行政区域内类似工程业绩。"),
    ("fairness.local_performance", "在本市完成过同类项目业绩的，每项加2分，最高6分。"),
    ("fairness.local_performance", "具有本系统内同类工程业绩者优先。"),
    ("fairness.regional_award", "近三年获得过“汾水杯”工程质量奖的加3分。"),
    ("fairness.regional_award", "承建工程获得山西省优质工程奖的，每项加1分。"),
    ("fairness.regional_award", "获得市级安全文明标准化工地的加0.5分。"),
    ("fairness.differential_treatment", "本地企业在同等条件下优先中标。"),
    ("fairness.differential_treatment", "外地投标人须额外提交纳税证明和社保证明。"),
    ("fairness.brand", "空调品牌为格力，型号不低于KFR-72LW。"),
    ("fairness.brand", "本项目指定品牌：海康威视。"),
    ("fairness.brand", "电缆须采用山西太行电缆厂生产的产品。"),
    ("fairness.brand", "投标产品须具有专利号为ZL201910123456.7的专利。"),
    ("fairness.ownership", "投标人须为国有企业或国有控股企业。"),
    ("fairness.ownership", "本项目不接受民营企业投标。"),
    ("fairness.ownership", "仅限本地国有企业参加。"),
    ("fairness.scale", "投标人注册资本不低于5000万元。"),
    ("fairness.scale", "供应商近三年年均营业收入须达到1亿元以上。"),
    ("fairness.guarantee", "投标保证金须由本市担保公司出具保函。"),
    ("fairness.guarantee", "投标保证金只接受现金，不接受保函。"),
    ("fairness.permit", "投标人须取得本市建设工程投标许可证。"),
    ("fairness.verification", "报名时须携带资质证书原件到市交易中心窗口验证，验证合格后方可下载招标文件。"),
    ("fairness.local_staff", "项目经理须为本市户籍人员。"),
    ("fairness.local_staff", "拟派人员须在太原市缴纳社保满一年。"),
    ("fairness.membership", "投标人须为山西省建筑业协会会员单位。"),
    ("fairness.membership", "投标人须已纳入本市建设工程企业诚信库。"),
]

CLEAN = [
    "投标人须具有独立法人资格，持有有效的营业执照。",
    "投标人须具备建筑工程施工总承包二级及以上资质，并具有有效的安全生产许可证。",
    "投标人应在山西省公共资源交易平台注册并办理CA数字证书。",
    "本项目不接受联合体投标。",
    "投标人近三年具有类似工程业绩（以中标通知书和合同为准）。",
    "拟派项目经理须具备建筑工程专业一级注册建造师执业资格，且无在建项目。",
    "投标保证金可以银行保函、保险保单或者担保保函形式提交，金额为人民币10万元。",
    "中标人应在签订合同前提交履约担保。",
    "主要设备参考品牌：施耐德或相当于同等档次的产品。",
    "本项目不指定品牌，投标人所投产品性能不得低于技术参数要求。",
    "中标后，中标人须在项目所在地设立售后服务网点，响应时间不超过2小时。",
    "投标人未被列入失信被执行人名单、重大税收违法失信主体名单。",
    "开标时投标人须携带营业执照原件备查。",
    "招标文件获取时间为2026年9月25日至2026年9月30日，每日9:00至17:00。",
    "投标截止时间为2026年10月19日9时30分，地点为山西省公共资源交易中心开标室。",
    "本项目招标人为太原市城市建设管理中心，资金来源为财政资金。",
    "评标办法采用综合评估法，技术标40分，商务标60分。",
    "投标人须具有良好的商业信誉和健全的财务会计制度。",
    "供应商参加政府采购活动前三年内，在经营活动中没有重大违法记录。",
    "所投产品须为合格产品，符合国家强制性标准。",
    "投标人应按招标文件要求提交投标文件，逾期送达的不予受理。",
    "本项目面向中小企业采购，小微企业价格扣除10%。",
    "有关本次招标的事项，请与山西省招标代理有限公司联系。",
    "本项目需落实的政府采购政策：节能产品、环境标志产品。",
    "项目地点：晋城市泽州县，建设规模：道路全长3.2公里。",
    "投标人须提供近三年经审计的财务报告。",
    "投标人不得存在招标投标法实施条例第三十四条规定的情形。",
    "本项目在山西省政府采购网和山西省公共资源交易平台发布公告。",
    "所投货物的制造商须为中华人民共和国境内注册的企业（本项目不接受进口产品）。",
    "投标人须具有有效的ISO9001质量管理体系认证证书复印件。",
]


@pytest.mark.parametrize(("code", "sentence"), FLAGGED)
def test_forbidden_clause_is_flagged_with_its_article(code, sentence):
    findings = fairness.check(sentence)
    mine = [f for f in findings if f.code == code]
    assert mine, f"{code} not found in {sentence}"
    f = mine[0]
    assert f.excerpt == sentence[f.start : f.end] and f.excerpt
    assert f.basis and "《" in f.message_zh and f.suggestion_zh


@pytest.mark.parametrize("sentence", CLEAN)
def test_lawful_clause_is_not_flagged(sentence):
    assert fairness.check(sentence) == []


def test_enough_real_world_wordings():
    assert len(FLAGGED) >= 25 and len(CLEAN) >= 25
    assert {code for code, _ in FLAGGED} == {r.code for r in RULES}  # every rule has a flagged example


def test_several_findings_in_one_notice_with_offsets_into_the_original_text():
    text = (
        "一、投标人资格要求\n"
        "1. 投标人须在 本市 注册，并具有建筑工程施工总承包二级及以上资质；\n"
        "2. 投标人近三年须具有山西省行政区域内类似工程业绩（提供合同）。\n"
        "3. 主要设备品牌为格力，不接受其他品牌。\n"
    )
    findings = fairness.check(text)
    assert [f.code for f in findings] == [
        "fairness.local_registration",
        "fairness.local_performance",
        "fairness.brand",
    ]
    for f in findings:
        assert f.excerpt == text[f.start : f.end]
    assert findings[0].excerpt == "须在 本市 注册"  # spaces matched through, offsets in the original
    assert text.index("山西省行政区域内") == findings[1].start
    assert findings == sorted(findings, key=lambda f: f.start)


def test_full_width_and_mixed_case_text_matches():
    findings = fairness.check("本项目指定ＢＯＳＣＨ品牌；产品专利号：ＺＬ２０１９１")
    assert {f.code for f in findings} == {"fairness.brand"}
    assert any(f.excerpt.startswith("专利号") for f in findings)


def test_category_selects_the_articles():
    sentence = "投标人须在晋城市设立分公司。"
    engineering = fairness.check(sentence, category="engineering")[0]
    procurement = fairness.check(sentence, category="procurement")[0]
    land = fairness.check(sentence, category="land")[0]
    assert "招标投标法" in engineering.articles and "政府采购法" not in engineering.articles
    assert "政府采购法实施条例" in procurement.articles and "招标投标法" not in procurement.articles
    assert land.articles.startswith("《山西省人民政府办公厅") and "三（七）" in land.articles
    assert "晋政办发〔2015〕80号" in land.message_zh


def test_scale_conditions_are_a_procurement_rule_only():
    sentence = "投标人注册资本不低于5000万元。"
    assert [f.code for f in fairness.check(sentence, category="procurement")] == ["fairness.scale"]
    assert fairness.check(sentence, category="engineering") == []


def test_a_brand_with_or_equivalent_is_not_flagged_but_without_it_is():
    assert fairness.check("水泵品牌为格兰富或相当于同等档次。") == []
    assert [f.code for f in fairness.check("水泵品牌为格兰富。")] == ["fairness.brand"]


def test_post_award_service_commitment_is_allowed_but_a_bidding_condition_is_not():
    assert fairness.check("成交供应商须承诺在成交后30日内在项目所在地设立售后服务网点。") == []
    assert fairness.check("供应商须在项目所在地设立售后服务网点。")[0].code == "fairness.local_branch"


def test_as_dict_for_pages_and_the_api():
    d = fairness.check("投标人须为国有企业。", category="engineering")[0].as_dict()
    assert d["code"] == "fairness.ownership"
    assert d["articles"][0]["label"] == "《招标投标法实施条例》第三十二条第二款第（六）项"
    assert d["excerpt"] == "须为国有企业"


def test_bad_input():
    with pytest.raises(InvalidInput) as e:
        fairness.check(None)  # type: ignore[arg-type]
    assert e.value.code == "fairness.text_invalid"
    with pytest.raises(InvalidInput) as e:
        fairness.check("中" * (fairness.MAX_CHARS + 1))
    assert e.value.code == "fairness.text_too_long"
    assert fairness.check("") == []


_ARTICLE = re.compile(r"^(第[一二三四五六七八九十百]+条)")


def _law_text(law: str) -> str | None:
    for folder in (
        Path(__file__).resolve().parents[2] / "src" / "ggzy" / "rules" / "law",
        Path(__file__).resolve().parents[3] / "shared" / "law",
    ):
        for path in sorted(folder.glob(f"{law}(*.md")) if folder.is_dir() else ():
            return path.read_text(encoding="utf-8")
    return None


def test_every_cited_article_exists_in_the_law_library():
    checked = 0
    for rule in RULES:
        for b in rule.basis:
            c = b.citation
            if c.law.startswith("山西省人民政府办公厅"):
                continue
            text = _law_text(c.law)
            if text is None:
                pytest.skip("law library not available")
            article = _ARTICLE.match(c.article).group(1)
            assert re.search(rf"^{article}\s", text, re.M), f"{c.label()} not in {c.law}"
            item = re.search(r"第（([一二三四五六七八])）项", c.article)
            if item:  # the item exists inside that article
                body = text[text.index(article + " ") :]
                body = body[: re.search(r"\n第[一二三四五六七八九十百]+条\s", body).start()]
                assert f"({item.group(1)})" in body or f"（{item.group(1)}）" in body, c.label()
            checked += 1
    assert checked > 20


# --- properties ----------------------------------------------------------------------------------

_ALPHABET = st.sampled_from(
    list(
        "投标人须在本市注册设立分公司业绩品牌为格力国有企业注册资本不低于万元保证金现金。；，：（）\n 　Ａa1１"
    )
    + [s for _, s in FLAGGED[:6]]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_offsets_are_always_inside_the_text_and_excerpts_match(text):
    for f in fairness.check(text):
        assert 0 <= f.start < f.end <= len(text)
        assert f.excerpt == text[f.start : f.end]


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_checked_without_error(text):
    for f in fairness.check(text):
        assert 0 <= f.start < f.end <= len(text) and f.excerpt == text[f.start : f.end]


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(FLAGGED), st.text(alphabet="，。；\n的和与及", max_size=20))
def test_a_flagged_clause_is_found_wherever_it_appears(item, prefix):
    code, sentence = item
    prefix += "。"  # any text before, in another sentence
    text = prefix + sentence
    shifted = [f for f in fairness.check(text) if f.code == code]
    alone = [f for f in fairness.check(sentence) if f.code == code]
    assert [(f.start - len(prefix), f.end - len(prefix)) for f in shifted][:1] == [
        (f.start, f.end) for f in alone
    ][:1]
