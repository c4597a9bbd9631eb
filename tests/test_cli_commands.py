"""The everyday commands' options, as a user types them: a program named by its directory or
its id, one `--fail-on` default, a busy port for `site serve`."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cxgov import api
from cxgov.cli import cli
from cxgov.judgement.outcome import FAIL_ON_DEFAULT, ExitCode
from tests.conftest import FIXTURES, ROOT


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_evaluate_and_run_fail_on_the_same_default() -> None:
    context = click.Context(cli)
    defaults = {}
    for name in ("evaluate", "run"):
        command = cli.get_command(context, name)
        assert command is not None
        [option] = [p for p in command.params if p.name == "fail_on"]
        defaults[name] = option.default
    assert defaults == {"evaluate": FAIL_ON_DEFAULT, "run": FAIL_ON_DEFAULT}


def test_a_program_is_named_by_its_directory_or_its_id(in_repo: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    for named in ("programs/kahvipalvelu", "kahvipalvelu"):
        code, output = invoke("data", "status", "--program", named, "--db", db)
        assert code == 0, output
        assert output.startswith("collection times in Europe/Helsinki, the program's time zone\n")
    code, output = invoke("data", "status", "--program", "kahvipalvelut", "--db", db)
    assert code == ExitCode.USAGE
    assert "Invalid value for '--program'" in output
    assert "did you mean 'kahvipalvelu'?" in output
    assert "(program ids: airline, kahvipalvelu)" in output
    code, output = invoke("evaluate", "--program", "programs/telco", "--db", db)
    assert code == ExitCode.USAGE and "(program ids: airline, kahvipalvelu)" in output


def _program(folder: Path, program_id: str) -> None:
    folder.mkdir(parents=True)
    text = (FIXTURES / "shop" / "program.yaml").read_text()
    (folder / "program.yaml").write_text(text.replace("id: shop", f"id: {program_id}", 1))


def test_one_resolver_finds_programs_by_id_anywhere_in_the_folder(tmp_path: Path) -> None:
    root = tmp_path / "programs"
    _program(root / "shop", "shop")
    _program(root / "regions" / "north", "shop-north")  # a folder not named after its id
    assert api.program_ref("shop", root=str(root)) == api.ProgramRef("shop", str(root / "shop"))
    north = api.program_ref("shop-north", root=str(root))
    assert north == api.ProgramRef("shop-north", str(root / "regions" / "north"))
    assert api.program_ref(str(root / "regions" / "north")).id == "shop-north"
    with pytest.raises(api.UsageError, match=r"found 2 programs \(shop, shop-north\)"):
        api.program_ref(str(root))
    # a program the store knows, whose files are elsewhere: its id alone
    assert api.program_ref("telco", root=str(root), stored=lambda: {"telco"}) == api.ProgramRef(
        "telco", None
    )
    with pytest.raises(api.UsageError, match=r"program ids: shop, shop-north, telco\)"):
        api.program_ref("nope", root=str(root), stored=lambda: {"telco"})
    with pytest.raises(api.UsageError, match=r"no program found under .*empty/\)"):
        api.program_ref("nope", root=str(tmp_path / "programs" / "empty"))


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 someone else listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_site_serve_on_a_busy_port_says_so_and_suggests_another(
    busy_port: int, tmp_path: Path
) -> None:
    built = tmp_path / "site"
    built.mkdir()
    (built / "index.html").write_text("<p>built</p>")
    code, output = invoke(
        "site",
        "serve",
        "--program",
        str(FIXTURES / "shop"),
        "--no-build",
        "--out",
        str(built),
        "--port",
        str(busy_port),
    )
    assert code == ExitCode.USAGE, output
    assert "internal error" not in output and "Traceback" not in output
    assert output == (
        f"cxgov: error: port {busy_port} on 127.0.0.1 is taken; serve on another one with "
        f"--port, for example --port {busy_port + 1} (or --port 0 for any free port)\n"
    )


def test_an_unknown_owner_is_a_usage_error_with_the_closest_id(
    in_repo: Path, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    code, output = invoke("digest", "--program", "kahvipalvelu", "--owner", "cx-johtja", "--db", db)
    assert code == ExitCode.USAGE
    assert "no owner 'cx-johtja' in program kahvipalvelu; did you mean 'cx-johtaja'?" in output
    assert "(owners: toimitusjohtaja, cx-johtaja, " in output


def test_every_command_documents_its_exit_codes() -> None:
    from tests.test_docs import _commands

    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    sections = {
        part.split("`", 1)[0]: part for part in text.split("\n## `")[1:] if part.startswith("cxgov")
    }
    names = _commands(cli)
    for name in names:
        if any(other.startswith(f"{name} ") for other in names):
            continue  # a group: its commands say what they end with
        group = " ".join(name.split()[:2])  # `cxgov actions` speaks for its commands
        said = [sections.get(name, ""), sections.get(group, "") if group != name else ""]
        assert any("Exit codes" in section for section in said), f"{name}: no exit codes"
