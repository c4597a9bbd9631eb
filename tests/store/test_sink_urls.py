"""A webhook URL carries its token (Slack, Teams): it can come from an environment variable
instead of the YAML, and no output shows more of a URL than its scheme and host, on both
databases, against a real local server."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from cxgov import api
from cxgov.cli import cli
from cxgov.model.policies import Sink
from tests.clock import clock, later
from tests.local_servers import Recorded, Reply, StartHttp
from tests.store.test_actions import shop_with_sinks

AS_OF = dt.date(2026, 4, 2)
URL_ENV = "CXGOV_TEST_HOOK_URL"
INLINE_TOKEN = "inline-s3cret-T0K3N"
ENV_TOKEN = "env-s3cret-T0K3N"


@pytest.fixture(autouse=True)
def _direct(no_proxy: None) -> None:
    """The local server is reached directly, whatever proxy the machine sets."""


def _deliveries(db_url: str, *extra: str) -> str:
    listed = CliRunner().invoke(cli, ["actions", "deliveries", "--db", db_url, *extra])
    assert listed.exit_code == 0, listed.output
    return listed.output


def test_a_webhook_url_from_the_environment_and_every_url_masked(
    db_url: str, tmp_path: Path, http_server: StartHttp, monkeypatch: pytest.MonkeyPatch
) -> None:
    up = {"ok": False}

    def hook(_: Recorded) -> Reply:
        return Reply(200) if up["ok"] else Reply(503)

    server = http_server(hook)
    program = shop_with_sinks(
        tmp_path / "shop",
        f"{{type: webhook, url: '{server.url}/hooks/{INLINE_TOKEN}?key=q'}}",
        f"{{type: webhook, url_env: {URL_ENV}}}",
    )
    monkeypatch.delenv(URL_ENV, raising=False)

    first = api.run(str(program), as_of=AS_OF, db=db_url, out=None, clock=clock)
    assert first.deliveries == {"failed": 1, "skipped": 1}
    text = _deliveries(db_url)
    listed = json.loads(_deliveries(db_url, "--format", "json"))
    for shown in (text, json.dumps(listed)):
        assert INLINE_TOKEN not in shown and "/hooks" not in shown and "key=q" not in shown
    host = server.url.split("://", 1)[1]
    assert {d["sink"] for d in listed} == {f"webhook:http://{host}/…", f"webhook:${URL_ENV}"}
    assert f"→ webhook:http://{host}/…: failed after 1 attempt(s)" in text
    # a missing URL leaves the delivery waiting for it, untried, instead of rejecting it
    assert (
        f"→ webhook:${URL_ENV}: pending after 0 attempt(s): not delivered: the sink's "
        f"environment variables {URL_ENV} (url_env) are not set" in text
    )

    monkeypatch.setenv(URL_ENV, f"{server.url}/hooks/{ENV_TOKEN}")
    up["ok"] = True
    # the next night, past the failed delivery's backoff
    second = api.run(str(program), as_of=AS_OF, db=db_url, out=None, clock=later(6))
    assert second.deliveries == {"delivered": 2}
    delivered = {r.path for r in server.requests if r.headers.get("X-Cxgov-Event")}
    assert delivered == {f"/hooks/{INLINE_TOKEN}?key=q", f"/hooks/{ENV_TOKEN}"}
    assert api.deliveries(db_url).waiting == []


@pytest.mark.parametrize(
    "given",
    [{}, {"url": "https://hooks.example.org/x", "url_env": URL_ENV}],
    ids=["neither", "both"],
)
def test_a_webhook_sink_names_its_url_one_way(given: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="`url`, or a `url_env`"):
        Sink.model_validate({"type": "webhook", **given})
