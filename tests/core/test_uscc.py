"""USCC validation (GB 32100-2015): property-based and the published examples."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ggzy.core import uscc
from ggzy.core.errors import InvalidInput

SHANXI = {"140000": "山西省", "140100": "太原市", "140105": "小店区", "140200": "大同市", "140215": "云州区"}
ABOLISHED = {"140227": "大同县（2018年撤销）"}

ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
PAIRS = [(a, c) for a, (_, cats) in uscc.AUTHORITIES.items() for c in cats]
REGIONS = [p + "0000" for p in uscc.PROVINCES] + ["140100", "140105", "320506", uscc.NATIONAL_REGION]


@st.composite
def valid_codes(draw) -> str:
    authority, category = draw(st.sampled_from(PAIRS))
    region = draw(st.sampled_from(REGIONS))
    body = draw(st.text(alphabet=ORG_CHARS, min_size=8, max_size=8))
    return uscc.make(authority, category, region, body)


@given(valid_codes())
def test_any_valid_body_with_its_check_characters_passes(code):
    info = uscc.validate(code, home_regions=SHANXI)
    assert info.code == code
    assert info.region_code == code[2:8]
    assert info.organisation_code == code[8:17]


@given(valid_codes(), st.integers(min_value=0, max_value=17), st.sampled_from(list(uscc.ALPHABET)))
def test_any_single_character_change_fails(code, position, replacement):
    assume(code[position] != replacement)
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(InvalidInput):
        uscc.validate(changed, home_regions=SHANXI)


@given(valid_codes(), st.integers(min_value=0, max_value=16))
def test_swapping_adjacent_characters_fails_when_they_differ(code, i):
    assume(code[i] != code[i + 1])
    swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
    assert not uscc.is_valid(swapped, home_regions=SHANXI)


@pytest.mark.parametrize(
    "code",
    [
        "914403001922038216",
        "9144030071526726XG",
        "91110108551385082Q",
        "91110000600037341L",
        "121200004013590816",
        "91310115MA1K3BTP2B",
        "91340600MA2PBM9HXD",
    ],
)
def test_published_examples_pass(code):
    assert uscc.is_valid(code)


def test_lower_case_and_spaces_are_normalised():
    assert uscc.validate(" 91310115ma1k3btp2b ").code == "91310115MA1K3BTP2B"


def _messages(code, **kw):
    with pytest.raises(InvalidInput) as exc:
        uscc.validate(code, **kw)
    return exc.value, [e.message for e in exc.value.errors]


def test_wrong_check_character_says_which_it_should_be():
    err, msgs = _messages("91110000600037341N")
    assert err.code == "uscc.check_character"
    assert msgs == ["第18位校验码应为“L”，实际为“N”，请核对代码是否抄录有误"]


def test_length_is_reported_with_the_actual_count():
    err, msgs = _messages("9111000060003734")
    assert err.code == "uscc.length"
    assert "有16位" in msgs[0]


def test_forbidden_letters_are_named_with_their_position():
    err, msgs = _messages("9111000060003734IL")
    assert err.code == "uscc.charset"
    assert msgs[0].startswith("第17位“I”")


def test_unknown_authority_and_mismatched_category():
    code = uscc.make("9", "1", "140100", "12345678")
    err, msgs = _messages("B" + code[1:17] + uscc.check_character("B" + code[1:17]))
    assert err.code == "uscc.authority"
    code = uscc.make("9", "1", "140100", "12345678")
    body = "95" + code[2:17]
    err, msgs = _messages(body + uscc.check_character(body))
    assert err.code == "uscc.category"
    assert "工商" in msgs[0] and "1（企业）" in msgs[0]


def test_region_part_must_be_a_province_of_china():
    body = "91990100" + "123456780"[:8]
    body = body + uscc.organisation_check_character(body[8:16])
    err, msgs = _messages(body + uscc.check_character(body))
    assert err.code == "uscc.region"
    assert "“99”不是省级行政区划代码" in msgs[0]


def test_home_province_county_is_checked_but_abolished_codes_stay_valid():
    unknown = uscc.make("9", "1", "140199", "12345678")
    _err, msgs = _messages(unknown, home_regions=SHANXI, home_abolished=ABOLISHED)
    assert "不是山西省的行政区划代码" in msgs[0]
    old = uscc.make("9", "1", "140227", "12345678")
    assert uscc.validate(old, home_regions=SHANXI, home_abolished=ABOLISHED).region_code == "140227"


def test_other_provinces_register_the_same_way():
    """Seed 三(七): an entity from Jiangsu passes with the same checks as one from Shanxi."""
    jiangsu = uscc.make("9", "1", "320506", "12345678")
    assert uscc.validate(jiangsu, home_regions=SHANXI).province == "江苏省"


def test_organisation_code_check_is_independent():
    code = uscc.make("9", "1", "140100", "12345678")
    wrong_org = code[:16] + ("0" if code[16] != "0" else "1")
    body = wrong_org
    err, msgs = _messages(body + uscc.check_character(body))
    assert err.code == "uscc.organisation_code"
    assert f"校验位应为“{code[16]}”" in msgs[0]


def test_several_problems_are_all_listed():
    err, msgs = _messages("B1990000600037341N")
    assert len(msgs) >= 3
    assert err.message.startswith("统一社会信用代码有")
