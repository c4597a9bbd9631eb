"""Build and install cxgov with no package index, from this checkout and the locked .venv.

- The sdist is built from the checkout and the wheel from the unpacked sdist (so the sdist is
  shown to be enough to build from), both with the lock's setuptools and no build isolation,
  which is what keeps the builds from downloading a build backend.
- cxgov's dependencies come from the .venv the tests run in, which scripts/setup made match
  requirements.txt exactly: each installed distribution is packed back into a wheel, and uv
  and pip install from that folder with the index switched off, pinned by the lock. uv's cache
  cannot be the source: scripts/setup's first install goes through pip, and its `uv pip sync`
  then finds everything installed and downloads nothing, so on a fresh machine (and in CI) the
  cache holds no wheels.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import re
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from collections.abc import Iterable, Mapping
from email.parser import Parser
from importlib import metadata
from pathlib import Path, PurePosixPath

from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.txt"
TOOLS = Path(sys.executable).parent
"""The locked .venv's bin folder: its python builds, its uv installs."""
UV = TOOLS / "uv"
SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"])
"""Where the locked .venv's distributions are installed."""

# Wheels from the installed files get a fixed timestamp: reproducible, and no clock is read.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# What an installer adds to a dist-info folder; not part of a wheel (RECORD is written anew).
_INSTALLER_FILES = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}


def scrubbed_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without what would make an install or a command depend on
    the machine: pip's and uv's settings (this machine sets PIP_FIND_LINKS), an active
    virtualenv, PYTHONPATH, cxgov's and git's variables, and the locked .venv on PATH (so
    `python` and `cxgov` are never the checkout's). The index is off for pip and uv."""
    dropped = ("PIP_", "UV_", "CXGOV_", "GIT_")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(dropped)
        and key not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "BASH_ENV"}
        and key not in {"PYTHONDONTWRITEBYTECODE", "PYTHONUSERBASE", "CONDA_PREFIX"}
    }
    env["PATH"] = os.pathsep.join(
        entry
        for entry in os.environ.get("PATH", "").split(os.pathsep)
        if entry and Path(entry).resolve() != TOOLS.resolve()
    )
    env.update(
        {
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_NO_INDEX": "1",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PIP_NO_CACHE_DIR": "1",
            "PYTHONNOUSERSITE": "1",
            "UV_NO_CONFIG": "1",
            "UV_OFFLINE": "1",
            "UV_PYTHON_DOWNLOADS": "never",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
        }
    )
    env.update(extra or {})
    return env


def run(
    command: list[str], *, cwd: Path, env: Mapping[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run `command`; fail with everything it printed unless it exits 0."""
    done = subprocess.run(
        command,
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, (
        f"{' '.join(command)} exited {done.returncode}\n"
        f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    )
    return done


def build_sdist(source: Path, out: Path) -> tuple[Path, str]:
    """The sdist of `source` and what the build printed (warnings included)."""
    return _build("build_sdist", source, out)


def build_wheel(sdist: Path, out: Path) -> tuple[Path, str]:
    """The wheel built from the unpacked `sdist`, and what the build printed."""
    return _build("build_wheel", unpack(sdist, out / "unpacked"), out)


def unpack(sdist: Path, folder: Path) -> Path:
    """Unpack `sdist` into `folder`; returns the source tree (`cxgov-VERSION/`)."""
    with tarfile.open(sdist) as archive:
        if hasattr(tarfile, "data_filter"):
            archive.extractall(folder, filter="data")
        else:  # Python before 3.11.4 has no extraction filters; this is our own sdist
            archive.extractall(folder)
    (source,) = folder.iterdir()
    return source


def _build(hook: str, source: Path, out: Path) -> tuple[Path, str]:
    out.mkdir(parents=True, exist_ok=True)
    code = f"from setuptools import build_meta; print(build_meta.{hook}({str(out)!r}))"
    # no bytecode: the build imports setuptools from the locked .venv, which stays untouched
    env = scrubbed_env({"PYTHONDONTWRITEBYTECODE": "1"})
    done = run([sys.executable, "-c", code], cwd=source, env=env)
    name = done.stdout.strip().splitlines()[-1]
    return out / name, done.stdout + done.stderr


def wheel_requirements(wheel: Path) -> list[str]:
    """The Requires-Dist lines of a wheel's METADATA: what installing it pulls in."""
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        text = archive.read(name).decode("utf-8")
    return Parser().parsestr(text).get_all("Requires-Dist") or []


def _applies(requirement: Requirement, extras: Iterable[str]) -> bool:
    marker = requirement.marker
    return marker is None or any(marker.evaluate({"extra": e}) for e in ("", *extras))


def dependency_closure(requirements: Iterable[str]) -> list[metadata.Distribution]:
    """The locked .venv's distributions that installing `requirements` (without extras of the
    installed package itself) needs, recursively, with the extras each is asked for."""
    installed = {
        canonicalize_name(d.metadata["Name"]): d
        for d in metadata.distributions(path=[str(SITE_PACKAGES)])
    }
    followed: dict[NormalizedName, set[str]] = {}
    pending = [r for r in map(Requirement, requirements) if _applies(r, ())]
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        known = followed.get(name)
        if known is not None and set(requirement.extras) <= known:
            continue
        extras = followed[name] = (known or set()) | set(requirement.extras)
        if name not in installed:
            raise LookupError(f"{name} is not installed in {SITE_PACKAGES}: run scripts/setup")
        needs = map(Requirement, installed[name].requires or [])
        pending.extend(r for r in needs if _applies(r, extras))
    return [installed[name] for name in sorted(followed)]


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"sha256={digest.decode('ascii')}"


def repack(dist: metadata.Distribution, out: Path) -> Path:
    """The installed distribution `dist` as a wheel in `out`.

    Its files are those its RECORD lists, without bytecode. Console scripts (installed outside
    site-packages) are left out: an installer writes them afresh from entry_points.txt.
    """
    files = [PurePosixPath(str(f)) for f in dist.files or []]
    (info,) = {f.parts[0] for f in files if f.parts[0].endswith(".dist-info")}
    scripts = {e.name for e in dist.entry_points if e.group in ("console_scripts", "gui_scripts")}
    entries: list[tuple[str, bytes, bool]] = []
    for file in files:
        if file.parts[0] == "..":
            if file.name in scripts:
                continue
            raise ValueError(
                f"{dist.metadata['Name']}: cannot repack {file} (outside site-packages)"
            )
        if "__pycache__" in file.parts or file.suffix == ".pyc":
            continue
        if file.parts[0] == info and file.name in _INSTALLER_FILES:
            continue
        installed = SITE_PACKAGES / file
        entries.append((file.as_posix(), installed.read_bytes(), os.access(installed, os.X_OK)))
    wheel_text = (SITE_PACKAGES / info / "WHEEL").read_text(encoding="utf-8")
    tags = [
        line.split(":", 1)[1].strip() for line in wheel_text.splitlines() if line.startswith("Tag:")
    ]
    python, abi, platform = (".".join(sorted({t.split("-")[i] for t in tags})) for i in range(3))
    name = re.sub(r"[-_.]+", "_", dist.metadata["Name"]).lower()
    target = out / f"{name}-{dist.version}-{python}-{abi}-{platform}.whl"
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for member, data, _ in entries:
        writer.writerow([member, _record_hash(data), len(data)])
    writer.writerow([f"{info}/RECORD", "", ""])
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:
        for member, data, executable in [
            *entries,
            (f"{info}/RECORD", record.getvalue().encode(), False),
        ]:
            item = zipfile.ZipInfo(member, date_time=_ZIP_TIME)
            item.external_attr = (0o755 if executable else 0o644) << 16
            archive.writestr(item, data)
    return target


def hashless_constraints(lock: Path, out: Path) -> Path:
    """requirements.txt as a constraints file without its hashes (`name==version ; marker`).

    The hashes are those of the index's files; the repacked wheels are other files of the same
    versions, so uv and pip would refuse them. The versions still come from the lock.
    """
    pins = [
        line.rstrip("\\").strip()
        for line in lock.read_text(encoding="utf-8").splitlines()
        if line[:1].isalnum()
    ]
    out.write_text("\n".join(pins) + "\n", encoding="utf-8")
    return out


def bundled_pip() -> Path:
    """The pip wheel that Python's ensurepip carries: offline, and the pip `python -m venv`
    would give a new virtual environment."""
    import ensurepip

    (wheel,) = (Path(ensurepip.__file__).parent / "_bundled").glob("pip-*.whl")
    return wheel
