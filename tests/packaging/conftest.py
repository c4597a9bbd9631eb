"""One sdist, one wheel and one folder of dependency wheels per test session, all built offline
(see offline.py), and virtual environments made from them."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.packaging.offline import (
    LOCK,
    ROOT,
    UV,
    build_sdist,
    build_wheel,
    bundled_pip,
    dependency_closure,
    hashless_constraints,
    repack,
    run,
    scrubbed_env,
    wheel_requirements,
)


@dataclass(frozen=True)
class Built:
    sdist: Path
    wheel: Path
    sdist_output: str
    """What the sdist build printed, warnings included."""
    wheel_output: str


@dataclass(frozen=True)
class Wheelhouse:
    """cxgov's dependencies as wheels, and how to install them the way the lock says."""

    folder: Path
    constraints: Path
    """requirements.txt without its hashes (see offline.hashless_constraints)."""
    requirements: Path
    """cxgov's own Requires-Dist, one per line: its dependencies without cxgov."""
    uv_cache: Path
    """A cache of the session's own, so the tests neither read nor fill the user's."""

    def install(self, python: Path, *targets: str) -> None:
        """Install `targets` (uv pip install arguments) into the environment of `python`."""
        command = [
            str(UV),
            "pip",
            "install",
            "--quiet",
            "--offline",
            "--no-index",
            "--find-links",
            str(self.folder),
            "--python",
            str(python),
            "--constraint",
            str(self.constraints),
            *targets,
        ]
        run(command, cwd=python.parent, env=scrubbed_env({"UV_CACHE_DIR": str(self.uv_cache)}))

    def venv(self, folder: Path) -> Path:
        """A new, empty virtual environment at `folder`; returns its python."""
        env = scrubbed_env({"UV_CACHE_DIR": str(self.uv_cache)})
        # the python the tests run on, which the repacked compiled wheels were installed for
        command = [str(UV), "venv", "--quiet", "--python", sys.executable, str(folder)]
        run(command, cwd=folder.parent, env=env)
        return folder / "bin" / "python"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("dist")
    sdist, sdist_output = build_sdist(ROOT, out)
    wheel, wheel_output = build_wheel(sdist, tmp_path_factory.mktemp("wheel"))
    return Built(sdist, wheel, sdist_output, wheel_output)


@pytest.fixture(scope="session")
def wheelhouse(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Wheelhouse:
    folder = tmp_path_factory.mktemp("wheelhouse")
    requirements = wheel_requirements(built.wheel)
    for dist in dependency_closure(requirements):
        repack(dist, folder)
    extra = tmp_path_factory.mktemp("install")
    listed = extra / "requirements.txt"
    listed.write_text("\n".join(requirements) + "\n", encoding="utf-8")
    return Wheelhouse(
        folder=folder,
        constraints=hashless_constraints(LOCK, extra / "constraints.txt"),
        requirements=listed,
        uv_cache=tmp_path_factory.mktemp("uv-cache"),
    )


@pytest.fixture(scope="session")
def installed(
    built: Built, wheelhouse: Wheelhouse, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The bin folder of a fresh virtual environment with the wheel and its locked
    dependencies installed (by uv, offline)."""
    python = wheelhouse.venv(tmp_path_factory.mktemp("installed") / "venv")
    wheelhouse.install(python, str(built.wheel))
    return python.parent


@pytest.fixture
def runner_python(wheelhouse: Wheelhouse, tmp_path: Path) -> Path:
    """A python like the one actions/setup-python gives a job: a fresh environment with pip
    and nothing else of cxgov's, except that its locked dependencies are already in (the
    workflow's own `pip install` then adds cxgov from the wheel, with the index off)."""
    python = wheelhouse.venv(tmp_path / "runner-venv")
    wheelhouse.install(python, str(bundled_pip()), "--requirement", str(wheelhouse.requirements))
    return python
