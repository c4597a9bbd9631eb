"""A table source's definition is checked where it is written: each mistake is a diagnostic
at its place in the program file, with what to write instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxgov.api import validate
from tests.warehouse.answers import table_program


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        (
            "    url_env: CXGOV_ANSWERS_URL\n",
            "",
            "names the environment variable holding its database URL",
        ),
        ("    dbt_model: qualtrics__response\n", "", "names either a `table` or a `dbt_model`"),
        (
            "    dbt_model: qualtrics__response\n",
            "    dbt_model: qualtrics__response\n    table: analytics.answers\n",
            "names either a `table` or a `dbt_model`",
        ),
        (
            "    format: table\n",
            "    format: table\n    path: data/*.csv\n",
            "a table source has no `path`",
        ),
        (
            "    not_applicable: [-1]\n",
            "    not_applicable: [-1, N/A]\n",
            "a table source reads numbers",
        ),
        (
            "      response_id: survey_response_id\n",
            "      comment: comment\n",
            "reads `columns.comment` names its response id in `columns.response_id`",
        ),
        (
            "      response_id: survey_response_id\n",
            "      customer: recipient_email\n",
            "reads `columns.customer` names its response id in `columns.response_id`",
        ),
        (
            "    measurement_points: {QID1: mp-nps, QID2: mp-food, QID3: mp-effort}\n",
            "",
            "maps the values of its measurement-point column",
        ),
        (
            "    format: table\n",
            "    format: csv\n    path: data/*.csv\n",
            "`url_env` belongs to table sources",
        ),
        (
            "    format: table\n",
            "    format: table\n    export: qualtrics\n",
            "`export` belongs to file sources",
        ),
    ],
)
def test_a_table_source_mistake_is_named_at_its_place(
    tmp_path: Path, old: str, new: str, says: str
) -> None:
    program = table_program(tmp_path / "program", {old: new})
    result = validate([str(program)])
    errors = [d for d in result.diagnostics if d.severity.value == "error"]
    assert len(errors) == 1, [d.full_message for d in result.diagnostics]
    assert says in errors[0].full_message
    assert errors[0].file.endswith("program.yaml") and errors[0].line >= 36


def test_the_fixture_program_is_clean() -> None:
    result = validate([str(Path(__file__).parent.parent / "fixtures" / "warehouse")])
    assert result.diagnostics == []
