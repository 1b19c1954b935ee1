"""The early upload: a local image's compressed layers sent to the registry as bare blobs.

It runs while the checks run, so that the push after them finds its layers there and writes
only the config and the manifest. Only blobs: no manifest and no tag is written, so nothing
can be pulled by a tag or by a manifest digest, and no hub config can name the image, before
the push. Blobs no manifest names are removed by the registry's garbage collection.

The image comes as `docker save` streams it. With the containerd image store that archive
holds the very gzip (or zstd) blobs the engine's push sends; this module uploads only those,
recognised by their magic bytes, so JSON blobs (the unlabeled config, manifests) stay local.
The archive is read once, a piece at a time: no layer is ever held in memory.
"""

from __future__ import annotations

import tarfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, cast

from hubimage.registry.client import RegistryClient

_LAYER_MAGIC = (b"\x1f\x8b", b"\x28\xb5\x2f\xfd")  # gzip, zstd
_PIECE = 1 << 20


class UploadStopped(Exception):
    """The run no longer wants the layers (a check failed)."""


@dataclass
class LayerUpload:
    """What one pass over the archive did."""

    uploaded: int = 0
    present: int = 0  # already in the registry (the base image's layers, a rebuild's)
    uploaded_bytes: int = 0


class _MemberBody:
    """One archive member as a request body: its first bytes (already read), then the rest."""

    def __init__(self, head: bytes, rest: IO[bytes], size: int, stop: threading.Event) -> None:
        self._head, self._rest, self._size, self._stop = head, rest, size, stop

    def __len__(self) -> int:
        return self._size

    def read(self, size: int = -1) -> bytes:
        if self._stop.is_set():
            raise UploadStopped  # ends the request: the registry drops the partial upload
        if self._head:
            piece, self._head = self._head, b""
            return piece
        return self._rest.read(_PIECE if size < 0 else min(size, _PIECE))


class _StoppableArchive:
    """The archive as tarfile reads it, also between members: skipping a layer the registry
    has means reading through it, which must end as soon as the run says stop."""

    def __init__(self, archive: IO[bytes], stop: threading.Event) -> None:
        self._archive, self._stop = archive, stop

    def read(self, size: int = -1) -> bytes:
        if self._stop.is_set():
            raise UploadStopped
        return self._archive.read(size)


def upload_layers(
    client: RegistryClient,
    repository: str,
    archive: IO[bytes],
    stop: threading.Event,
    log: Callable[[str], None],
    done: LayerUpload,
) -> LayerUpload:
    """Upload every compressed layer blob of the `docker save` stream `archive` that the
    registry lacks, counting into `done` as it goes (so a stopped upload still says what it
    sent); raise UploadStopped when `stop` is set."""
    stoppable = cast(IO[bytes], _StoppableArchive(archive, stop))
    with tarfile.open(fileobj=stoppable, mode="r|", bufsize=_PIECE) as tar:
        for member in tar:
            if stop.is_set():
                raise UploadStopped
            if not (member.isfile() and member.name.startswith("blobs/sha256/")):
                continue
            source = tar.extractfile(member)
            assert source is not None  # a regular file
            head = source.read(4)
            if not head.startswith(_LAYER_MAGIC):
                continue
            digest = "sha256:" + member.name.rsplit("/", 1)[1]
            if client.blob_exists(repository, digest):
                done.present += 1
                continue
            client.upload_blob(repository, digest, _MemberBody(head, source, member.size, stop))
            done.uploaded, done.uploaded_bytes = (
                done.uploaded + 1,
                done.uploaded_bytes + member.size,
            )
            log(f"uploaded layer {digest[:19]} ({member.size / 1e6:.1f} MB)")
    return done
