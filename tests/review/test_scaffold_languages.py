"""`cxgov init --language fi` writes a Finnish program: the names, descriptions, questions and
comments a CX owner reads are Finnish, the structure is the English program's, and it
validates, loads its sample and is judged as the English one does."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from cxgov import api
from cxgov.cli import cli
from tests.clock import clock

TEXT_KEYS = frozenset(
    {"name", "description", "title", "question", "why_question", "consequence", "vision"}
)
"""Keys whose values are prose for people; everything else is the program's structure."""


def _init(tmp_path: Path, language: str) -> Path:
    result = CliRunner().invoke(
        cli, ["init", str(tmp_path / language / "acme-cx"), "--language", language]
    )
    assert result.exit_code == 0, result.output
    return tmp_path / language / "acme-cx" / "programs" / "acme-cx"


@pytest.fixture
def programs(tmp_path: Path) -> dict[str, Path]:
    return {language: _init(tmp_path, language) for language in ("en", "fi")}


def _files(program: Path) -> dict[str, Path]:
    return {p.relative_to(program).as_posix(): p for p in sorted(program.rglob("*.yaml"))}


def _split(value: Any, path: str = "") -> tuple[Any, dict[str, str]]:
    """The value with its prose replaced by a marker, and the prose by place."""
    if isinstance(value, dict):
        shape, prose = {}, {}
        for key, item in value.items():
            where = f"{path}.{key}"
            if key in TEXT_KEYS and isinstance(item, str):
                shape[key], prose[where] = "<text>", item
            else:
                shape[key], found = _split(item, where)
                prose.update(found)
        return shape, prose
    if isinstance(value, list):
        pairs = [_split(item, f"{path}[{i}]") for i, item in enumerate(value)]
        return [shape for shape, _ in pairs], {k: v for _, p in pairs for k, v in p.items()}
    return value, {}


def _comments(path: Path) -> list[str]:
    """Comment lines and trailing comments, without the schema header and commands to run."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        _, hash_, comment = line.partition("#")
        comment = comment.strip()
        if hash_ and comment and not comment.startswith("cxgov "):
            found.append(comment)
    return found


@pytest.mark.parametrize("language", ["en", "fi"])
def test_the_new_program_validates_strictly_in_each_language(
    language: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = _init(tmp_path, language)
    monkeypatch.chdir(program.parent.parent)
    result = CliRunner().invoke(cli, ["validate", "--strict", "programs/"])
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings" in result.output
    assert api.load_program(str(program)).program.language.value == language


def test_the_finnish_program_is_the_english_one_in_finnish(programs: dict[str, Path]) -> None:
    english, finnish = _files(programs["en"]), _files(programs["fi"])
    assert english.keys() == finnish.keys()
    for name in english:
        en_data = yaml.safe_load(english[name].read_text(encoding="utf-8"))
        fi_data = yaml.safe_load(finnish[name].read_text(encoding="utf-8"))
        if name == "program.yaml":
            assert (en_data["program"]["language"], fi_data["program"]["language"]) == ("en", "fi")
            fi_data["program"]["language"] = "en"
        en_shape, en_prose = _split(en_data)
        fi_shape, fi_prose = _split(fi_data)
        assert fi_shape == en_shape, name  # same ids, keys, numbers and references
        assert fi_prose.keys() == en_prose.keys(), name
        for where, text in fi_prose.items():
            if en_prose[where] not in ("Web",):  # a word Finnish borrows as it is
                assert text != en_prose[where], f"{name}{where} is still English: {text!r}"
        en_comments, fi_comments = _comments(english[name]), _comments(finnish[name])
        assert fi_comments and en_comments, name
        assert not set(fi_comments) & set(en_comments), name


def test_the_finnish_program_speaks_finnish(programs: dict[str, Path]) -> None:
    program = api.load_program(str(programs["fi"]))
    assert program.program.name == "Asiakaskokemusohjelma acme-cx"
    [kpi] = program.kpis
    assert (kpi.name, kpi.question) == (
        "Asiakastyytyväisyys",
        "Kuinka tyytyväinen olit saamaasi apuun?",
    )
    assert [j.name for j in program.journeys] == ["Avun saaminen"]
    objectives = (programs["fi"] / "objectives.yaml").read_text(encoding="utf-8")
    assert "# Tavoitteet hälytysrajoineen." in objectives


def test_the_finnish_sample_loads_and_is_judged(programs: dict[str, Path], tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    program = str(programs["fi"])
    summary = api.ingest(program, "survey", db=db, clock=clock)
    assert summary.rejected == 0 and summary.inserted > 100
    result = api.evaluate(program, as_of=dt.date(2026, 4, 1), db=db, dry_run=True, clock=clock)
    assert {r.objective.id for r in result.results} == {"o-phone-csat", "o-help-centre-csat"}


def test_a_language_cxgov_does_not_speak_is_a_usage_error_naming_the_choices(
    tmp_path: Path,
) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "x"), "--language", "sv"])
    assert result.exit_code == 2
    assert "'en'" in result.output and "'fi'" in result.output
