"""Deal codes: structure, parsing with Chinese errors, round trips, uniqueness of allocation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ggzy.core.errors import InvalidInput
from ggzy.trading import dealcodes

regions = st.sampled_from(["140100", "140105", "140200", "140000", "141000", "110105"])
categories = st.sampled_from(sorted(dealcodes.CATEGORY_DIGITS))


def test_structure_of_the_three_codes():
    project = dealcodes.project_code("140100", 2026, "engineering", 1)
    assert project == "M1401002610000001" and len(project) == 17
    tender = dealcodes.tender_code(project)
    assert tender == project + "001" and len(tender) == 20
    lot = dealcodes.lot_code(tender, 2)
    assert lot == project + "001002" and len(lot) == 23
    parsed = dealcodes.parse(lot)
    assert (parsed.kind, parsed.region_code, parsed.year, parsed.category) == (
        "lot",
        "140100",
        2026,
        "engineering",
    )
    assert (parsed.sequence, parsed.tender_no, parsed.lot_no) == (1, 1, 2)


def test_the_shanxi_example_has_the_national_lengths():
    for code, kind in [("M1401000155021581", "project"), ("M1401000155021581001", "tender"),
                       ("M1401000155021581001002", "lot")]:  # fmt: skip
        assert dealcodes.parse(code).kind == kind


@given(regions, st.integers(2000, 2099), categories, st.integers(1, dealcodes.MAX_SEQUENCE),
       st.integers(1, 999), st.integers(1, 999))  # fmt: skip
def test_round_trip(region, year, category, seq, tender_no, lot_no):
    project = dealcodes.project_code(region, year, category, seq)
    lot = dealcodes.lot_code(dealcodes.tender_code(project, tender_no), lot_no)
    parsed = dealcodes.parse(lot)
    assert parsed.text == lot
    assert parsed.project_code == project
    assert (parsed.region_code, parsed.year, parsed.category, parsed.sequence) == (
        region,
        year,
        category,
        seq,
    )
    assert dealcodes.parse(project).text == project


@given(st.lists(st.tuples(regions, st.integers(2000, 2099), st.integers(1, 10**6)), unique=True, max_size=50))
def test_distinct_inputs_give_distinct_codes(keys):
    codes = {dealcodes.project_code(r, y, "procurement", s) for r, y, s in keys}
    assert len(codes) == len(keys)


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("M14010026100000", "dealcode.length", "长度"),
        ("X1401002610000001", "dealcode.prefix", "开头"),
        ("M14010026100A0001", "dealcode.digits", "数字"),
        ("M1401002670000001", "dealcode.category", "交易类别"),
        ("M1401002610000000", "dealcode.sequence", "流水号"),
        ("M1401002610000001000", "dealcode.tender_number", "招标项目序号"),
        ("M1401002610000001001000", "dealcode.lot_number", "标段"),
        ("M0001002610000001", "dealcode.region", "区划"),
    ],
)
def test_bad_codes_are_explained_in_chinese(text, code, words):
    with pytest.raises(InvalidInput) as err:
        dealcodes.parse(text)
    assert err.value.code == code
    assert words in err.value.message
    assert not dealcodes.is_valid(text)


def test_builders_refuse_out_of_range_parts():
    with pytest.raises(InvalidInput, match="流水号"):
        dealcodes.project_code("140100", 2026, "land", dealcodes.MAX_SEQUENCE + 1)
    with pytest.raises(InvalidInput, match="交易类别"):
        dealcodes.project_code("140100", 2026, "water", 1)
    with pytest.raises(InvalidInput):
        dealcodes.lot_code("M1401002610000001001", 1000)
