"""The cyclic garbage collector paused while a large object graph is built that holds almost
no reference cycles: a program validated, an evaluation counted, judged and reported."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector inside, then restore it.

    Validation and evaluation make hundreds of thousands of small objects (a program's node
    trees with their marks; an evaluation's cells, verdicts and theme statistics), almost none
    of them in reference cycles. With the collector on, its passes walk that growing heap again
    and again: on a large program they cost as much as the parsing itself, and about a quarter
    of an evaluation's CPU on the 1M-answer benchmark store. Reference counting still frees
    acyclic garbage at once; the rare cycle waits for the next collection. The pause is
    process-wide.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            # Move the objects made meanwhile straight to the oldest generation, as if they
            # had survived collections: they are scanned in the next full collection, not
            # also in a young one the moment the collector is back on.
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()
