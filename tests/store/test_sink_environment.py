"""A sink's environment variables: `cxgov validate --environment` names the missing ones
(CXG221) where a plain `cxgov validate` reads none, and the nightly run leaves a delivery
waiting, with their names, until they are set."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cxgov import api
from cxgov.cli import cli
from tests.clock import clock
from tests.local_servers import Reply, StartHttp
from tests.store.test_actions import shop_with_sinks
from tests.store.test_deliveries import AS_OF

SINKS = (
    "{type: webhook, url_env: CX_HOOK_URL, secret_env: CX_HOOK_SECRET}",
    "{type: jira, site: 'https://example.atlassian.net', project: CX, token_env: CX_JIRA}",
)


@pytest.fixture(autouse=True)
def _direct(no_proxy: None) -> None:
    """The local servers are reached directly, whatever proxy the machine sets."""


def _validate(program: Path, env: dict[str, str | None], *flags: str) -> tuple[int, str]:
    cleared: dict[str, str | None] = {
        name: None for name in ("CX_HOOK_URL", "CX_HOOK_SECRET", "CX_JIRA", "CXGOV_JIRA_EMAIL")
    }
    result = CliRunner().invoke(cli, ["validate", *flags, str(program)], env={**cleared, **env})
    return result.exit_code, result.output


def test_validate_names_missing_sink_variables_only_when_asked(tmp_path: Path) -> None:
    program = shop_with_sinks(tmp_path / "shop", *SINKS)

    assert _validate(program, {})[0] == 0, "a pull-request check has no secrets"
    code, output = _validate(
        program, {"CX_HOOK_URL": "https://hooks.example.org/x"}, "--environment"
    )
    assert code == 1
    assert "CXG221" in output and "CX_HOOK_SECRET (secret_env) is not set" in output
    assert "CX_JIRA (token_env)" in output and "CXGOV_JIRA_EMAIL (email_env)" in output
    assert "CX_HOOK_URL" not in output, "the URL is set"
    assert "policies.yaml:" in output

    code, output = _validate(program, {"CX_HOOK_URL": "hooks.example.org/x"}, "--environment")
    assert "CX_HOOK_URL does not hold an http(s) URL" in output
    assert "hooks.example.org" not in output, "a URL variable's value is never shown"

    every = {
        "CX_HOOK_URL": "https://hooks.example.org/x",
        "CX_HOOK_SECRET": "s",
        "CX_JIRA": "t",
        "CXGOV_JIRA_EMAIL": "cx@example.org",
    }
    assert _validate(program, every, "--environment") == (0, _validate(program, every)[1])


def test_the_run_leaves_a_delivery_waiting_while_its_sinks_variables_are_missing(
    db_url: str, tmp_path: Path, http_server: StartHttp, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = http_server(lambda _: Reply(200))
    program = str(shop_with_sinks(tmp_path / "shop", SINKS[0]))
    monkeypatch.setenv("CX_HOOK_URL", hook.url + "/cx")
    monkeypatch.delenv("CX_HOOK_SECRET", raising=False)

    first = api.run(program, as_of=AS_OF, db=db_url, out=None, clock=clock)
    assert first.deliveries == {"skipped": 1}
    [waiting] = api.deliveries(db_url).waiting
    assert waiting.status == "pending" and waiting.attempts == 0
    assert "CX_HOOK_SECRET (secret_env) are not set" in (waiting.last_error or "")
    assert "cxgov validate --environment" in (waiting.last_error or "")
    assert hook.requests == []
    listed = CliRunner().invoke(cli, ["actions", "deliveries", "--db", db_url])
    assert "CX_HOOK_SECRET" in listed.output

    monkeypatch.setenv("CX_HOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    second = api.run(program, as_of=AS_OF, db=db_url, out=None, clock=clock)
    assert second.deliveries == {"delivered": 1}
    assert api.deliveries(db_url).waiting == []
    assert len(hook.requests) == 1
