"""Normalising words for search and related ranking; identifiers."""

from __future__ import annotations

import re

import pytest
from essays_cli.loading.slugs import essay_id_from_title, section_id
from hypothesis import given
from hypothesis import strategies as st

from shared.library.ids import ESSAY_ID_PATTERN, is_essay_id, is_section_id
from shared.library.text import terms


def test_case_accents_and_punctuation_do_not_matter() -> None:
    assert terms("Émile ZOLA!") == terms("emile zola") == ["emile", "zola"]


def test_stop_words_are_ignored_and_plurals_fold_to_singular() -> None:
    assert terms("The causes of the revolutions of 1848") == ["cause", "revolution", "1848"]
    assert terms("revolution cause") == ["revolution", "cause"]
    assert terms("cities, churches and boxes") == ["city", "church", "box"]
    assert terms("analysis of the status of glass") == ["analysis", "status", "glass"]


def test_possessives_do_not_leave_a_stray_letter() -> None:
    assert terms("Stalin's rise") == ["stalin", "rise"]


def test_derived_essay_ids_are_stable_readable_and_valid() -> None:
    first = essay_id_from_title("Émile Zola and the Dreyfus Affair")
    assert first == essay_id_from_title("Émile  Zola and the Dreyfus Affair")  # spacing does not matter
    assert first != essay_id_from_title("Emile Zola and the Dreyfus Affair")  # different title, other id
    assert first.startswith("emile-zola-and-the-dreyfus-affair-")
    assert is_essay_id(first)


def test_section_ids_are_slugs_of_level_subject_section() -> None:
    sid = section_id("AS and A Level", "History", "Modern European History, 1789-1945")
    assert sid == "as-and-a-level--history--modern-european-history-1789-1945"
    assert is_section_id(sid)


@pytest.mark.parametrize("value", ["", "UPPER", "has space", "a" * 101, "trailing-", "x/y", "stalin\n", "a\n"])
def test_invalid_essay_ids(value: str) -> None:
    assert not is_essay_id(value)


@given(st.text(alphabet="az09-A_é\n ", max_size=104) | st.text(alphabet="a-", min_size=98, max_size=102))
def test_essay_ids_are_checked_as_the_published_pattern_says(value: str) -> None:
    assert is_essay_id(value) == (re.fullmatch(ESSAY_ID_PATTERN, value) is not None)


@pytest.mark.parametrize("value", ["gcse--english--poetry\n", "gcse--english--poetry\r\n", "\ngcse--english--poetry"])
def test_invalid_section_ids(value: str) -> None:
    assert not is_section_id(value)


def test_the_marks_class_is_unicodes_combining_marks() -> None:
    import re
    import sys
    import unicodedata

    from shared.library.marks import MARKS, UNICODE_VERSION

    assert unicodedata.unidata_version == UNICODE_VERSION  # else: regenerate marks.py
    pattern = re.compile(f"[{MARKS}]")
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        assert bool(pattern.match(ch)) == unicodedata.category(ch).startswith("M"), hex(code)


def test_words_keep_their_vowel_signs_in_every_script() -> None:
    from shared.library.text import fold, words_in

    assert words_in(fold("निराला की कविता")) == ["निराला", "की", "कविता"]
    assert words_in(fold("ভালোবাসা")) == [fold("ভালোবাসা")]  # one Bengali word, not five pieces
    assert words_in(fold("தமிழ் இலக்கியம்")) == [fold("தமிழ்"), fold("இலக்கியம்")]
    assert words_in(fold("می\u200cخواهم")) == [fold("میخواهم")]  # a joiner does not cut a Persian word
    assert words_in("stalin's rise, 1924") == ["stalin", "s", "rise", "1924"]
