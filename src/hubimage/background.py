"""Work started in a daemon thread, its result (or its error) a `Future`.

`concurrent.futures` executors are joined when the interpreter exits, even when started from
a daemon thread. A run that ends without needing what was started (a no-op run: its tag is
already published, so the build backend probed at the start is never asked for) would wait
for it: 0.1-0.15 s of `docker buildx` calls in a 0.6 s run. A daemon thread is not waited for.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

T = TypeVar("T")


def in_background(work: Callable[[], T], name: str) -> Future[T]:
    """Start `work` in a daemon thread named `name`; `result()` gives its value or raises."""
    future: Future[T] = Future()

    def run() -> None:
        future.set_running_or_notify_cancel()
        try:
            future.set_result(work())
        except BaseException as error:  # raised where the result is asked for
            future.set_exception(error)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future
