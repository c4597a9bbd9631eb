"""The `cxgov` command line: each command parses options, calls one api function, formats the
result and returns an exit code.

The commands live one module per group and are imported when invoked (or listed by `--help`),
so `cxgov --version` and `cxgov validate` load only what they use.
"""

from __future__ import annotations

import importlib

import click

from cxgov import __version__
from cxgov.cli.common import now_option
from cxgov.judgement.outcome import ExitCode

COMMANDS = {
    "validate": "cxgov.cli.program:validate",
    "schema": "cxgov.cli.program:schema",
    "rules": "cxgov.cli.program:rules",
    "ingest": "cxgov.cli.data:ingest",
    "db": "cxgov.cli.data:db",
    "data": "cxgov.cli.data:data",
    "demo-data": "cxgov.cli.data:demo_data",
    "evaluate": "cxgov.cli.evaluate:evaluate",
    "run": "cxgov.cli.evaluate:run_command",
    "digest": "cxgov.cli.evaluate:digest",
    "actions": "cxgov.cli.actions:actions",
    "diff": "cxgov.cli.review:diff",
    "codeowners": "cxgov.cli.review:codeowners",
    "init": "cxgov.cli.review:init",
    "site": "cxgov.cli.site:site",
}
"""Every top-level command and where it is defined (`module:attribute`)."""


class _Commands(click.Group):
    """A group that imports a command's module only when the command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, attribute = COMMANDS[cmd_name].split(":")
            command = getattr(importlib.import_module(module), attribute)
            assert isinstance(command, click.Command), COMMANDS[cmd_name]
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)


@click.group(
    cls=_Commands,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="cxgov")
@now_option
def cli() -> None:
    """cxgov: customer-experience program governance, configured as code.

    A CX program is a folder of YAML files (strategy, owners, journeys, KPIs, measurement
    points, objectives, action policies, themes, sources). `cxgov validate` reviews them
    like code.
    """


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="cxgov", standalone_mode=True)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return ExitCode.OK
