"""Segmentation for search (pure): words and bigrams on both sides, highlighting."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ggzy.portal import segment

HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


def test_index_text_has_jieba_words_and_bigrams():
    tokens = segment.index_text("呼和浩特市道路改造").split()
    assert "道路" in tokens and "改造" in tokens  # jieba words
    assert {"呼和", "和浩", "浩特"} <= set(tokens)  # bigrams: 呼和浩特 is found inside 呼和浩特市
    assert "呼和浩特" not in tokens  # jieba alone never yields it (STACK-NOTES)


def test_query_terms_split_on_spaces_and_drop_punctuation():
    terms = segment.parse_query("  太原  道路改造 ，，  ")
    assert [t.text for t in terms] == ["太原", "道路改造"]
    assert terms[1].words == ("道路", "改造")
    assert terms[1].grams == ("道路", "路改", "改造")
    assert segment.parse_query("，。！") == []
    assert len(segment.parse_query(" ".join(["道路"] * 20))) == segment.MAX_TERMS


def test_codes_and_latin_are_lowercased_tokens():
    assert "m1401002026" in segment.index_text("项目编号M1401002026").split()
    assert segment.parse_query("GB50300")[0].words == ("gb50300",)


@settings(max_examples=200, deadline=None)
@given(st.text(HAN, min_size=2, max_size=40), st.data())
def test_every_chinese_substring_of_two_or_more_characters_is_findable(text, data):
    """Recall: any run of ≥2 Chinese characters typed as a query matches the document through its
    bigrams, whatever jieba makes of either side."""
    start = data.draw(st.integers(0, len(text) - 2))
    end = data.draw(st.integers(start + 2, len(text)))
    indexed = set(segment.index_text(text).split())
    (term,) = segment.parse_query(text[start:end])
    assert set(term.grams) <= indexed


def test_highlight_escapes_and_marks():
    terms = segment.parse_query("道路")
    out = segment.highlight("<b>太原</b>市道路改造工程", terms)
    assert "&lt;b&gt;" in out and "<b>" not in out
    assert "<mark>道路</mark>" in out


def test_highlight_cuts_a_window_around_the_first_match():
    text = "甲" * 300 + "道路" + "乙" * 300
    out = segment.highlight(text, segment.parse_query("道路"), width=60)
    assert out.startswith("…") and out.endswith("…")
    assert "<mark>道路</mark>" in out
    assert len(out) < 120
