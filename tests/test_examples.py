"""The example programs: valid, warning-free, and true to the JSON Schemas and the real data."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from cxgov.api import validate
from cxgov.model import Language
from tests.conftest import ROOT, SHARED

PROGRAMS = sorted(p for p in (ROOT / "programs").iterdir() if p.is_dir())
SCHEMA = json.loads((ROOT / "schemas" / "program-file.schema.json").read_text())


def _as_json(value: Any) -> Any:
    """What an editor's YAML language server sees: YAML 1.2 core, dates are strings."""
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_there_are_finnish_and_english_examples() -> None:
    languages = {validate([str(p)]).programs[0].program.program.language for p in PROGRAMS}
    assert {Language.FI, Language.EN} <= languages


# The one warning an example keeps, because it is true and worth showing: the coffee service's
# relationship NPS gets about a hundred answers a quarter (its objectives say the sample is
# small), too few to tell its strategic and segment targets from their fail levels within three
# quarters (CXG210). Its volumes come from min_sample in the demo data, so raising min_sample
# would remake the data every demo and site test reads. Any other warning still fails.
EXPECTED_WARNINGS = {
    "kahvipalvelu": {
        ("CXG210", "objectives/strategiset.yaml", "o-suosittelu"),
        ("CXG210", "objectives/strategiset.yaml", "o-suosittelu-suuryritykset"),
        ("CXG210", "objectives/strategiset.yaml", "o-suosittelu-julkinen"),
    }
}


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.name for p in PROGRAMS])
def test_example_validates_without_warnings(program: Path) -> None:
    result = validate([str(program)])
    expected = EXPECTED_WARNINGS.get(program.name, set())
    unexpected = [
        f"{d.file}:{d.line}: {d.code} {d.message}"
        for d in result.diagnostics
        if (d.code, Path(d.file).relative_to(program).as_posix(), _objective(d.message))
        not in expected
    ]
    assert unexpected == []
    assert len(result.diagnostics) == len(expected), "each expected warning appears once"
    assert result.errors == 0


def _objective(message: str) -> str | None:
    found = re.match(r"objective '([^']+)'", message)
    return found[1] if found else None


@pytest.mark.parametrize(
    "path", sorted(ROOT.glob("programs/**/*.yaml")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_example_file_matches_the_json_schema(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    jsonschema.validate(_as_json(data), SCHEMA, cls=jsonschema.Draft202012Validator)
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema="), "editor wiring header"
    schema_ref = (path.parent / first.split("=", 1)[1].strip()).resolve()
    assert schema_ref == (ROOT / "schemas" / "program-file.schema.json").resolve()


def test_schema_rejects_what_the_validator_rejects() -> None:
    bad = {"objectives": [{"id": "o", "name": "O", "measurement_point": "m", "targetz": []}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMA, cls=jsonschema.Draft202012Validator)


def test_airline_source_maps_the_real_files_rating_columns() -> None:
    result = validate([str(ROOT / "programs" / "airline")])
    program = result.programs[0].program
    wide = [s for s in program.sources if s.layout.value == "wide"]
    assert len(wide) == 1
    header = next(csv.reader((SHARED / "datasets" / "airline" / "test.csv").open()))
    ratings = header[
        header.index("Flight Distance") + 1 : header.index("Departure Delay in Minutes")
    ]
    assert len(ratings) == 14
    assert sorted(wide[0].values) == sorted(ratings)
    assert set(wide[0].columns.segments.values()) == {"Class", "Customer Type", "Type of Travel"}
    assert 0 in wide[0].not_applicable or "0" in wide[0].not_applicable
