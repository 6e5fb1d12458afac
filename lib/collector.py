"""Python's cyclic garbage collector, paused while a computation builds many short-lived objects.

A cold dashboard of a national programme builds a row of facts for each of tens of thousands of
pairs. Each few hundred new objects set off a collection of the youngest generation, every tenth
of those one of the next, and the oldest generation's collections walk every object the worker
holds (Django's, about 200,000): about a fifth of a cold programme dashboard's time here
(docs/performance.md, "Garbage collection paused"). Those rows hold no reference cycles and are
freed by reference counting as soon as they are dropped, so there is nothing for the collector
to find while they are built.

``collector_paused()`` switches the collector off for the block and back on after it (only if
it was on: nested or concurrent pauses leave it as the outermost found it). Nothing is lost:
any cycle made in the block is collected by the first collection after it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
