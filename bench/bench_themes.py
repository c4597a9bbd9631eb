"""How fast comments are tagged by theme, against a plain `re` search per theme.

The issue "Why the numbers move" sets the goal: 1,000,000 comments against 50 themes in under
60 s on this machine. This generates N comments (default 1,000,000; Finnish and English, 4–25
words, inflected forms, about half mentioning something a theme looks for) and 50 themes (the
nine of `programs/kahvipalvelu` and 41 generated ones with prefix words, whole words, phrases,
`all` and `none` lists, two with a regex), then measures in one process, N repeats (default 3):

- cxgov: compile the themes (`ThemeMatcher`) and tag every comment (`ThemeMatcher.tag`), with
  the full semantics (whole words, prefixes, phrases, any/all/none, Unicode folding);
- baseline: one compiled `re` alternation per theme over its `any` patterns
  (`\\b(?:toimitu\\w*|kuljet\\w*|ei\\s+tullut)\\b`, case-insensitive) searched in every comment:
  50 searches per comment, without `all`, `none` or normalisation, so it does less.

With `--store`, it also loads the comments into a SQLite store (`feedback` rows inserted in
bulk) and times `cxgov.voc.evidence.collect` twice: cold (every comment tagged and its tags
stored) and warm (every tag reused). Medians of wall time; the exit status is always 0.

    .venv/bin/python bench/bench_themes.py [--comments 1000000] [--repeat 3] [--store]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from cxgov import api  # noqa: E402
from cxgov.model import Program, Theme  # noqa: E402
from cxgov.voc.matcher import ThemeMatcher  # noqa: E402

GOAL_SECONDS = 60.0

FILLER = [
    "ja",
    "on",
    "oli",
    "se",
    "että",
    "kun",
    "mutta",
    "ei",
    "myös",
    "hyvin",
    "aina",
    "nyt",
    "vielä",
    "kahvi",
    "automaatti",
    "toimisto",
    "kollega",
    "aamu",
    "päivä",
    "viikko",
    "tilanne",
    "asia",
    "palvelu",
    "the",
    "and",
    "was",
    "it",
    "we",
    "our",
    "office",
    "machine",
    "coffee",
    "team",
    "week",
    "morning",
    "really",
    "very",
    "good",
    "bad",
    "fine",
    "okay",
    "again",
]
MENTIONS = [
    "toimitus",
    "toimituksen",
    "toimituksessa",
    "toimitukset",
    "kuljettaja",
    "kuljetus",
    "myöhässä",
    "myöhästyi",
    "laskussa",
    "laskun",
    "lasku",
    "hyvitys",
    "huolto",
    "huollon",
    "huoltomies",
    "korjaus",
    "rikki",
    "vika",
    "vian",
    "maku",
    "maistuu",
    "karvas",
    "laimea",
    "hinta",
    "hinnat",
    "kallis",
    "edullinen",
    "asiakaspalvelu",
    "jonossa",
    "odottaa",
    "asennus",
    "koulutus",
    "ohjeet",
    "kiitos",
    "loistava",
    "ystävällinen",
    "delivery",
    "delayed",
    "late",
    "invoice",
    "billing",
    "refund",
    "repair",
    "broken",
    "taste",
    "price",
    "expensive",
    "friendly",
    "queue",
    "waiting",
]
PHRASES = ["ei tullut", "ei toimi", "hyvää palvelua", "ei vastannut", "charged twice"]


SYLLABLES = [
    "ka",
    "ko",
    "ku",
    "ki",
    "ta",
    "to",
    "tu",
    "ti",
    "pa",
    "po",
    "pu",
    "sa",
    "so",
    "su",
    "la",
    "lo",
    "lu",
    "ra",
    "ro",
    "ru",
    "ma",
    "mo",
    "mu",
    "na",
    "no",
    "nu",
    "va",
    "vä",
    "hä",
    "ät",
    "öl",
    "yr",
]


def _vocabulary(count: int, rng: random.Random) -> list[str]:
    """Made-up words of three to four syllables, so generated themes do not overlap."""
    found: set[str] = set()
    while len(found) < count:
        found.add("".join(rng.choices(SYLLABLES, k=rng.randint(3, 4))))
    return sorted(found)


VOCABULARY = _vocabulary(3_000, random.Random(3))
THEME_WORDS = VOCABULARY[:410]
"""Ten words per generated theme (41 themes use the first 410); the rest is everyday text."""
EVERYDAY = VOCABULARY[410:] + FILLER


def comments(count: int, seed: int = 11) -> list[str]:
    """About half the comments mention one to three theme words (the program's own or the
    generated themes'), inflected by a suffix; a tenth carry a phrase."""
    rng = random.Random(seed)
    suffixes = ["", "n", "ssa", "lla", "t", "ja", "sta"]
    found = []
    for _ in range(count):
        words = rng.choices(EVERYDAY, k=rng.randint(4, 25))
        if rng.random() < 0.5:
            for _ in range(rng.randint(1, 3)):
                word = rng.choice(MENTIONS) if rng.random() < 0.5 else rng.choice(THEME_WORDS)
                words.insert(rng.randrange(len(words) + 1), word + rng.choice(suffixes))
        if rng.random() < 0.1:
            words.insert(rng.randrange(len(words) + 1), rng.choice(PHRASES))
        text = " ".join(words)
        found.append(text[0].upper() + text[1:] + rng.choice([".", "!", "", "?"]))
    return found


def themes() -> list[Theme]:
    """The kahvipalvelu themes and 41 generated ones: eight prefix words and a whole word of
    their own, a phrase; every fifth with an `all`, every third with a `none`, two regexes."""
    program: Program = api.load_program(str(REPO / "programs" / "kahvipalvelu"))
    found = list(program.themes)
    rng = random.Random(5)
    while len(found) < 50:
        number = len(found)
        own = THEME_WORDS[(number - 9) * 10 : (number - 9) * 10 + 10]
        match: dict[str, object] = {
            "any": [f"{w}*" for w in own[:8]] + [own[8]] + rng.sample(PHRASES, 1)
        }
        if number % 5 == 0:
            match["all"] = [f"{own[9]}*"]
        if number % 3 == 0:
            match["none"] = [rng.choice(PHRASES)]
        if number % 20 == 0:
            match["regex"] = r"\b(?:e-?\d{3}|virhe\s*\d+)\b"
        found.append(
            Theme.model_validate({"id": f"t{number}", "name": f"Theme {number}", "match": match})
        )
    return found


def _alternation(theme: Theme) -> re.Pattern[str]:
    parts = []
    for pattern in theme.match.any:
        words = [
            re.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*") else "") for w in pattern.split()
        ]
        parts.append(r"\s+".join(words))
    if theme.match.regex:
        parts.append(theme.match.regex)
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b", re.IGNORECASE)


def tag_cxgov(theme_list: list[Theme], texts: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    matcher = ThemeMatcher(theme_list)
    tagged = sum(1 for text in texts if matcher.tag(text))
    return time.perf_counter() - started, tagged


def tag_baseline(theme_list: list[Theme], texts: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    compiled = [_alternation(t) for t in theme_list]
    tagged = sum(1 for text in texts if any(p.search(text) for p in compiled))
    return time.perf_counter() - started, tagged


def store_runs(theme_list: list[Theme], texts: list[str]) -> tuple[float, float, float]:
    """Seconds to load the comments, then to collect them cold (tag and store) and warm."""
    from cxgov.model import Program as ProgramModel
    from cxgov.store.engine import open_store
    from cxgov.store.tables import FEEDBACK, INGEST_BATCHES
    from cxgov.voc.evidence import collect

    base = api.load_program(str(REPO / "programs" / "kahvipalvelu"))
    program = ProgramModel.model_validate(
        {
            **base.model_dump(mode="json", exclude_none=True),
            "themes": [t.model_dump(mode="json", exclude_none=True) for t in theme_list],
        }
    )
    with tempfile.TemporaryDirectory() as folder:
        engine = open_store(f"sqlite:///{Path(folder) / 'bench.db'}")
        started = time.perf_counter()
        moment = dt.datetime(2026, 6, 1, 12)
        with engine.begin() as connection:
            batch = connection.execute(
                insert(INGEST_BATCHES).values(
                    program="kahvipalvelu", source="bench", started_at=moment, status="committed"
                )
            ).inserted_primary_key[0]
            for start in range(0, len(texts), 50_000):
                connection.execute(
                    insert(FEEDBACK),
                    [
                        {
                            "program": "kahvipalvelu",
                            "source": "bench",
                            "response_id": f"r{start + i}",
                            "measurement_point": "mp-toimitus-csat",
                            "collected_at": moment - dt.timedelta(minutes=start + i),
                            "value": 4.0,
                            "not_applicable": False,
                            "customer_key": None,
                            "segments": {},
                            "comment": text,
                            "batch_id": batch,
                        }
                        for i, text in enumerate(texts[start : start + 50_000])
                    ],
                )
        loaded = time.perf_counter() - started
        timings = []
        for _ in range(2):
            started = time.perf_counter()
            with engine.begin() as connection:
                evidence = collect(connection, program, dt.date(2026, 7, 1), persist=True)
            timings.append(time.perf_counter() - started)
            assert len(evidence.comments) == len(texts)
        engine.dispose()
    return loaded, timings[0], timings[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--store", action="store_true")
    args = parser.parse_args()
    texts = comments(args.comments)
    theme_list = themes()
    print(f"{len(texts):,} comments, {len(theme_list)} themes")
    ours, base = [], []
    tagged_ours = tagged_base = 0
    for _ in range(args.repeat):
        seconds, tagged_ours = tag_cxgov(theme_list, texts)
        ours.append(seconds)
        seconds, tagged_base = tag_baseline(theme_list, texts)
        base.append(seconds)
    m_ours, m_base = statistics.median(ours), statistics.median(base)
    print(
        f"cxgov ThemeMatcher : {m_ours:7.2f} s  ({len(texts) / m_ours:,.0f} comments/s), "
        f"{tagged_ours:,} comments tagged"
    )
    print(
        f"re per theme       : {m_base:7.2f} s  ({len(texts) / m_base:,.0f} comments/s), "
        f"{tagged_base:,} comments hit (any only)"
    )
    print(f"ratio cxgov / re   : {m_ours / m_base:.2f}")
    scaled = m_ours * 1_000_000 / len(texts)
    print(
        f"goal: 1,000,000 × 50 themes under {GOAL_SECONDS:.0f} s → {scaled:.1f} s "
        f"{'PASS' if scaled < GOAL_SECONDS else 'MISS'}"
    )
    if args.store:
        loaded, cold, warm = store_runs(theme_list, texts)
        print(
            f"store (SQLite): load {loaded:.1f} s; collect cold (tag + store) {cold:.1f} s; "
            f"warm (tags reused) {warm:.1f} s"
        )


if __name__ == "__main__":
    main()
