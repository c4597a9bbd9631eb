"""Tagging comments by theme rules: Finnish and English sets with hand-checked tags."""

from __future__ import annotations

import unicodedata

import pytest

from cxgov.model import Theme
from cxgov.voc.matcher import ThemeMatcher, parse_pattern, rule_hash


def _theme(id_: str, **match: object) -> Theme:
    return Theme.model_validate({"id": id_, "name": id_, "match": match})


FINNISH = [
    _theme(
        "toimitukset",
        any=["toimitu*", "kuljet*", "ei tullut"],
        none=["toimitusjohtaj*"],
    ),
    _theme("myohastyminen", any=["toimitu*", "huollo*"], all=["myöh*"]),
    _theme("laskutus", any=["lasku", "laskun", "laskussa"]),
    _theme("kiitos", any=["kiito*", "hyvää palvelua"], none=["ei toimi*", "myöh*"]),
    _theme("saatavuus", any=["säätö*"]),
]

# (comment, expected {theme: pattern}), checked by hand
FINNISH_CASES = [
    # inflected forms through the prefix wildcard
    ("Toimitus tuli ajallaan.", {"toimitukset": "toimitu*"}),
    ("Toimituksen kanssa oli ongelmia", {"toimitukset": "toimitu*"}),
    ("toimituksessa puuttui laatikko", {"toimitukset": "toimitu*"}),
    ("Kuljettaja oli ystävällinen", {"toimitukset": "kuljet*"}),
    # a phrase matches consecutive words only
    ("Tilaus ei tullut perille", {"toimitukset": "ei tullut"}),
    ("Ei se tullut ajallaan", {}),
    # negation: the `none` pattern vetoes the theme
    ("Toimitusjohtaja vastasi viestiini", {}),
    # `all`: a delivery and a delay both mentioned
    (
        "Toimitus oli myöhässä kaksi päivää",
        {"toimitukset": "toimitu*", "myohastyminen": "toimitu*"},
    ),
    ("Huollon käynti myöhästyi", {"myohastyminen": "huollo*"}),
    ("Myöhässä taas", {}),
    # whole words without a wildcard: "laskuri" is not "lasku"
    ("Laskussa oli virhe", {"laskutus": "laskussa"}),
    ("Hintalaskuri oli kätevä", {}),
    ("laskuri ei laskenut oikein", {}),
    # politeness after a complaint is not praise
    ("Kiitos nopeasta palvelusta", {"kiitos": "kiito*"}),
    ("Kone ei toiminut, kiitos kuitenkin", {}),
    ("Hyvää palvelua!", {"kiitos": "hyvää palvelua"}),
    # case-insensitive, and ä is a letter of its own: `säätö*` does not hit "saato"
    ("SÄÄTÖ onnistui", {"saatavuus": "säätö*"}),
    ("saatossa ei ollut vikaa", {}),
]


@pytest.mark.parametrize(("comment", "expected"), FINNISH_CASES)
def test_finnish_comments_get_the_hand_checked_tags(comment: str, expected: dict[str, str]) -> None:
    assert ThemeMatcher(FINNISH).tag(comment) == expected


ENGLISH = [
    _theme("delivery", any=["deliver*", "shipping", "courier"], none=["not late"]),
    _theme("billing", any=["invoice*", "billing", "charged twice"]),
    _theme("staff", any=["friendly", "rude"], regex=r"\bcabin\s+crew\b"),
]

ENGLISH_CASES = [
    ("The delivery was late", {"delivery": "deliver*"}),
    ("They delivered on Tuesday", {"delivery": "deliver*"}),
    ("Deliveries were not late at all", {}),
    ("Invoice was wrong, I was charged twice", {"billing": "invoice*"}),
    ("I was Charged  Twice!", {"billing": "charged twice"}),
    ("charged, twice", {"billing": "charged twice"}),
    ("Redelivery requested", {}),
    ("The cabin   crew were great", {"staff": r"regex:\bcabin\s+crew\b"}),
    ("Friendly cabin crew", {"staff": "friendly"}),
    ("", {}),
]


@pytest.mark.parametrize(("comment", "expected"), ENGLISH_CASES)
def test_english_comments_get_the_hand_checked_tags(comment: str, expected: dict[str, str]) -> None:
    assert ThemeMatcher(ENGLISH).tag(comment) == expected


def test_decomposed_umlauts_match_their_composed_letters() -> None:
    decomposed = unicodedata.normalize("NFD", "Myöhässä toimitus")
    assert decomposed != "Myöhässä toimitus"
    assert "myohastyminen" in ThemeMatcher(FINNISH).tag(decomposed)


def test_a_regex_alone_tags_and_all_only_themes_tag_on_every_pattern() -> None:
    matcher = ThemeMatcher(
        [_theme("code", regex=r"\bE-?\d{3}\b"), _theme("both", all=["kahvi*", "kylmä*"])]
    )
    assert matcher.tag("Virhekoodi E-042 näytöllä") == {"code": r"regex:\bE-?\d{3}\b"}
    assert matcher.tag("Kahvi oli kylmää") == {"both": "kahvi*"}
    assert matcher.tag("Kahvi oli hyvää") == {}


def test_explain_shows_every_pattern_that_hit() -> None:
    explained = ThemeMatcher(FINNISH).explain("Toimitusjohtaja kiitti toimituksesta")
    assert explained["toimitukset"] == {
        "any": ["toimitu*"],
        "all": [],
        "none": ["toimitusjohtaj*"],
    }


def test_patterns_parse_into_whole_words_and_prefixes() -> None:
    assert [(a.text, a.prefix) for a in parse_pattern("Ei Toimi*")] == [
        ("ei", False),
        ("toimi", True),
    ]
    assert [(a.text, a.prefix) for a in parse_pattern("e-lasku*")] == [
        ("e", False),
        ("lasku", True),
    ]


def test_a_pattern_without_letters_matches_nothing() -> None:
    assert ThemeMatcher([_theme("odd", any=["!!!"])]).tag("!!! huono !!!") == {}


def test_the_rule_hash_changes_with_a_match_rule_only() -> None:
    base = rule_hash(FINNISH)
    renamed = [t.model_copy(update={"name": "other"}) for t in FINNISH]
    assert rule_hash(renamed) == base
    changed = [*FINNISH[:-1], _theme("saatavuus", any=["säätö*", "säädö*"])]
    assert rule_hash(changed) != base
