from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tests.local_servers"]

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the repository root, so relative paths are as a user types them."""
    monkeypatch.chdir(ROOT)
    return ROOT
