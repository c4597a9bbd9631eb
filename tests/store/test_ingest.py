"""Ingestion into both databases: every rejection reason, idempotence, updates, encodings,
layouts, pseudonymisation and the refusal threshold."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from cxgov import api
from cxgov.cli import cli
from cxgov.ingest.rejections import REJECTIONS
from cxgov.judgement.outcome import ExitCode
from cxgov.store.engine import open_store
from cxgov.store.status import data_status
from cxgov.store.tables import Feedback, IngestBatch, KpiValue, RejectedRow
from tests.clock import NOW, clock
from tests.conftest import FIXTURES

SHOP = str(FIXTURES / "shop")
HEADER = "response,answered_at,question,score,customer,comment,company_size,region\n"


def write(path: Path, body: str, *, header: str = HEADER, encoding: str = "utf-8") -> Path:
    # a lone surrogate in `body` writes the undecodable byte it stands for
    path.write_bytes((header + body).encode(encoding, "surrogateescape"))
    return path


def ingest(db: str, *files: Path, source: str = "answers", **kwargs: object) -> api.BatchSummary:
    return api.ingest(SHOP, source, [str(f) for f in files], db=db, clock=clock, **kwargs)  # type: ignore[arg-type]


def rows(db: str, statement: str) -> list[tuple[object, ...]]:
    engine = open_store(db)
    try:
        with engine.connect() as connection:
            return [tuple(r) for r in connection.execute(text(statement))]
    finally:
        engine.dispose()


GOOD = (
    "r1,2026-03-01T10:00:00,NPS,9,cust-1,Great service,small,north\n"
    "r1,2026-03-01T10:00:00,CHECKOUT,Very satisfied,cust-1,,small,north\n"
    'r2,2026-03-02 11:30:00+00:00,NPS,3,cust-2,"Slow, and the driver was rude",large,south\n'
    "r3,2026-03-03T09:00:00,DELIVERY,N/A,cust-3,,large,\n"
)


def test_good_rows_load_with_utc_times_segments_and_not_applicable(
    db_url: str, tmp_path: Path
) -> None:
    summary = ingest(db_url, write(tmp_path / "answers.csv", GOOD))
    assert summary.to_json() == {
        "batch": 1,
        "source": "answers",
        "files": [str(tmp_path / "answers.csv")],
        "rows_read": 4,
        "accepted": 4,
        "inserted": 4,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "rejected_by_reason": {},
        "rejected_examples": {},
        "quarantined": [],
    }
    stored = rows(
        db_url,
        "SELECT response_id, measurement_point, collected_at, value, not_applicable, comment FROM feedback ORDER BY response_id, measurement_point",
    )
    assert [(r[0], r[1], r[3], bool(r[4]), r[5]) for r in stored] == [
        ("r1", "mp-checkout", 5.0, False, None),
        ("r1", "mp-nps", 9.0, False, "Great service"),
        ("r2", "mp-nps", 3.0, False, "Slow, and the driver was rude"),
        ("r3", "mp-delivery", None, True, None),
    ]
    # 10:00 in Helsinki (UTC+2 in March) is 08:00 UTC; an explicit offset is kept as given
    times = {r[0] + r[1]: str(r[2])[:19] for r in stored}
    assert times["r1mp-nps"] == "2026-03-01 08:00:00"
    assert times["r2mp-nps"] == "2026-03-02 11:30:00"
    engine = open_store(db_url)
    with engine.connect() as connection:
        segments = dict(
            connection.execute(
                select(Feedback.response_id, Feedback.segments).where(
                    Feedback.measurement_point != "mp-checkout"
                )
            ).all()
        )
    engine.dispose()
    assert segments["r2"] == {"size": "large", "region": "south"}
    assert segments["r3"] == {"size": "large"}


REASONS = {
    "non_numeric_value": "b1,2026-03-01T10:00:00,NPS,great,c,,small,north\n",
    "value_out_of_scale": "b2,2026-03-01T10:00:00,NPS,11,c,,small,north\n",
    "missing_response_id": ",2026-03-01T10:00:00,NPS,5,c,,small,north\n",
    "bad_timestamp": "b4,yesterday,NPS,5,c,,small,north\n",
    # three days after the tests' "now", whatever day the suite runs
    "future_timestamp": f"b5,{(NOW + dt.timedelta(days=3)):%Y-%m-%dT%H:%M:%S},NPS,5,c,,small,north\n",
    "unknown_measurement_point": "b6,2026-03-01T10:00:00,PRICING,5,c,,small,north\n",
    "wrong_field_count": "b7,2026-03-01T10:00:00,NPS,5\n",
    "missing_value": "b8,2026-03-01T10:00:00,NPS,,c,,small,north\n",
    "missing_timestamp": "b9,,NPS,5,c,,small,north\n",
}


@pytest.mark.parametrize("reason", sorted(REASONS))
def test_each_bad_row_is_kept_with_its_line_and_reason(
    db_url: str, tmp_path: Path, reason: str
) -> None:
    body = GOOD + REASONS[reason]
    summary = ingest(db_url, write(tmp_path / "answers.csv", body))
    assert summary.rejected == 1 and summary.rejected_by_reason == {reason: 1}
    assert summary.inserted == 4, "good rows still load"
    [(line, raw, reasons)] = rows(db_url, "SELECT line, raw, reasons FROM rejected_rows")
    assert line == 6  # header is line 1, four good rows, then the bad one
    written, kept = REASONS[reason].rstrip("\n").split(","), raw.split(",")
    if len(written) == len(HEADER.split(",")):
        # kept as read, but for the customer id, which the store holds only as a key
        assert kept[:4] + kept[5:] == written[:4] + written[5:]
        assert kept[4] != written[4] and len(kept[4]) >= 16
    else:  # not split into the header's columns: kept as read
        assert raw == REASONS[reason].rstrip("\n")
    decoded = json.loads(reasons) if isinstance(reasons, str) else reasons
    assert [r["code"] for r in decoded] == [reason]
    [rejection] = [r for r in REJECTIONS.values() if r.name == reason]
    assert decoded[0]["message"].startswith(f"{rejection.code} ")


def _stored_messages(db: str) -> list[list[str]]:
    found = rows(db, "SELECT reasons FROM rejected_rows ORDER BY line")
    decoded = [json.loads(r) if isinstance(r, str) else r for (r,) in found]
    return [[reason["message"] for reason in row] for row in decoded]


def test_stored_reasons_read_as_code_and_message(db_url: str, tmp_path: Path) -> None:
    ingest(
        db_url,
        write(
            tmp_path / "answers.csv",
            GOOD + REASONS["value_out_of_scale"] + REASONS["non_numeric_value"],
        ),
    )
    assert _stored_messages(db_url) == [
        ["R017 mp-nps: 11 is outside the scale 0..10"],
        ["R016 mp-nps: 'great' is not a number"],
    ]


def test_a_row_with_several_problems_keeps_every_reason(db_url: str, tmp_path: Path) -> None:
    summary = ingest(db_url, write(tmp_path / "answers.csv", ",later,NPS,99,c,,small,north\n"))
    assert summary.rejected_by_reason == {
        "missing_response_id": 1,
        "bad_timestamp": 1,
        "value_out_of_scale": 1,
    }


def test_csat_scale_is_checked_per_kpi(db_url: str, tmp_path: Path) -> None:
    summary = ingest(
        db_url,
        write(
            tmp_path / "answers.csv",
            "x,2026-03-01T10:00:00,CHECKOUT,6,c,,small,north\nx,2026-03-01T10:00:00,NPS,6,c,,small,north\n",
        ),
    )
    assert summary.rejected_by_reason == {"value_out_of_scale": 1} and summary.inserted == 1


def test_reingesting_the_same_file_adds_nothing(db_url: str, tmp_path: Path) -> None:
    path = write(tmp_path / "answers.csv", GOOD)
    ingest(db_url, path)
    again = ingest(db_url, path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
    assert rows(db_url, "SELECT COUNT(*) FROM feedback") == [(4,)]
    assert rows(db_url, "SELECT COUNT(*) FROM ingest_batches") == [(2,)]


def test_an_overlapping_export_adds_only_the_new_answers(db_url: str, tmp_path: Path) -> None:
    ingest(db_url, write(tmp_path / "answers1.csv", GOOD))
    overlap = [
        *GOOD.splitlines(keepends=True)[2:],
        "r4,2026-03-04T09:00:00,NPS,10,cust-4,,small,north\n",
    ]
    summary = ingest(db_url, write(tmp_path / "answers2.csv", "".join(overlap)))
    assert (summary.inserted, summary.updated, summary.unchanged) == (1, 0, 2)
    assert rows(db_url, "SELECT COUNT(*) FROM feedback") == [(5,)]


def test_a_changed_answer_is_updated_and_counted(db_url: str, tmp_path: Path) -> None:
    ingest(db_url, write(tmp_path / "answers1.csv", GOOD))
    changed = GOOD.replace(
        "r2,2026-03-02 11:30:00+00:00,NPS,3", "r2,2026-03-02 11:30:00+00:00,NPS,7"
    )
    summary = ingest(db_url, write(tmp_path / "answers2.csv", changed))
    assert (summary.inserted, summary.updated, summary.unchanged) == (0, 1, 3)
    assert rows(db_url, "SELECT value, batch_id FROM feedback WHERE response_id = 'r2'") == [
        (7.0, 2)
    ]


def test_a_repeated_answer_within_one_batch_keeps_the_last(db_url: str, tmp_path: Path) -> None:
    body = GOOD + "r2,2026-03-02 11:30:00+00:00,NPS,8,cust-2,,large,south\n"
    summary = ingest(db_url, write(tmp_path / "answers.csv", body))
    assert summary.duplicates == 1 and summary.inserted == 4
    assert rows(db_url, "SELECT value FROM feedback WHERE response_id = 'r2'") == [(8.0,)]


def test_gzip_bom_and_quoted_newlines(db_url: str, tmp_path: Path) -> None:
    body = 'q1,2026-03-01T10:00:00,NPS,10,c,"line one\nline two",small,north\nq2,2026-03-01T10:00:00,NPS,x,c,,small,north\n'
    path = tmp_path / "answers.csv.gz"
    path.write_bytes(gzip.compress(("\ufeff" + HEADER + body).encode()))
    summary = ingest(db_url, path)
    assert summary.inserted == 1 and summary.rejected == 1
    assert rows(db_url, "SELECT comment FROM feedback") == [("line one\nline two",)]
    assert rows(db_url, "SELECT line FROM rejected_rows") == [(4,)], (
        "line numbers count the quoted newline"
    )


def test_legacy_cp1252_semicolons_and_a_declared_time_format(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_bytes(
        "id;aika;arvo;kommentti\nL1;01.03.2026 10:00;4;Hyvä palvelu – kiitos\n".encode("cp1252")
    )
    summary = ingest(db_url, path, source="answers-latin1")
    assert summary.inserted == 1
    assert rows(db_url, "SELECT measurement_point, comment FROM feedback") == [
        ("mp-checkout-legacy", "Hyvä palvelu – kiitos")
    ]


def test_an_undecodable_byte_rejects_its_row_and_the_rest_loads(
    db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "answers.csv"
    path.write_bytes(
        (HEADER + GOOD).encode()
        + "r9,2026-03-01T10:00:00,NPS,9,c,Hyvä,small,north\n".encode("latin-1")
    )
    summary = ingest(db_url, path)
    assert summary.inserted == 4 and summary.rejected_by_reason == {"bad_encoding": 1}
    [(line, raw)] = rows(db_url, "SELECT line, raw FROM rejected_rows")
    assert line == 6
    assert raw == "r9,2026-03-01T10:00:00,NPS,9,c,Hyv\\xe4,small,north", "the byte, written out"
    assert _stored_messages(db_url) == [["R005 byte 0xE4 at column 35 is not valid utf-8"]]


def test_an_undecodable_byte_on_a_quoted_later_line_names_that_line(
    db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "answers.csv"
    path.write_bytes(
        HEADER.encode() + b'r9,2026-03-01T10:00:00,NPS,9,c,"first\nHyv' + b'\xe4",small,north\n'
    )
    ingest(db_url, path, max_reject_rate=1.0)
    assert _stored_messages(db_url) == [["R005 byte 0xE4 at line +1, column 4 is not valid utf-8"]]


def _numbered(first: int, count: int) -> str:
    return "".join(
        f"n{i},2026-03-01T10:00:00,NPS,{i % 11},cust-{i},fine,small,north\n"
        for i in range(first, first + count)
    )


def test_an_unclosed_quote_rejects_its_line_and_the_rows_after_it_load(
    db_url: str, tmp_path: Path
) -> None:
    body = (
        _numbered(0, 1)
        + 'u1,2026-03-01T10:00:00,NPS,5,cust-u,"never closed,small,north\n'
        + _numbered(1, 98)
    )
    summary = ingest(db_url, write(tmp_path / "answers.csv", body))
    assert (summary.rows_read, summary.inserted) == (100, 99)
    assert summary.rejected_by_reason == {"unclosed_quote": 1}
    [(line, raw)] = rows(db_url, "SELECT line, raw FROM rejected_rows")
    assert line == 3 and raw.startswith("u1,")
    assert _stored_messages(db_url) == [
        [
            "R004 a quoted value opened on this line runs on over 98 lines, to the end of the "
            "file, and the lines it took look like rows: its closing quote is missing"
        ]
    ]
    assert rows(db_url, "SELECT COUNT(*) FROM feedback WHERE comment LIKE '%n50%'") == [(0,)]


def test_a_quote_closed_rows_later_is_a_runaway_too(db_url: str, tmp_path: Path) -> None:
    body = (
        'u1,2026-03-01T10:00:00,NPS,5,cust-u,"never closed,small,north\n'
        + _numbered(0, 5)
        + 'q1,2026-03-01T10:00:00,NPS,7,cust-q,"a quoted, proper comment",small,north\n'
        + _numbered(5, 5)
    )
    summary = ingest(db_url, write(tmp_path / "answers.csv", body))
    assert summary.rejected_by_reason == {"unclosed_quote": 1}
    assert summary.inserted == 11
    assert rows(db_url, "SELECT comment FROM feedback WHERE response_id = 'q1'") == [
        ("a quoted, proper comment",)
    ]
    [message] = _stored_messages(db_url)
    assert "over 6 lines, to line 8" in message[0]


def test_a_comment_over_several_lines_is_no_runaway(db_url: str, tmp_path: Path) -> None:
    comment = "Hyvä palvelu.\nToimitus, tosin, myöhässä.\n\nKiitos!"
    body = f'm1,2026-03-01T10:00:00,NPS,9,cust-m,"{comment}",small,north\n' + _numbered(0, 3)
    summary = ingest(db_url, write(tmp_path / "answers.csv", body))
    assert (summary.inserted, summary.rejected) == (4, 0)
    assert rows(db_url, "SELECT comment FROM feedback WHERE response_id = 'm1'") == [(comment,)]


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+14:00"]
)
def test_a_time_with_no_utc_equivalent_is_a_bad_timestamp(
    db_url: str, tmp_path: Path, moment: str
) -> None:
    body = GOOD + f"o1,{moment},NPS,5,c,,small,north\n"
    summary = ingest(db_url, write(tmp_path / "answers.csv", body))
    assert summary.inserted == 4 and summary.rejected_by_reason == {"bad_timestamp": 1}


UNSTORABLE = {
    "nul_byte": "z1,2026-03-01T10:00:00,NPS,5,c,bad\x00comment,small,north\n",
    "long_response_id": f"{'z' * 201},2026-03-01T10:00:00,NPS,5,c,,small,north\n",
}


@pytest.mark.parametrize("reason", sorted(UNSTORABLE))
def test_a_row_no_column_can_store_is_rejected_on_both_databases(
    db_url: str, tmp_path: Path, reason: str
) -> None:
    # plain rows come in blocks; the bad one in the middle of a block and as a row of its own
    body = _numbered(0, 50) + UNSTORABLE[reason] + _numbered(50, 50)
    summary = ingest(db_url, write(tmp_path / "answers.csv", body))
    assert summary.inserted == 100 and summary.rejected_by_reason == {reason: 1}
    [(line, raw)] = rows(db_url, "SELECT line, raw FROM rejected_rows")
    assert line == 52 and "\x00" not in raw


def test_a_nul_in_a_jsonl_value_is_rejected(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    record = {"id": "j1", "time": "2026-03-01T10:00:00", "point": "mp-nps", "score": 10}
    path.write_text(json.dumps(record) + "\n" + json.dumps({**record, "id": "j\x002"}) + "\n")
    summary = ingest(db_url, path, source="answers-json", max_reject_rate=1.0)
    assert summary.inserted == 1
    assert _stored_messages(db_url) == [["R006 a NUL character (U+0000) at field 'id'"]]


def _truncated_gzip(path: Path, rows: int = 2000) -> Path:
    path.write_bytes(gzip.compress((HEADER + _numbered(0, rows)).encode())[:-400])
    return path


def test_an_unreadable_file_is_quarantined_and_the_others_load(db_url: str, tmp_path: Path) -> None:
    good = write(tmp_path / "answers-1.csv", GOOD)
    # thousands of its rows are read before the damage shows: none of them may stay
    damaged = _truncated_gzip(tmp_path / "answers-2.csv.gz", 20_000)
    header_only_latin1 = write(
        tmp_path / "answers-3.csv",
        "",
        header=HEADER.replace("comment", "kommentti_äö"),
        encoding="latin-1",
    )
    summary = ingest(db_url, good, damaged, header_only_latin1)
    assert summary.status == "committed" and summary.inserted == 4
    assert [
        (Path(q.file_name).name, q.reason.split(": ", 1)[1][:40]) for q in summary.quarantined
    ] == [
        ("answers-2.csv.gz", "the compressed file is truncated or dama"),
        ("answers-3.csv", "cannot read the header as utf-8 (R005 by"),
    ]
    assert rows(db_url, "SELECT COUNT(*) FROM feedback") == [(4,)]
    assert rows(db_url, "SELECT file_name FROM batch_files") == [(str(good),)]
    status = api.status(SHOP, db=db_url)
    assert [Path(u.file_name).name for u in status.unreadable] == [
        "answers-2.csv.gz",
        "answers-3.csv",
    ]
    assert status.to_json()["unreadable_files"][0]["source"] == "answers"
    # the same files again: one record each
    ingest(db_url, damaged)
    assert rows(db_url, "SELECT COUNT(*) FROM quarantined_files") == [(2,)]


def test_ingest_names_a_quarantined_file_and_exits_4(db_url: str, tmp_path: Path) -> None:
    damaged = _truncated_gzip(tmp_path / "answers.csv.gz")
    result = CliRunner().invoke(
        cli, ["ingest", "--program", SHOP, "--source", "answers", str(damaged), "--db", db_url]
    )
    assert result.exit_code == ExitCode.REJECTED, result.output
    assert f"quarantined, not loaded: {damaged}: " in result.output
    assert "truncated or damaged" in result.output
    status = CliRunner().invoke(cli, ["data", "status", "--program", SHOP, "--db", db_url])
    assert "unreadable file from answers (not loaded, since 2026-" in status.output, status.output


def test_jsonl_with_a_broken_line(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    path.write_text(
        json.dumps(
            {
                "id": "j1",
                "time": "2026-03-01T10:00:00",
                "point": "NPS",
                "score": 10,
                "size": "small",
            }
        )
        + "\n"
        + "{not json\n"
        + json.dumps(
            {"id": "j2", "time": "2026-03-01T10:00:00", "point": "mp-checkout", "score": 4}
        )
        + "\n"
    )
    summary = ingest(db_url, path, source="answers-json", max_reject_rate=1.0)
    assert summary.inserted == 1
    # "NPS" is a label only the CSV source maps; this source needs measurement point ids
    assert summary.rejected_by_reason == {"bad_json": 1, "unknown_measurement_point": 1}
    assert rows(db_url, "SELECT line FROM rejected_rows ORDER BY line") == [(1,), (2,)]
    assert _stored_messages(db_url) == [
        ["R014 'NPS' is not a measurement point of the program"],
        ["R003 not a JSON object (Expecting property name enclosed in double quotes)"],
    ]


def test_jsonl_lines_too_deep_or_too_long_to_read_are_rejected(db_url: str, tmp_path: Path) -> None:
    good = {"id": "j1", "time": "2026-03-01T10:00:00", "point": "mp-nps", "score": 10}
    path = tmp_path / "answers.jsonl"
    path.write_text(
        json.dumps(good)
        + "\n"
        + "[" * 100_000
        + "]" * 100_000
        + "\n"
        + '{"id": "j3", "score": '
        + "9" * 5000
        + "}\n"
    )
    summary = ingest(db_url, path, source="answers-json", max_reject_rate=1.0)
    assert summary.inserted == 1 and summary.rejected_by_reason == {"bad_json": 2}
    assert _stored_messages(db_url) == [
        ["R003 not a JSON object (arrays or objects nested too deep to read)"],
        ["R003 not a JSON object (a number with more digits than any answer has)"],
    ]


def test_customer_ids_are_pseudonymised(db_url: str, tmp_path: Path) -> None:
    ingest(db_url, write(tmp_path / "answers.csv", GOOD))
    keys = rows(
        db_url,
        "SELECT response_id, customer_key FROM feedback ORDER BY response_id, measurement_point",
    )
    assert all(k and "cust" not in k for _, k in keys)
    assert keys[0][1] == keys[1][1], "one customer, one key"
    assert keys[0][1] != keys[2][1]
    dump = " ".join(str(r) for r in rows(db_url, "SELECT * FROM feedback"))
    assert "cust-1" not in dump and "cust-2" not in dump


def test_too_many_rejects_commit_nothing_and_exit_4(db_url: str, tmp_path: Path) -> None:
    path = write(tmp_path / "answers.csv", GOOD + "".join(REASONS.values()))
    result = CliRunner().invoke(
        cli,
        [
            "ingest",
            "--program",
            SHOP,
            "--source",
            "answers",
            str(path),
            "--db",
            db_url,
            "--format",
            "json",
        ],
    )
    assert result.exit_code == ExitCode.REJECTED, result.output
    summary = json.loads(result.stdout)
    assert summary["rejected"] == 9 and summary["batch"] is None
    assert rows(db_url, "SELECT COUNT(*) FROM feedback") == [(0,)]
    assert rows(db_url, "SELECT COUNT(*) FROM ingest_batches") == [(0,)]
    assert rows(db_url, "SELECT COUNT(*) FROM rejected_rows") == [(0,)]
    relaxed = CliRunner().invoke(
        cli,
        [
            "ingest",
            "--program",
            SHOP,
            "--source",
            "answers",
            str(path),
            "--db",
            db_url,
            "--max-reject-rate",
            "0.9",
        ],
    )
    assert relaxed.exit_code == ExitCode.OK


def test_kpi_values_load_update_and_reject(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "kpis.csv"
    path.write_text(
        "kpi,period_start,period_end,value,n,region\n"
        "retention,2026-01-01,2026-01-31,91.5,1200,north\n"
        "retention,2026-01-01,2026-01-31,88.0,900,\n"
        "churn,2026-01-01,2026-01-31,3.2,,\n"
        "retention,2026-02-01,2026-01-31,90,,\n"
    )
    summary = api.ingest_kpi_values(SHOP, str(path), db=db_url, clock=clock)
    assert (summary.inserted, summary.rejected) == (2, 2)
    assert summary.rejected_by_reason == {"unknown_kpi": 1, "bad_period": 1}
    assert _stored_messages(db_url) == [
        ["R020 'churn' is not a KPI of the program"],
        ["R021 the period '2026-02-01' to '2026-01-31' ends before it starts"],
    ]
    again = api.ingest_kpi_values(SHOP, str(path), db=db_url, clock=clock)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    path.write_text(
        "kpi,period_start,period_end,value,n,region\nretention,2026-01-01,2026-01-31,92,1200,north\n"
    )
    changed = api.ingest_kpi_values(SHOP, str(path), db=db_url, clock=clock)
    assert (changed.inserted, changed.updated) == (0, 1)
    engine = open_store(db_url)
    with engine.connect() as connection:
        stored = connection.execute(
            select(KpiValue.segment, KpiValue.value, KpiValue.n).order_by(KpiValue.value)
        ).all()
    engine.dispose()
    assert [tuple(r) for r in stored] == [({}, 88.0, 900), ({"region": "north"}, 92.0, 1200)]


def test_data_status_counts_answers_and_rejections(db_url: str, tmp_path: Path) -> None:
    ingest(db_url, write(tmp_path / "answers.csv", GOOD + REASONS["value_out_of_scale"]))
    result = CliRunner().invoke(
        cli, ["data", "status", "--program", SHOP, "--db", db_url, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    points = {p["id"]: p for p in status["measurement_points"]}
    assert set(points["mp-nps"]) == {"id", "records", "not_applicable", "first", "last"}
    assert (
        points["mp-nps"]["records"],
        points["mp-delivery"]["records"],
        points["mp-delivery"]["not_applicable"],
    ) == (2, 0, 1)
    assert points["mp-nps"]["first"].startswith("2026-03-01T08:00:00")
    assert points["mp-retention"]["records"] == 0 and points["mp-retention"]["first"] is None
    assert status["rejected"] == 1
    # people read the times in the program's zone (the file's 10:00 in Helsinki), and are told
    text = CliRunner().invoke(cli, ["data", "status", "--program", SHOP, "--db", db_url]).output
    lines = text.splitlines()
    assert lines[0] == "collection times in Europe/Helsinki, the program's time zone"
    [nps] = [line for line in lines if line.startswith("mp-nps ")]
    assert nps.split()[3:5] == ["2026-03-01", "10:00"], nps


def test_data_status_as_of_counts_what_stood_at_the_end_of_that_day(
    db_url: str, tmp_path: Path
) -> None:
    """Records and not-applicable answers are counted apart (the latter read from the table,
    the rest from the index): both stop at the end of the as-of day in the program's zone."""
    ingest(
        db_url,
        write(
            tmp_path / "answers.csv",
            GOOD
            # 23:30 in Helsinki on 2026-03-03: the as-of day; 00:30 the next day is after it
            + "r4,2026-03-03T23:30:00,DELIVERY,N/A,cust-4,,large,\n"
            + "r5,2026-03-04T00:30:00,DELIVERY,N/A,cust-5,,large,\n"
            + "r6,2026-03-03T23:30:00,DELIVERY,4,cust-6,,large,\n"
            + "r7,2026-03-04T00:30:00,DELIVERY,5,cust-7,,large,\n",
        ),
    )
    program = api.load_program(SHOP)
    engine = open_store(db_url)
    try:
        end = dt.datetime(2026, 3, 3, 22)  # the as-of day's end, UTC
        on_day = data_status(engine, program, as_of=(dt.date(2026, 3, 3), end))
        everything = data_status(engine, program)
    finally:
        engine.dispose()
    points = {p.id: p for p in on_day.points}
    delivery = points["mp-delivery"]
    assert (delivery.records, delivery.not_applicable) == (1, 2)
    assert delivery.last == dt.datetime(2026, 3, 3, 21, 30)
    assert (points["mp-nps"].records, points["mp-nps"].not_applicable) == (2, 0)
    later = {p.id: p for p in everything.points}["mp-delivery"]
    assert (later.records, later.not_applicable) == (2, 3)
    assert later.first == dt.datetime(2026, 3, 3, 7) and later.last == dt.datetime(
        2026, 3, 3, 22, 30
    )


def test_usage_errors(db_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["ingest", "--program", SHOP, "--db", db_url]
    assert runner.invoke(cli, [*base, "--source", "nope", "x.csv"]).exit_code == ExitCode.USAGE
    assert runner.invoke(cli, [*base]).exit_code == ExitCode.USAGE
    assert (
        runner.invoke(cli, [*base, "--source", "answers", "--kpi-values", "k.csv"]).exit_code
        == ExitCode.USAGE
    )
    assert (
        runner.invoke(cli, [*base, "--source", "answers", str(tmp_path / "missing.csv")]).exit_code
        == ExitCode.USAGE
    )
    # the source's default glob finds nothing in the fixture folder
    assert runner.invoke(cli, [*base, "--source", "answers"]).exit_code == ExitCode.USAGE


def test_feedback_rows_reference_their_batch(db_url: str, tmp_path: Path) -> None:
    ingest(db_url, write(tmp_path / "answers.csv", GOOD))
    engine = open_store(db_url)
    with engine.connect() as connection:
        batches = connection.execute(select(func.count()).select_from(IngestBatch)).scalar()
        linked = connection.execute(
            select(func.count())
            .select_from(Feedback)
            .join(IngestBatch, Feedback.batch_id == IngestBatch.id)
        ).scalar()
        status = connection.execute(select(IngestBatch.status, IngestBatch.finished_at)).one()
        files = connection.execute(text("SELECT sha256, rows_read FROM batch_files")).one()
        rejected = connection.execute(select(func.count()).select_from(RejectedRow)).scalar()
    engine.dispose()
    assert (batches, linked, status[0], rejected) == (1, 4, "committed", 0)
    assert len(files[0]) == 64 and files[1] == 4


# The answered (1-5) counts per rating column, from ../shared/datasets/README.md.
AIRLINE_ANSWERED = {
    "Inflight wifi service": 25163,
    "Departure/Arrival time convenient": 24595,
    "Ease of Online booking": 24781,
    "Gate location": 25976,
    "Food and drink": 25951,
    "Online boarding": 25324,
    "Seat comfort": 25976,
    "Inflight entertainment": 25972,
    "On-board service": 25974,
    "Leg room service": 25850,
    "Baggage handling": 25976,
    "Checkin service": 25976,
    "Inflight service": 25974,
    "Cleanliness": 25974,
}


def test_the_real_airline_file_loads_with_the_published_counts(db_url: str) -> None:
    from tests.conftest import ROOT, SHARED

    airline = str(ROOT / "programs" / "airline")
    program = api.load_program(airline)
    [source] = [s for s in program.sources if s.layout.value == "wide"]
    data = SHARED / "datasets" / "airline" / "test.csv"
    summary = api.ingest(airline, source.id, [str(data)], db=db_url, clock=clock)
    assert (summary.rows_read, summary.rejected) == (25_976, 0)
    # a wide row holds 14 answers: the repeats are answers, never rows minus answers
    assert (summary.duplicates, summary.inserted) == (0, 25_976 * 14)
    status = {p.id: p for p in api.status(airline, db=db_url).points}
    for column, point in source.values.items():
        assert status[point].records == AIRLINE_ANSWERED[column], column
        assert status[point].records + status[point].not_applicable == 25_976
    evaluated = api.evaluate(airline, as_of=dt.date(2026, 11, 22), db=db_url, out=None, clock=clock)
    results = evaluated.report["results"]
    assert {r["objective"] for r in results} == {o.id for o in program.objectives}
    wifi = next(
        r
        for r in results
        if r["measurement_point"] == source.values["Inflight wifi service"] and not r["segment"]
    )
    assert wifi["n"] == 25_163, "not-applicable answers leave the denominator"
    assert wifi["period"] == {"start": "2026-10-01", "end": "2026-10-31", "complete": True}


# --- the fast paths: blocks of plain rows, and a first load written straight to `feedback` ----

TRICKY_ROWS = [
    *GOOD.splitlines(keepends=True),
    *REASONS.values(),
    't1,2026-03-04T10:00:00,NPS,4,cust-4,"quoted, comma",small,north\n',
    't2,2026-03-04T10:00:00,NPS,4,cust-4,"two\nlines",small,north\n',
    "\n",
    "t3,2026-03-04T10:00:00,NPS,7,cust-5,,small,north\r\n",
    "t4, 2026-03-04T10:00:00 , NPS , 7 , cust-6 , padded ,small,north\n",
    "t5,2026-03-04T10:00:00+02:00,NPS,6,cust-7,,,\n",
    "t6,2026-10-25T03:30:00,NPS,6,cust-7,,,\n",  # the hour Helsinki lives twice
    "t7,2026-03-04T10:00:00,CHECKOUT,Very satisfied,cust-8,,large,north\n",
    "t1,2026-03-05T10:00:00,NPS,5,cust-4,repeated: the last one wins,small,north\n",
    "t8,2026-03-04T10:00:00,NPS,N/A,,,small,north\n",
    't9,2026-03-04T10:00:00,NPS,4,cust-9,stray "quote,small,north\n',
    "e1,2026-03-04T10:00:00,NPS,4,cust-9,Hyv\udce4,small,north\n",  # an undecodable byte
    'e2,2026-03-04T10:00:00,NPS,4,cust-9,"never closed,small,north\n',
]


def _tricky_body(count: int, seed: int) -> str:
    import random

    pick = random.Random(seed)
    lines = []
    for index in range(count):
        if pick.random() < 0.3:
            line = pick.choice(TRICKY_ROWS)
        else:
            point = pick.choice(["NPS", "DELIVERY"])
            value = pick.choice(["0", "7", "10", "9.5", "4,5", "N/A"])
            comment = pick.choice(["", "", "fine"])
            line = f"p{index},2026-0{pick.randint(1, 9)}-1{pick.randint(0, 9)}T0{pick.randint(0, 9)}:00:00,{point},{value},cust-{pick.randint(1, 30)},{comment},small,north\n"
        lines.append(line)
    return "".join(lines)


@pytest.mark.parametrize("block_chars", [1, 40, 200, 4096])
def test_block_reader_gives_exactly_what_the_row_reader_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block_chars: int
) -> None:
    from cxgov.ingest import readers

    monkeypatch.setattr(readers, "_BLOCK_CHARS", block_chars)
    for seed in range(5):
        path = write(tmp_path / f"answers-{seed}.csv", _tricky_body(300, seed))
        header, plain = readers.read_csv(path, delimiter=",")
        header2, chunks = readers.read_csv_blocks(path, delimiter=",")
        expected = [(r.line, r.fields, r.raw, r.problem) for r in plain]
        found = []
        for chunk in chunks:
            for row in (
                [chunk.row(i) for i in range(chunk.size)]
                if isinstance(chunk, readers.Block)
                else [chunk]
            ):
                found.append((row.line, row.fields, row.raw, row.problem))
        assert header2 == header
        assert found == expected


def _stored(db: str) -> list[tuple[object, ...]]:
    return rows(
        db,
        "SELECT response_id, measurement_point, collected_at, value, not_applicable, "
        "customer_key, segments, comment FROM feedback ORDER BY response_id, measurement_point",
    )


def test_first_load_fast_path_and_staged_merge_store_the_same(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same file loaded as a first load (straight into `feedback`, in blocks) and through
    the staged merge row by row: the same answers, rejected rows and counts."""
    from cxgov.ingest import batch, readers

    monkeypatch.setattr(readers, "_BLOCK_CHARS", 300)
    monkeypatch.setenv("CXGOV_PSEUDONYM_KEY", "a fixed key")
    path = write(tmp_path / "answers.csv", _tricky_body(400, 7))
    fast = ingest(db_url, path)
    fast_rows = _stored(db_url)
    fast_rejected = rows(db_url, "SELECT line, raw, reasons FROM rejected_rows ORDER BY line")
    assert fast.duplicates > 0 and fast.rejected > 0 and fast.inserted > 100

    def engine_delete(statement: str) -> None:
        engine = open_store(db_url)
        with engine.begin() as connection:
            connection.execute(text(statement))
        engine.dispose()

    for table in ("rejected_rows", "batch_files", "feedback", "ingest_batches"):
        engine_delete(f"DELETE FROM {table}")
    monkeypatch.setattr(batch, "is_first_load", lambda *_args: False)
    monkeypatch.setattr(readers, "_BLOCK_CHARS", 1 << 30)  # one csv-parsed block: row by row
    staged = ingest(db_url, path)
    assert staged.to_json() | {"batch": None} == fast.to_json() | {"batch": None}
    assert staged.duplicates == fast.duplicates
    assert _stored(db_url) == fast_rows
    assert rows(db_url, "SELECT line, raw, reasons FROM rejected_rows ORDER BY line") == (
        fast_rejected
    )


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_first_load_that_meets_a_stored_answer_falls_back_to_the_merge(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL a concurrent first load of the same source can commit between the check
    and the COPY (on SQLite the batch holds the write lock from its start)."""
    from cxgov.ingest import batch

    ingest(db_url, write(tmp_path / "first.csv", GOOD))
    # pretend the source were new: the direct load meets stored answers and must not fail
    monkeypatch.setattr(batch, "is_first_load", lambda *_args: True)
    changed = GOOD.replace("NPS,9,", "NPS,8,") + "r9,2026-03-04T10:00:00,NPS,7,c,,small,north\n"
    summary = ingest(db_url, write(tmp_path / "second.csv", changed))
    assert (summary.inserted, summary.updated, summary.unchanged) == (1, 1, 3)
    stored = "SELECT value FROM feedback WHERE response_id = 'r1' AND measurement_point = 'mp-nps'"
    assert rows(db_url, stored) == [(8.0,)]
    assert rows(db_url, "SELECT COUNT(*) FROM feedback") == [(5,)]


def test_an_interrupted_first_load_leaves_nothing_and_keeps_the_indexes(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cxgov.store import feedback

    def index_names() -> set[str]:
        if db_url.startswith("postgresql"):
            query = "SELECT indexname FROM pg_indexes WHERE tablename = 'feedback'"
        else:
            query = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'feedback'"
        return {str(r[0]) for r in rows(db_url, query)}

    ingest(db_url, write(tmp_path / "warmup.csv", GOOD))  # the store exists, indexes and all
    engine = open_store(db_url)
    with engine.begin() as connection:
        for table in ("rejected_rows", "batch_files", "feedback", "ingest_batches"):
            connection.execute(text(f"DELETE FROM {table}"))
    engine.dispose()
    before = index_names()
    assert "ix_feedback_point_time" in before
    calls = 0
    original = feedback.Stager.add

    def failing_add(self: feedback.Stager, answers: object) -> None:
        nonlocal calls
        calls += 1
        assert self.direct and self._dropped, "a first load of an empty store drops the index"
        original(self, answers)  # type: ignore[arg-type]
        raise RuntimeError("killed halfway")

    monkeypatch.setattr(feedback.Stager, "add", failing_add)
    with pytest.raises(RuntimeError, match="killed halfway"):
        ingest(db_url, write(tmp_path / "answers.csv", GOOD * 1))
    assert calls == 1
    assert rows(db_url, "SELECT COUNT(*) FROM feedback") == [(0,)]
    assert rows(db_url, "SELECT COUNT(*) FROM ingest_batches") == [(0,)]
    assert index_names() == before


def test_a_missing_column_is_named_without_echoing_the_files_first_line(
    db_url: str, tmp_path: Path
) -> None:
    # a file that is no export at all: its first line must not reach the log or the site
    stray = write(tmp_path / "answers-1.csv", "x\n", header="root:x:0:0:root:/root:/bin/bash\n")
    near = write(tmp_path / "answers-2.csv", GOOD, header=HEADER.replace("score", "Scores"))
    summary = ingest(db_url, stray, near)
    first, second = (q.reason.split(".csv: ", 1)[1] for q in summary.quarantined)
    assert "root" not in first and "bash" not in first
    assert first.endswith(
        "no column 'response' (response_id in source 'answers') among the header's 1 columns"
    )
    assert second.endswith(
        "no column 'score' (value in source 'answers') among the header's 8 columns; "
        "did you mean 'Scores'?"
    )


def test_rejected_rows_are_listed_keyed_and_stored_once_however_often_a_file_loads(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CXGOV_PSEUDONYM_KEY", "a fixed key")
    bad = "k1,31.12.2026 klo 10,NPS,5,cust-secret-1,,small,north\nk2,2026-03-01T10:00:00,NPS,12,cust-secret-2,,small,north\n"
    path = write(tmp_path / "answers.csv", GOOD + bad)
    first = ingest(db_url, path)
    assert first.rejected_examples == {
        "bad_timestamp": ["line 6: R012 '31.12.2026 klo 10' is not a time (ISO 8601)"],
        "value_out_of_scale": ["line 7: R017 mp-nps: 12 is outside the scale 0..10"],
    }
    ingest(db_url, path)  # the same file again: its rows are rejected once, by this load
    stored = api.rejected(SHOP, db=db_url)
    assert [(r.batch, r.line) for r in stored] == [(2, 6), (2, 7)]
    assert all("cust-secret" not in r.raw for r in stored), "no customer id in the store"
    [(key,)] = rows(db_url, "SELECT DISTINCT customer_key FROM feedback WHERE response_id = 'r2'")
    assert stored[0].raw.split(",")[4] != "" and len(stored[0].raw.split(",")[4]) == len(key)
    only = api.rejected(SHOP, db=db_url, reason="R017")
    assert (
        [r.line for r in only]
        == [7]
        == [r.line for r in api.rejected(SHOP, db=db_url, reason="value_out_of_scale")]
    )
    runner = CliRunner()
    text = runner.invoke(cli, ["data", "rejected", "--program", SHOP, "--db", db_url])
    assert text.exit_code == 0, text.output
    assert f"{path}:6 (batch 2, source answers)" in text.output
    assert "  R012 '31.12.2026 klo 10' is not a time (ISO 8601)" in text.output
    assert "  R012: Times are read as ISO 8601" in text.output, "each reason met with its fix"
    as_csv = runner.invoke(
        cli,
        [
            "data",
            "rejected",
            "--program",
            SHOP,
            "--db",
            db_url,
            "--format",
            "csv",
            "--reason",
            "bad_timestamp",
        ],
    )
    assert as_csv.output.splitlines()[0] == "batch,source,file,line,reasons,raw"
    assert len(as_csv.output.splitlines()) == 2
    unknown = runner.invoke(
        cli, ["data", "rejected", "--program", SHOP, "--db", db_url, "--reason", "bad_timestmap"]
    )
    assert unknown.exit_code == ExitCode.USAGE and "did you mean 'bad_timestamp'?" in unknown.output


def test_a_rejected_jsonl_record_is_stored_with_the_customers_key(
    db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "answers.jsonl"
    record = {"id": "j1", "time": "later", "point": "mp-nps", "score": 10, "customer": "cust-9"}
    path.write_text(json.dumps(record) + "\n")
    ingest(db_url, path, source="answers-json", max_reject_rate=1.0)
    [stored] = api.rejected(SHOP, db=db_url)
    kept = json.loads(stored.raw)
    assert kept["time"] == "later" and kept["customer"] not in ("cust-9", "")
    assert "cust-9" not in stored.raw


FORMS_SOURCE = """
  - id: forms
    layout: wide
    path: data/forms*.csv
    timezone: UTC
    timestamp_format: "%Y/%m/%d %I:%M:%S %p"
    columns: {collected_at: Timestamp, comment: Miksi?}
    values: {"Kuinka todennäköisesti suosittelisit meitä?": mp-nps, "Tilaus": mp-checkout}
"""


def test_a_source_without_response_ids_derives_them_so_a_reload_adds_nothing(
    db_url: str, tmp_path: Path
) -> None:
    """A Google Forms export: no response id, a timestamp in the form's own zone."""
    program = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", program)
    (program / "program.yaml").write_text(
        (program / "program.yaml").read_text(encoding="utf-8") + FORMS_SOURCE, encoding="utf-8"
    )
    export = tmp_path / "forms.csv"
    export.write_text(
        "Timestamp,Kuinka todennäköisesti suosittelisit meitä?,Tilaus,Miksi?\n"
        "2026/03/01 9:15:02 AM,9,5,Nopea toimitus\n"
        "2026/03/01 9:15:40 AM,3,2,Hidas\n"
        "2026/03/01 9:15:40 AM,10,5,\n",
        encoding="utf-8",
    )
    first = api.ingest(str(program), "forms", [str(export)], db=db_url, clock=clock)
    assert (first.rows_read, first.inserted, first.rejected) == (3, 6, 0)
    again = api.ingest(str(program), "forms", [str(export)], db=db_url, clock=clock)
    assert (again.inserted, again.unchanged) == (0, 6), "the same rows are the same answers"
    ids = rows(db_url, "SELECT DISTINCT response_id FROM feedback ORDER BY response_id")
    assert len(ids) == 3 and all(str(i[0]).startswith("derived:") for i in ids)
    times = rows(db_url, "SELECT DISTINCT collected_at FROM feedback ORDER BY collected_at")
    assert str(times[0][0])[:19] == "2026-03-01 09:15:02", "read in the source's UTC"
