"""The voice-of-the-customer sections in a recorded evaluation, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from sqlalchemy import func, select

from cxgov import api
from cxgov.store.engine import open_store
from cxgov.store.tables import COMMENT_TAGS, FEEDBACK
from tests.clock import clock
from tests.conftest import FIXTURES

HEADER = "response,answered_at,question,score,customer,comment,company_size,region\n"
EXTRA = """
themes:
  - id: late
    name: Late deliveries
    match: {any: [late*, delay*], none: ["not late"]}
    kpis: [csat]
objectives:
  - id: o-late
    name: Late deliveries are rarely mentioned
    measurement_point: mp-delivery
    theme: late
    targets:
      - {effective_from: 2025-01-01, target: 10, warn: 20, fail: 30}
contact_policy:
  max_surveys_per_customer: 3
  days: 30
links:
  - {cx: mp-delivery, business: retention, expected: positive}
"""
AS_OF = dt.date(2026, 3, 1)


def _rows() -> list[str]:
    rows = []
    for i in range(100):
        late = i % 4 == 0  # 25 of 100 delivery comments mention a delay
        text = f"Late again - mail me at someone{i}@example.com" if late else "Fine thanks"
        score = 2 if late else 5
        rows.append(f"d{i},2026-02-{1 + i % 27:02d}T10:00:00,DELIVERY,{score},c{i},{text},small,\n")
    # customer "heavy" answered five questionnaires in February
    for i in range(5):
        rows.append(f"h{i},2026-02-{2 + 5 * i:02d}T10:00:00,NPS,9,heavy,,small,north\n")
    return rows


def test_an_evaluation_reports_themes_drivers_links_and_fatigue(
    db_url: str, tmp_path: Path
) -> None:
    program = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", program)
    (program / "voc.yaml").write_text(EXTRA)
    data = tmp_path / "answers.csv"
    data.write_text(HEADER + "".join(_rows()))
    assert api.ingest(str(program), "answers", [str(data)], db=db_url, clock=clock).rejected == 0
    dry = api.evaluate(str(program), as_of=AS_OF, db=db_url, out=None, dry_run=True, clock=clock)
    engine = open_store(db_url)
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(COMMENT_TAGS)).scalar_one()
    assert stored == 0, "a dry run stores no tags"
    assert dry.report["themes"]["tagged_in_this_run"] == 100

    evaluation = api.evaluate(
        str(program), as_of=AS_OF, db=db_url, out=str(tmp_path / "out"), clock=clock
    )
    report = evaluation.report
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(COMMENT_TAGS)).scalar_one()
    engine.dispose()
    assert stored == 100
    late = [r for r in report["results"] if r["objective"] == "o-late"]
    # February: 25 of 100 comments (25 %) mention the theme: beyond the target of 10 % past
    # doubt, not beyond the warn threshold of 20 %; March is running with no answers yet:
    # pending, like any KPI
    assert [(r["value"], r["n"], r["status"], r["theme"]) for r in late] == [
        (25.0, 100, "below_target", "late"),
        (None, 0, "pending", "late"),
    ]
    (theme,) = report["themes"]["themes"]
    (point,) = theme["points"]
    period = point["periods"][0]
    assert (period["mentions"], period["comments"]) == (25, 100)
    # 25 answers with the theme: at least the program's 20, fewer than 30, so the exact test
    assert period["impact"]["effect"] == "lowers_kpi"
    assert period["impact"]["test"] == "permutation"
    assert report["themes"]["decisions"] == {
        "error_rate": 0.05,
        "adjustment": "benjamini_hochberg",
        "min_group": 20,
        "comparisons": 1,
        "labelled": 1,
    }
    assert all("@" not in e["text"] and "[redacted]" in e["text"] for e in period["examples"])
    assert len(period["examples"]) == 5
    assert report["themes"]["coverage"]["untagged"] == 75
    assert report["fatigue"]["window"]["over_policy"] == 1
    assert {"surveys": 5, "customers": 1} in report["fatigue"]["window"]["surveys_per_customer"]
    assert report["links"][0]["cx"] == "mp-delivery"
    assert report["drivers"][0]["relationship_point"] == "mp-nps"
    written = json.loads(Path(evaluation.json_path or "").read_text(encoding="utf-8"))
    assert written["fatigue"] == report["fatigue"]
    summary = Path(evaluation.markdown_path or "").read_text(encoding="utf-8")
    # reports travel (CI artifacts, mail): counts of customers, never their keys
    engine = open_store(db_url)
    with engine.connect() as connection:
        keys = set(
            connection.execute(
                select(FEEDBACK.c.customer_key).where(FEEDBACK.c.customer_key.is_not(None))
            ).scalars()
        )
    engine.dispose()
    assert len(keys) == 101
    for text in (json.dumps(report), Path(evaluation.json_path or "").read_text(), summary):
        assert not [k for k in keys if k in text], "a customer key in the report"
    assert "## Voice of the customer" in summary
    assert "| Late deliveries | mp-delivery | 2026-02-01..2026-02-28 | 25.0 |" in summary
    assert "an association, not a cause" in summary
    assert "Established at a 5% error rate after adjusting across the 1 theme × point" in summary
    again = api.evaluate(str(program), as_of=AS_OF, db=db_url, out=None, clock=clock)
    assert again.report["themes"]["tagged_in_this_run"] == 0


CRM = """
sources:
  - id: crm
    path: data/retention*.csv
    columns: {response_id: record, collected_at: month_end, value: retained, customer: customer}
    measurement_point: mp-retention
links:
  - {cx: mp-nps, business: retention, expected: positive}
contact_policy:
  max_surveys_per_customer: 1
  days: 30
"""


def test_retention_by_nps_group_from_a_per_customer_export(db_url: str, tmp_path: Path) -> None:
    program = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", program)
    header = program / "program.yaml"
    header.write_text(
        header.read_text().replace(
            "{id: mp-retention, kpi: retention, journey: order, method: system}",
            "{id: mp-retention, kpi: retention, journey: order, method: system, source: crm}",
        )
    )
    (program / "crm.yaml").write_text(CRM)
    answers = tmp_path / "answers.csv"
    scores = {"p1": 10, "p2": 9, "p3": 10, "p4": 9, "d1": 3, "d2": 6, "d3": 0, "d4": 5}
    answers.write_text(
        HEADER
        + "".join(
            f"n-{c},2026-02-10T10:00:00,NPS,{s},{c},,small,north\n" for c, s in scores.items()
        )
    )
    retained = {"p1": 100, "p2": 100, "p3": 100, "p4": 0, "d1": 0, "d2": 0, "d3": 100, "d4": 0}
    export = tmp_path / "retention.csv"
    export.write_text(
        "record,month_end,retained,customer\n"
        + "".join(f"r-{c},2026-02-28,{v},{c}\n" for c, v in retained.items())
    )
    assert api.ingest(str(program), "answers", [str(answers)], db=db_url, clock=clock).rejected == 0
    assert api.ingest(str(program), "crm", [str(export)], db=db_url, clock=clock).rejected == 0
    report = api.evaluate(
        str(program), as_of=AS_OF, db=db_url, out=None, dry_run=True, clock=clock
    ).report
    (link,) = report["links"]
    groups = {g["group"]: (g["customers"], g["mean"]) for g in link["by_group"]["groups"]}
    assert groups == {"promoters": (4, 75.0), "passives": (0, None), "detractors": (4, 25.0)}
    assert link["by_group"]["difference"]["delta"] == 50.0
    # the export's records are no surveys: each customer got one, which the policy allows
    assert report["fatigue"]["window"]["over_policy"] == 0


# a wide export: one row per respondent, a rating column per measurement point, one comment
WIDE_SOURCE = """
sources:
  - id: wide
    layout: wide
    path: data/wide*.csv
    columns: {response_id: id, collected_at: at, comment: comment}
    values: {NPS: mp-nps, Checkout: mp-checkout, Delivery: mp-delivery}
themes:
  - id: late
    name: Late deliveries
    match: {any: [late*]}
"""
WIDE_CSV = """id,at,NPS,Checkout,Delivery,comment
w1,2026-02-03T10:00:00,9,5,2,Delivery was late
w2,2026-02-04T10:00:00,10,4,5,Great shop
w3,2026-02-05T10:00:00,3,,1,Late and broken
w4,2026-02-06T10:00:00,8,4,4,
"""


def test_a_wide_rows_comment_counts_once_per_response(db_url: str, tmp_path: Path) -> None:
    program = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", program)
    (program / "wide.yaml").write_text(WIDE_SOURCE)
    data = tmp_path / "wide.csv"
    data.write_text(WIDE_CSV)
    loaded = api.ingest(str(program), "wide", [str(data)], db=db_url, clock=clock)
    assert (loaded.rejected, loaded.inserted) == (0, 11)  # 8 of the answers carry a comment
    found = api.evaluate(str(program), as_of=AS_OF, db=db_url, out=None, dry_run=True, clock=clock)
    themes = found.report["themes"]
    assert (themes["comments"], themes["tagged_in_this_run"]) == (3, 3)
    coverage = themes["coverage"]
    assert (coverage["comments"], coverage["untagged"]) == (3, 1)
    by_point = {p["measurement_point"]: (p["comments"], p["untagged"]) for p in coverage["points"]}
    assert by_point == {"mp-checkout": (2, 1), "mp-delivery": (3, 1), "mp-nps": (3, 1)}
    words = {w["word"]: w["comments"] for w in coverage["frequent_words"]}
    assert words == {"great": 1, "shop": 1}
    # each point still reads the comments on its own answers
    [late] = themes["themes"]
    february = {p["measurement_point"]: p["periods"][-1] for p in late["points"]}
    assert {point: (p["comments"], p["mentions"]) for point, p in february.items()} == {
        "mp-checkout": (2, 1),
        "mp-delivery": (3, 2),
        "mp-nps": (3, 2),
    }
