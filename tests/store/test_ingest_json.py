"""API-shaped JSON through `cxgov ingest` on both databases: a Qualtrics response export, an
Intercom conversation list, Delighted responses and Typeform responses as JSONL, their columns
paths into each record; a path that leads nowhere names itself in the row's rejection."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cxgov import api
from cxgov.cli import cli
from cxgov.judgement.outcome import ExitCode
from tests.clock import clock
from tests.conftest import FIXTURES
from tests.store.test_ingest import rows

EXPORTS = FIXTURES / "json_exports"
SOURCES = """
  - id: qualtrics
    format: json
    records: responses
    layout: wide
    path: data/qualtrics*.json
    columns: {response_id: responseId, collected_at: values.recordedDate, comment: values.QID3_TEXT}
    values: {values.QID1: mp-nps, values.QID2: mp-checkout}
  - id: intercom
    format: json
    records: conversations
    path: data/intercom*.json
    measurement_point: mp-checkout
    columns:
      response_id: id
      collected_at: conversation_rating.created_at
      value: conversation_rating.rating
      customer: conversation_rating.contact.id
      comment: conversation_rating.remark
  - id: delighted
    format: json
    layout: wide
    path: data/delighted*.json
    columns: {response_id: id, collected_at: created_at, customer: person, comment: comment}
    values: {score: mp-nps, "additional_answers[question.id=enps_scale_1].value.scale": mp-checkout}
  - id: typeform
    format: jsonl
    layout: wide
    path: data/typeform*.jsonl
    columns: {response_id: response_id, collected_at: submitted_at, comment: "answers[field.ref=why].text"}
    values: {"answers[field.ref=nps].number": mp-nps, "answers[field.ref=delivery].number": mp-delivery}
  - id: qualtrics-elsewhere
    format: json
    records: result.responses
    layout: wide
    path: data/qualtrics*.json
    columns: {response_id: responseId, collected_at: values.recordedDate}
    values: {values.QID1: mp-nps}
"""


@pytest.fixture
def program(tmp_path: Path) -> Path:
    folder = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", folder)
    (folder / "data").mkdir()
    text = (folder / "program.yaml").read_text(encoding="utf-8")
    (folder / "program.yaml").write_text(text + SOURCES, encoding="utf-8")
    return folder


def ingest_cli(program: Path, source: str, path: Path, db: str) -> dict[str, object]:
    command = ["ingest", "--program", str(program), "--source", source, str(path)]
    result = CliRunner().invoke(
        cli, [*command, "--db", db, "--format", "json", "--max-reject-rate", "1"]
    )
    assert result.exit_code in (ExitCode.OK, ExitCode.REJECTED), result.output
    summary: dict[str, object] = json.loads(result.output)
    summary["exit_code"] = result.exit_code
    return summary


def _stored(db: str, source: str) -> list[tuple[str, str, str, float | None, str | None]]:
    found = rows(
        db,
        "SELECT response_id, measurement_point, collected_at, value, comment FROM feedback "
        f"WHERE source = '{source}' ORDER BY response_id, measurement_point",
    )
    return [
        (str(r[0]), str(r[1]), _time(r[2]), None if r[3] is None else float(str(r[3])), r[4])
        for r in found
    ]


def _time(stored: object) -> str:
    """A stored time to the millisecond, as SQLite (text) and PostgreSQL (datetime) give it."""
    if isinstance(stored, dt.datetime):
        return stored.isoformat(sep=" ", timespec="milliseconds")
    return str(stored)[:23]


@pytest.mark.parametrize(
    ("source", "fixture", "counts"),
    [
        ("qualtrics", "qualtrics.json", (3, 5)),
        ("qualtrics", "qualtrics-one.json", (1, 2)),
        ("intercom", "intercom.json", (3, 3)),
        ("delighted", "delighted.json", (2, 3)),
        ("typeform", "typeform.jsonl", (2, 3)),
    ],
)
def test_each_export_loads_with_no_rejected_row(
    db_url: str, program: Path, source: str, fixture: str, counts: tuple[int, int]
) -> None:
    summary = ingest_cli(program, source, EXPORTS / fixture, db_url)
    assert (summary["rows_read"], summary["inserted"]) == counts
    assert (summary["rejected"], summary["quarantined"], summary["exit_code"]) == (0, [], 0)


def test_qualtrics_values_and_utc_times_land_where_they_belong(db_url: str, program: Path) -> None:
    ingest_cli(program, "qualtrics", EXPORTS / "qualtrics.json", db_url)
    assert [s[:4] for s in _stored(db_url, "qualtrics")] == [
        ("R_1a2B3c4D5e6F7g8", "mp-checkout", "2026-03-01 09:15:40.412", 5.0),
        ("R_1a2B3c4D5e6F7g8", "mp-nps", "2026-03-01 09:15:40.412", 9.0),
        ("R_2b3C4d5E6f7G8h9", "mp-checkout", "2026-03-31 20:52:03.907", 2.0),
        ("R_2b3C4d5E6f7G8h9", "mp-nps", "2026-03-31 20:52:03.907", 3.0),
        # QID2 was not shown to this respondent: no answer to it
        ("R_3c4D5e6F7g8H9i0", "mp-nps", "2026-04-01 06:00:40.000", 10.0),
    ]
    comments = rows(db_url, "SELECT DISTINCT comment FROM feedback WHERE comment IS NOT NULL")
    assert sorted(str(c[0]) for c in comments) == [
        "Nopea toimitus, kiitos!",
        'Paketti myöhästyi "taas".',
    ]


def test_intercom_ratings_with_epoch_times_and_a_nested_customer(
    db_url: str, program: Path
) -> None:
    ingest_cli(program, "intercom", EXPORTS / "intercom.json", db_url)
    assert [s[:4] for s in _stored(db_url, "intercom")] == [
        ("1911149811", "mp-checkout", "2026-03-01 09:15:40.000", 5.0),
        ("1911149812", "mp-checkout", "2026-03-02 14:05:00.000", 2.0),
        ("1911149813", "mp-checkout", "2026-03-03 07:30:00.000", 4.0),
    ]
    keys = rows(db_url, "SELECT customer_key FROM feedback ORDER BY response_id")
    assert keys[0] == keys[2] != keys[1], "one contact, one key"
    assert all("65f0c0ffee" not in str(k[0]) for k in keys)


def test_delighted_additional_answers_by_question_id(db_url: str, program: Path) -> None:
    ingest_cli(program, "delighted", EXPORTS / "delighted.json", db_url)
    assert [s[:4] for s in _stored(db_url, "delighted")] == [
        ("5435", "mp-checkout", "2026-03-01 09:15:40.000", 4.0),
        ("5435", "mp-nps", "2026-03-01 09:15:40.000", 9.0),
        ("5436", "mp-nps", "2026-03-04 21:59:59.000", 6.0),
    ]


def test_typeform_answers_by_field_ref(db_url: str, program: Path) -> None:
    ingest_cli(program, "typeform", EXPORTS / "typeform.jsonl", db_url)
    assert _stored(db_url, "typeform") == [
        ("t1a", "mp-delivery", "2026-03-01 09:02:10.000", 5.0, "Kaikki sujui hyvin"),
        ("t1a", "mp-nps", "2026-03-01 09:02:10.000", 10.0, "Kaikki sujui hyvin"),
        ("t2b", "mp-nps", "2026-03-02 14:05:00.000", 4.0, None),
    ]


def _conversation(number: int, rating: object, contact: str) -> dict[str, object]:
    return {
        "type": "conversation",
        "id": f"c{number}",
        "conversation_rating": {
            "rating": rating,
            "remark": None,
            "created_at": 1772356540,
            "contact": {"type": "contact", "id": contact},
        },
    }


def test_a_path_that_leads_nowhere_or_to_an_object_is_named_in_the_rejection(
    db_url: str, program: Path
) -> None:
    unrated = {"type": "conversation", "id": "c2", "conversation_rating": None}
    document = {
        "conversations": [
            _conversation(1, 5, "contact-secret-1"),
            unrated,
            _conversation(3, {"value": 4}, "contact-secret-3"),
            _conversation(4, 9, "contact-secret-4"),
        ]
    }
    path = program / "data" / "intercom-bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    summary = ingest_cli(program, "intercom", path, db_url)
    assert (summary["rows_read"], summary["inserted"], summary["rejected"]) == (4, 1, 3)
    assert summary["rejected_examples"] == {
        "bad_path": [
            "record 2: R007 conversation_rating.created_at: no key 'created_at' in "
            "conversation_rating",
            "record 3: R007 conversation_rating.rating: leads to an object, not one value",
        ],
        "value_out_of_scale": ["record 4: R017 mp-checkout: 9 is outside the scale 1..5"],
    }
    stored = api.rejected(str(program), db=db_url)
    assert [r.line for r in stored] == [2, 3, 4]
    assert all("contact-secret" not in r.raw for r in stored), "the customer is keyed"
    kept = json.loads(stored[2].raw)
    assert kept["conversation_rating"]["rating"] == 9
    assert len(kept["conversation_rating"]["contact"]["id"]) == 32
    listed = CliRunner().invoke(
        cli, ["data", "rejected", "--program", str(program), "--db", db_url]
    )
    assert f"{path} record 2 (batch 1, source intercom)" in listed.output, listed.output


def test_a_broken_document_or_a_records_path_that_names_no_array_is_quarantined(
    db_url: str, program: Path
) -> None:
    good = EXPORTS / "qualtrics.json"
    broken = program / "data" / "qualtrics-broken.json"
    broken.write_bytes(good.read_bytes()[:900])
    summary = api.ingest(
        str(program), "qualtrics", [str(good), str(broken)], db=db_url, clock=clock
    )
    assert (summary.rows_read, summary.inserted) == (3, 5), "the good file loads"
    [quarantined] = summary.quarantined
    assert quarantined.file_name == str(broken)
    assert quarantined.reason == (
        f"{broken}: not a readable JSON document at record 2 (parse error: premature EOF); "
        "export it again"
    )
    elsewhere = api.ingest(str(program), "qualtrics-elsewhere", [str(good)], db=db_url, clock=clock)
    [wrong] = elsewhere.quarantined
    assert "no array at 'result.responses', the source's `records`" in wrong.reason


def test_a_bom_before_the_document_is_skipped(db_url: str, program: Path) -> None:
    path = program / "data" / "qualtrics-bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + (EXPORTS / "qualtrics-one.json").read_bytes())
    summary = ingest_cli(program, "qualtrics", path, db_url)
    assert (summary["rows_read"], summary["inserted"], summary["rejected"]) == (1, 2, 0)
