"""The cyclic garbage collector paused inside `collector_paused` and restored as it was."""

from __future__ import annotations

import gc

import pytest

from cxgov.cycles import collector_paused


def test_paused_inside_and_on_again_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_restored_after_a_failure_and_left_off_when_it_was_off() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("failed inside")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
