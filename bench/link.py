"""A slower network between the runner and the registry, for the bench.

The bench's registry is on loopback, where a push of gigabytes takes seconds; a runner's push
to quay.io goes over the internet. `throttled_link` is a TCP relay on loopback that passes
bytes at a set rate in each direction. Every connection shares that rate, as the connections
of one push share a runner's uplink. It relays bytes, not HTTP: the engine, buildx and
hubimage speak to it exactly as to the registry (the registry builds its upload URLs from the
Host header, so they lead back through the relay). Latency is not modelled: only the rate.
"""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from support.registry_fixtures import RunningRegistry

CHUNK = 64 * 1024


class Pace:
    """Hands out the link's time: `take(n)` returns once n bytes fit in the set rate."""

    def __init__(self, bytes_per_second: float) -> None:
        self._rate = bytes_per_second
        self._free_at = time.monotonic()
        self._lock = threading.Lock()
        self.sent = 0

    def take(self, size: int) -> None:
        with self._lock:
            now = time.monotonic()
            # an idle link does not bank its unused time: it starts sending now
            self._free_at = max(self._free_at, now) + size / self._rate
            wait = self._free_at - now
            self.sent += size
        if wait > 0:
            time.sleep(wait)


@dataclasses.dataclass
class Link:
    host: str  # "127.0.0.1:PORT", in place of the registry's
    upload: Pace  # runner → registry
    download: Pace  # registry → runner


def _pump(source: socket.socket, target: socket.socket, pace: Pace) -> None:
    try:
        while data := source.recv(CHUNK):
            pace.take(len(data))
            target.sendall(data)
    except OSError:
        pass  # either side closed: the other pump ends too
    finally:
        for end, how in ((target, socket.SHUT_WR), (source, socket.SHUT_RD)):
            with suppress(OSError):
                end.shutdown(how)


def _serve(listener: socket.socket, target: tuple[str, int], link: Link) -> None:
    while True:
        try:
            client, _ = listener.accept()
        except OSError:
            return  # the link was closed
        upstream = socket.create_connection(target)
        ways = ((client, upstream, link.upload), (upstream, client, link.download))
        for source, sink, pace in ways:
            threading.Thread(target=_pump, args=(source, sink, pace), daemon=True).start()


@contextmanager
def throttled_link(
    registry: RunningRegistry, mbit: float
) -> Iterator[tuple[RunningRegistry, Link]]:
    """`registry` as seen through a link of `mbit` megabits per second each way."""
    host, port = registry.host.rsplit(":", 1)
    listener = socket.create_server(("127.0.0.1", 0))
    rate = mbit * 1e6 / 8
    link = Link(f"127.0.0.1:{listener.getsockname()[1]}", Pace(rate), Pace(rate))
    threading.Thread(target=_serve, args=(listener, (host, int(port)), link), daemon=True).start()
    try:
        yield dataclasses.replace(registry, host=link.host), link
    finally:
        listener.close()
