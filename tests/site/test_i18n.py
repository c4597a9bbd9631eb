"""The site's numbers and dates follow the program's language."""

from __future__ import annotations

import datetime as dt

import pytest

from cxgov.model import Language
from cxgov.site.i18n import MESSAGES, Locale

FI = Locale(Language.FI)
EN = Locale(Language.EN)


def test_finnish_numbers_use_a_decimal_comma_and_space_grouping() -> None:
    assert FI.number(1.5) == "1,5"
    assert FI.number(1234.56, 2) == "1\u00a0234,56"
    assert FI.number(-3.25) == "−3,2"  # the proper minus sign; Python rounds half to even
    assert FI.percent(0.5) == "50\u00a0%"


def test_english_numbers_use_a_decimal_point_and_comma_grouping() -> None:
    assert EN.number(1.5) == "1.5"
    assert EN.number(1234.56, 2) == "1,234.56"
    assert EN.percent(0.5) == "50%"


def test_dates_are_written_as_each_language_writes_them() -> None:
    day = dt.date(2026, 11, 22)
    assert FI.date(day) == "22.11.2026"
    assert EN.date(day) == "2026-11-22"
    assert FI.month(day) == "marras 26"
    assert EN.month(day) == "Nov 26"


def test_missing_values_show_a_dash() -> None:
    assert FI.number(None) == EN.date(None) == FI.percent(None) == "–"


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_exists_in_both_languages_with_the_same_placeholders(key: str) -> None:
    import string

    texts = MESSAGES[key]
    assert set(texts) == {"en", "fi"}
    fields = [
        {name for _, name, _, _ in string.Formatter().parse(text) if name}
        for text in texts.values()
    ]
    assert fields[0] == fields[1], key
