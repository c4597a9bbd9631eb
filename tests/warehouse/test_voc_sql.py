"""The statements the voice of the customer sends to a table source's engine (the comment
rows per local day, a page of comments, the fatigue histograms, the contact rules' histograms, the drivers' respondents)
compiled without a connection for every engine a table source runs on, against golden SQL
(tests/fixtures/warehouse/golden/voc): Spark's (PyHive's `hive`) included, which no test
here runs. CXGOV_UPDATE_GOLDEN=1 writes the files again for review."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest

from cxgov.api._program import load_program
from cxgov.judgement.periods import Period
from cxgov.store.respondents import Scoring
from cxgov.warehouse import surveys
from cxgov.warehouse.comments import Days, comment_days_statement, comment_statement
from cxgov.warehouse.respondents import respondent_statements
from tests.warehouse.answers import FIXTURE
from tests.warehouse.test_dialects import (
    ENGINES,
    GOLDEN,
    GOLDEN_NAMES,
    described_table,
    rendered,
)

AS_OF = dt.date(2026, 12, 1)
REPLACE = {
    "      value: value\n": "      value: value\n      comment: comment\n"
    "      customer: recipient_email\n"
}


def statements(instants: bool, tmp: Any) -> list[Any]:
    text = (FIXTURE / "program.yaml").read_text(encoding="utf-8")
    for old, new in REPLACE.items():
        text = text.replace(old, new)
    (tmp / "program.yaml").write_text(text, encoding="utf-8")
    program = load_program(str(tmp))
    source = program.sources[0]
    table = described_table(instants)
    points = ["mp-effort", "mp-food", "mp-nps"]
    days = Days.of({dt.date(2026, 11, 3), dt.date(2026, 11, 4), dt.date(2026, 11, 20)})
    counts = comment_days_statement(source, table, program, points, days)
    # a page is a range of the days read, after the last page's last pair within it
    part = days.within(dt.date(2026, 11, 4), dt.date(2026, 11, 20))
    page, _ = comment_statement(source, table, program, points, part, ("R_1_2", "QID2"))
    relation = surveys._relation(source, table, program, points, AS_OF)
    windows = [
        Period(dt.date(2026, 9, 2), AS_OF, True),
        Period(dt.date(2026, 8, 3), dt.date(2026, 10, 31), True),
    ]
    fatigue = surveys.windows_statement(relation, windows, {"visit": ["mp-food", "mp-nps"]})
    contact = surveys.contact_statement(
        relation, {"mp-food": Period(dt.date(2026, 10, 2), AS_OF, True)}
    )
    drivers = respondent_statements(
        source,
        table,
        program,
        ("mp-nps", Scoring("nps")),
        {"mp-food": Scoring("range", 4, 5), "mp-effort": Scoring("value")},
        dt.date(2025, 12, 2),
        AS_OF,
        2000,
    )
    return [counts, page, fatigue, contact, drivers.sample, drivers.touchpoints]


@pytest.mark.parametrize("name", ENGINES)
def test_voc_statements_match_their_golden_sql(name: str, tmp_path: Any) -> None:
    sql = "\n;\n".join(
        rendered(s, name) for s in statements(instants=name != "duckdb", tmp=tmp_path)
    )
    golden = GOLDEN / "voc" / f"{GOLDEN_NAMES.get(name, name)}.sql"
    if os.environ.get("CXGOV_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(sql, encoding="utf-8")
    assert sql == golden.read_text(encoding="utf-8")
