"""The websocket client kernel-runs uses, against Tornado's server (what jupyter_server runs)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application
from tornado.websocket import WebSocketHandler

from hubimage.check.websocket import WebSocket, WebSocketError


class Echo(WebSocketHandler):
    def open(self) -> None:
        if self.request.headers.get("Authorization") != "token right":
            self.close(4003, "who are you")

    def on_message(self, message: str | bytes) -> None:
        if message == "ping me":
            self.ping(b"are you there")
        if message == "close":
            self.close(1000)
            return
        self.write_message(f"echo:{message}")


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    ready = threading.Event()
    state: dict[str, object] = {}

    def serve() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        sockets = bind_sockets(0, "127.0.0.1")
        server = HTTPServer(Application([(r"/ws", Echo)]))
        server.add_sockets(sockets)
        state.update(loop=loop, port=sockets[0].getsockname()[1])
        ready.set()
        loop.run_forever()
        server.stop()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(5)
    yield f"ws://127.0.0.1:{state['port']}/ws"
    loop = state["loop"]
    assert isinstance(loop, asyncio.AbstractEventLoop)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


def connect(url: str) -> WebSocket:
    return WebSocket.connect(url, {"Authorization": "token right"}, timeout=5)


@pytest.mark.parametrize("size", [5, 125, 126, 65535, 65536, 300_000])
def test_messages_of_every_length_class_round_trip(server_url: str, size: int) -> None:
    socket = connect(server_url)
    text = "é" * (size // 2) + "x" * (size % 2)
    socket.send_text(text)
    assert socket.receive_text(5) == f"echo:{text}"
    socket.close()


def test_pings_are_answered_and_messages_still_arrive(server_url: str) -> None:
    socket = connect(server_url)
    socket.send_text("ping me")
    assert socket.receive_text(5) == "echo:ping me"
    socket.close()


def test_no_message_within_the_timeout_is_none_and_the_socket_stays_usable(
    server_url: str,
) -> None:
    socket = connect(server_url)
    assert socket.receive_text(0.2) is None
    socket.send_text("after")
    assert socket.receive_text(5) == "echo:after"
    socket.close()


def test_a_close_from_the_server_is_an_error(server_url: str) -> None:
    socket = connect(server_url)
    socket.send_text("close")
    with pytest.raises(WebSocketError, match="closed"):
        socket.receive_text(5)


def test_a_refused_upgrade_is_an_error(server_url: str) -> None:
    with pytest.raises(WebSocketError, match="refused"):
        WebSocket.connect(server_url.replace("/ws", "/nothing"), {}, timeout=5)
    with pytest.raises(WebSocketError, match="ws://"):
        WebSocket.connect("http://127.0.0.1:1/ws", {}, timeout=5)
