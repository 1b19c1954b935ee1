"""Pausing Python's cyclic garbage collector while node graphs and their data are built.

A node graph and its data are many small objects and no cycles: the collector would only
rescan them, again and again while they grow.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while node graphs and their data are built.

    It rescans every object made so far each time it runs while the graph grows, which
    made a bump grow quadratically with the file; the graph has no cycles to collect.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def collector_paused_in(function: Callable[P, R]) -> Callable[P, R]:
    """`function` run with the collector paused, resumed only after its locals are gone.

    Everything allocated while paused is in the youngest generation when the collector
    resumes; if a file's node graphs are still alive then, the collector scans them all,
    once per generation (0.1 s for a 1,000-hub file). Resumed after the function has
    returned, only what it returns is left to scan.
    """

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with collector_paused():
            return function(*args, **kwargs)

    return run
