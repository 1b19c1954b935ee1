"""The client side of RFC 6455 over a plain socket: enough to talk to a kernel's channels.

kernel-runs talks to a server on 127.0.0.1 with text frames of JSON (jupyter_server's
default protocol when no subprotocol is asked for). A dozen frames per check do not justify
a dependency; this is the handshake, masked client frames, fragments, ping and close.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import socket
import struct
from collections.abc import Mapping
from urllib.parse import urlsplit

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 section 1.3
_TEXT, _BINARY, _CLOSE, _PING, _PONG, _CONTINUATION = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0


class WebSocketError(Exception):
    """The handshake was refused or the connection broke."""


class WebSocket:
    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buffer = b""
        self.closed = False

    @classmethod
    def connect(cls, url: str, headers: Mapping[str, str], timeout: float) -> WebSocket:
        """Open ws://HOST:PORT/PATH; WebSocketError when the server does not upgrade."""
        parts = urlsplit(url)
        if parts.scheme != "ws" or not parts.hostname:
            raise WebSocketError(f"only ws:// URLs are supported, not {url!r}")
        sock = socket.create_connection((parts.hostname, parts.port or 80), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        lines = [
            f"GET {target} HTTP/1.1",
            f"Host: {parts.netloc}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
            *(f"{name}: {value}" for name, value in headers.items()),
        ]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        client = cls(sock)
        head = client._read_until(b"\r\n\r\n").decode("latin-1")
        status = head.split("\r\n", 1)[0]
        accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()  # noqa: S324 (the protocol's own hash)
        if " 101 " not in f"{status} " or accept not in head:
            sock.close()
            raise WebSocketError(f"the server refused the websocket: {status}")
        return client

    def send_text(self, text: str) -> None:
        self._send_frame(_TEXT, text.encode())

    def receive_text(self, timeout: float) -> str | None:
        """The next text message; None when none came within `timeout` seconds."""
        self._sock.settimeout(timeout)
        message = b""
        while True:
            try:
                opcode, final, payload = self._read_frame()
            except TimeoutError:
                return None
            if opcode == _PING:
                self._send_frame(_PONG, payload)
            elif opcode == _CLOSE:
                self.closed = True
                raise WebSocketError("the server closed the websocket")
            elif opcode in (_TEXT, _BINARY, _CONTINUATION):
                message += payload
                if final and opcode != _BINARY:
                    return message.decode("utf-8", "replace")
                if final:
                    message = b""  # binary messages carry buffers, which no check reads

    def close(self) -> None:
        if not self.closed:
            with contextlib.suppress(OSError):
                self._send_frame(_CLOSE, struct.pack("!H", 1000))
        self.closed = True
        self._sock.close()

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
        elif length < 2**16:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
        masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
        self._sock.sendall(header + mask + masked)

    def _read_frame(self) -> tuple[int, bool, bytes]:
        """The next whole frame; a timeout leaves a partly received frame in the buffer."""
        while True:
            frame = self._parse_frame()
            if frame is not None:
                return frame
            self._fill()

    def _parse_frame(self) -> tuple[int, bool, bytes] | None:
        data = self._buffer
        if len(data) < 2:
            return None
        first, second = data[0], data[1]
        length, offset = second & 0x7F, 2
        if length == 126:
            if len(data) < 4:
                return None
            (length,), offset = struct.unpack("!H", data[2:4]), 4
        elif length == 127:
            if len(data) < 10:
                return None
            (length,), offset = struct.unpack("!Q", data[2:10]), 10
        mask = b""
        if second & 0x80:
            mask, offset = data[offset : offset + 4], offset + 4
        if len(data) < offset + length:
            return None
        payload, self._buffer = data[offset : offset + length], data[offset + length :]
        if mask:
            payload = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
        return first & 0x0F, bool(first & 0x80), payload

    def _read_until(self, marker: bytes) -> bytes:
        while marker not in self._buffer:
            self._fill()
        head, _, self._buffer = self._buffer.partition(marker)
        return head

    def _fill(self) -> None:
        chunk = self._sock.recv(65536)
        if not chunk:
            self.closed = True
            raise WebSocketError("the connection was closed")
        self._buffer += chunk
