"""Reading YAML safely: every bad file becomes diagnostics with a place, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxgov.api import validate
from cxgov.cli import cli
from cxgov.diagnostics import Diagnostic
from cxgov.judgement.outcome import ExitCode
from cxgov.program_files import documents as loading
from cxgov.program_files.assembly import load_program
from cxgov.program_files.documents import MAX_DEPTH, parse_yaml
from tests.rules.cases import Case, build


def codes(diagnostics: list[Diagnostic]) -> list[tuple[str, int, int]]:
    return [(d.code, d.line, d.column) for d in diagnostics]


def test_plain_data_and_locations() -> None:
    document, problems = parse_yaml("f.yaml", b"a:\n  b:\n    - x: 1\n      y: 2025-01-31\n")
    assert problems == []
    assert document is not None
    assert document.data == {"a": {"b": [{"x": 1, "y": __import__("datetime").date(2025, 1, 31)}]}}
    assert document.locate(["a", "b", 0, "y"]).line == 4
    assert document.locate(["a", "b", 0, "y"]).column == 10
    assert document.locate(["a", "b", 0, "y"], key=True).column == 7
    # a missing key points at the mapping that should hold it
    assert (
        document.locate(["a", "b", 0, "zz"]).line,
        document.locate(["a", "b", 0, "zz"]).column,
    ) == (3, 7)


def test_every_duplicate_key_is_reported_and_the_first_kept() -> None:
    document, problems = parse_yaml("f.yaml", b"a: 1\na: 2\nb: {x: 1, x: 3}\n")
    assert codes(problems) == [("CXG002", 2, 1), ("CXG002", 3, 11)]
    assert document is not None and document.data == {"a": 1, "b": {"x": 1}}


def test_syntax_error_has_the_place_libyaml_stopped() -> None:
    document, problems = parse_yaml("f.yaml", b"a: [1,\nb: 2\n")
    assert document is None
    assert problems[0].code == "CXG001" and problems[0].line >= 1


def test_python_tags_are_refused() -> None:
    _, problems = parse_yaml("f.yaml", b"a: !!python/object/apply:os.system [echo hi]\n")
    assert [p.code for p in problems] == ["CXG001"]
    assert "unsupported YAML tag" in problems[0].message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"a: !!timestamp hello\n", "'hello' is not a valid !!timestamp value"),
        (b"a: !!bool maybe\n", "'maybe' is not a valid !!bool value"),
    ],
)
def test_an_explicit_tag_on_a_value_it_cannot_hold_is_a_diagnostic(
    text: bytes, message: str
) -> None:
    document, problems = parse_yaml("f.yaml", text)
    assert document is not None and document.data == {"a": text.split()[-1].decode()}
    assert [(p.code, p.message, p.line, p.column) for p in problems] == [("CXG001", message, 1, 4)]


CORE_TAGS = ["!!timestamp", "!!bool", "!!int", "!!float", "!!null", "!!str", "!!binary"]
ODD_VALUES = ["hello", "maybe", "", "0x", "1e999", "9" * 40, "2025-02-30", "2025-01-01T25:00"]


@pytest.mark.parametrize("tag", CORE_TAGS)
@pytest.mark.parametrize("value", ODD_VALUES)
def test_a_core_tag_on_any_value_never_raises(tag: str, value: str) -> None:
    for text in (f"a: {tag} {value}\n", f"{tag} {value}: 1\n", f"a: [{tag} {value}]\n"):
        _, problems = parse_yaml("f.yaml", text.encode())
        assert all(p.code == "CXG001" for p in problems), text


def test_validate_reports_explicit_tags_a_value_cannot_hold(tmp_path: Path) -> None:
    header = (
        "program:\n  id: base\n  name: !!timestamp hello\n  language: !!bool maybe\n"
        "  cx_owner: cx\n  sponsor: ceo\n  description: !!int\n"
    )
    program = build(Case("CXG001", "tags", {"program.yaml": header}, ()), tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", "--format", "json", str(program)])
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    found = {(d["line"], d["code"]) for d in json.loads(result.stdout)["diagnostics"]}
    assert {(3, "CXG001"), (4, "CXG001"), (7, "CXG001")} <= found


def test_alias_bomb_is_refused_before_expansion() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    _, problems = parse_yaml("bomb.yaml", "\n".join(lines).encode())
    assert [p.code for p in problems] == ["CXG003"]
    assert "alias" in problems[0].message


def test_recursive_alias_is_refused() -> None:
    _, problems = parse_yaml("f.yaml", b"a: &a [*a]\n")
    assert [p.code for p in problems] == ["CXG003"]


@pytest.mark.parametrize("libyaml", [True, False], ids=["libyaml", "pure-python"])
@pytest.mark.parametrize(
    "text",
    [
        b"[" * 200_000 + b"]" * 200_000,
        b"- " * 200_000 + b"x",
        b"{a: " * 100 + b"1" + b"}" * 100,
        # deeper than libyaml's own limit (1000 since 0.2.5), below the pre-scan threshold
        b"[" * 1_500 + b"]" * 1_500,
        b"{a: " * 1_200 + b"1" + b"}" * 1_200,
    ],
    ids=["flow-200k", "block-200k", "flow-100", "flow-1500", "mapping-1200"],
)
def test_deep_nesting_is_refused_without_crashing(
    text: bytes, libyaml: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same diagnostic whichever parser PyYAML brings: with libyaml (any version, with
    or without its own nesting limit) and without it."""
    if not libyaml:
        monkeypatch.setattr(loading, "_Loader", yaml.SafeLoader)
    _, problems = parse_yaml("deep.yaml", text)
    assert [p.code for p in problems] == ["CXG003"]
    assert str(MAX_DEPTH) in problems[0].message


def test_non_utf8_points_at_the_bad_byte() -> None:
    _, problems = parse_yaml("f.yaml", "name: Jyväskylä\n".encode("latin-1"))
    assert codes(problems) == [("CXG004", 1, 10)]


def test_utf8_bom_is_accepted() -> None:
    document, problems = parse_yaml("f.yaml", "\ufeffname: Jyväskylä\n".encode())
    assert problems == [] and document is not None and document.data == {"name": "Jyväskylä"}


def test_merge_keys_work_and_explicit_keys_win() -> None:
    document, problems = parse_yaml("f.yaml", b"base: &b {x: 1, y: 1}\nm:\n  <<: *b\n  y: 2\n")
    assert problems == [] and document is not None
    assert document.data["m"] == {"x": 1, "y": 2}


def test_invalid_date_is_left_for_the_model_to_report(tmp_path: Path) -> None:
    program = tmp_path / "p"
    program.mkdir()
    (program / "program.yaml").write_text(
        "program: {id: p, name: P}\nprogram_x: 1\n"
        "objectives:\n  - {id: o, name: O, measurement_point: m, targets: [{effective_from: 2025-02-30, target: 1}]}\n"
    )
    diagnostics = validate([str(program)]).diagnostics
    dates = [d for d in diagnostics if d.code == "CXG014"]
    assert len(dates) == 1 and dates[0].line == 4
    assert any(d.code == "CXG012" and "program_x" in d.message for d in diagnostics)


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    program = tmp_path / "p"
    program.mkdir()
    (program / "program.yaml").write_text("program: {id: p, name: P}\n# " + "x" * 2000 + "\n")
    diagnostics = validate([str(program)], max_bytes=1000).diagnostics
    assert "CXG005" in [d.code for d in diagnostics]


def test_a_large_file_without_aliases_is_too_large_not_a_bomb() -> None:
    _, problems = parse_yaml("big.yaml", b"themes:\n" + b"- a\n" * (loading.MAX_EXPANDED_NODES + 1))
    assert [p.code for p in problems] == ["CXG005"]
    assert "more than 1,000,000 values" in problems[0].message
    assert "alias" not in problems[0].message and problems[0].hint


def test_files_each_within_the_limit_are_refused_together_over_the_programs(
    tmp_path: Path,
) -> None:
    program = tmp_path / "p"
    program.mkdir()
    (program / "program.yaml").write_text("program: {id: p, name: P}\n", encoding="utf-8")
    per_file = loading.MAX_FILE_BYTES - 1024
    for name in ("a.yaml", "b.yaml", "c.yaml"):  # each under the file limit, with comments
        (program / name).write_bytes(b"owners: []\n" + (b"#" * 1023 + b"\n") * (per_file // 1024))
    result = CliRunner().invoke(cli, ["validate", "--format", "json", str(program)])
    assert result.exit_code == ExitCode.PROBLEMS
    found = json.loads(result.stdout)["diagnostics"]
    assert [(d["code"], Path(d["file"]).name) for d in found] == [("CXG005", "a.yaml")]
    assert "over the 10,485,760-byte limit for one program" in found[0]["message"]
    assert "none of them was read" in found[0]["message"]


def test_the_program_limit_counts_every_file(tmp_path: Path) -> None:
    files = []
    for name, text in (
        ("program.yaml", "program: {id: p, name: P}"),
        ("owners.yaml", "owners: []"),
    ):
        path = tmp_path / name
        path.write_text(text.ljust(39) + "\n", encoding="utf-8")
        files.append(str(path))
    within = load_program(str(tmp_path), files, max_program_bytes=80)
    assert not within.unreadable
    over = load_program(str(tmp_path), files, max_program_bytes=79)
    assert over.unreadable == files and [d.code for d in over.diagnostics] == ["CXG005"]


# --- garbage in, diagnostics out -----------------------------------------------------------

yaml_like = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=20)
    | st.dates().map(str),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "program",
                    "owners",
                    "journeys",
                    "kpis",
                    "measurement_points",
                    "objectives",
                    "id",
                    "name",
                    "targets",
                    "target",
                    "warn",
                    "fail",
                    "stages",
                    "touchpoints",
                    "scale",
                    "type",
                    "x",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=30,
)


def _check(diagnostics: list[Diagnostic]) -> None:
    for d in diagnostics:
        assert d.code.startswith("CXG") and d.file and d.line >= 0 and d.column >= 0


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=400))
def test_random_bytes_never_raise(raw: bytes) -> None:
    _document, problems = parse_yaml("g.yaml", raw)
    _check(problems)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("ab: -[]{}&*!|>'\"#\n\t?,0123456789.<")), max_size=200
    )
)
def test_random_yaml_like_text_never_raises(text: str) -> None:
    _, problems = parse_yaml("g.yaml", text.encode())
    _check(problems)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=yaml_like, huge=st.integers(min_value=10**20, max_value=10**400))
def test_random_program_shapes_give_diagnostics_not_tracebacks(
    tmp_path_factory: pytest.TempPathFactory, data: object, huge: int
) -> None:
    import yaml

    program = tmp_path_factory.mktemp("g")
    (program / "program.yaml").write_text(
        "program: {id: g, name: G, cx_owner: " + str(huge) + "}\n"
    )
    (program / "other.yaml").write_text(
        yaml.safe_dump({"objectives": data, "kpis": [data]}, allow_unicode=True)
    )
    result = validate([str(program)])
    _check(result.diagnostics)
