"""The early upload (`early-upload: true`; off by default): the built image's layers go to the
registry while the checks run.

The push after the checks then finds every layer there and writes only the config (which
the checks label changes) and the manifest, with its tags. Before that push nothing but bare
blobs exists: no manifest, no tag, nothing a pull or a hub config could name
(registry/blobs.py). A failed check stops the upload; the blobs already sent are named by no
manifest and are left to the registry's garbage collection, and the log and the summary say so.

Where it applies: the containerd image store with the buildx backend, where `docker save`
gives the same compressed blobs the engine's push sends. The classic store compresses at
push time (its digests are not known before), and the legacy builder's images on either
store are compressed at push time too: there the run keeps today's order (push after the
checks). Any failure of the early upload only costs time: the push sends what is missing.

The run never waits for it: when the checks pass, an upload still going is stopped and the
engine's push (which sends layers in parallel, from its own store) sends what is missing.
`docker save` is the upload's only source, and on a containerd store it can be slower than
the engine's push (34 MB/s on the bench machine): reading a 3 GB image to find every layer
already in the registry took 88 s of a rebuild whose checks took 32.

Off by default because the bench found no run it made shorter on 2 cores (README's
Benchmarks): `docker save` keeps the engine busy while the checks run, a layer not finished
when they pass is sent again whole by the push, and a rebuild reads the whole image.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from hubimage.errors import HubimageError
from hubimage.phases.building import build_session
from hubimage.phases.context import RunContext
from hubimage.registry import DEFAULT_PUSH_RETRY, RegistryClient
from hubimage.registry.blobs import LayerUpload, UploadStopped, upload_layers
from hubimage.registry.retry import READ_RETRY, with_retries

CONTAINERD_STORE = "io.containerd.snapshotter.v1"
_STOP_WAIT_SECONDS = 5.0


@dataclass
class EarlyUpload:
    """The background upload of one run (`thread` None where it does not apply)."""

    why_not: str = ""
    thread: threading.Thread | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    sent: LayerUpload = field(default_factory=LayerUpload)  # so far, across retried passes
    completed: bool = False
    error: str | None = None
    seconds: float = 0.0

    def finish(self, context: RunContext) -> None:
        """The checks passed: stop the upload if it is still going (the push sends the rest),
        then say what went ahead of the push."""
        if self.thread is None:
            return
        stopped = self._stop()
        sent = self.sent
        summary = (
            f"{sent.uploaded} layer(s), {sent.uploaded_bytes / 1e6:.0f} MB sent while the checks "
            f"ran, {sent.present} already in the registry"
        )
        if self.error is not None:
            context.reporter.info(f"early upload failed ({self.error}); the push sends the layers")
        elif stopped:
            context.reporter.info(
                f"early upload stopped when the checks passed: {summary}; the push sends the rest"
            )
        else:
            context.reporter.info(f"early upload: {summary} ({self.seconds:.1f}s)")

    def abandon(self, context: RunContext) -> None:
        """A check failed (or the run did): stop, and say what stays in the registry."""
        if self.thread is None:
            return
        self._stop()
        sent = self.sent.uploaded
        if sent:
            note = (
                f"{sent} layer blob(s) of the unchecked image were uploaded to "
                f"{context.name.qualified_name} while the checks ran; no manifest or tag names "
                "them (nothing can be pulled by tag or digest), and the registry's garbage "
                "collection removes them"
            )
            context.outcome.notes.append(note)
            context.reporter.info(note)

    def _stop(self) -> bool:
        """Stop the upload if it still runs; whether it did. A piece being read ends the
        upload's request at once; one waiting on the registry's answer is left behind (its
        thread ends with the run: the push does not depend on it)."""
        assert self.thread is not None
        stopped = not self.completed and self.thread.is_alive()
        self.stop.set()
        self.thread.join(timeout=_STOP_WAIT_SECONDS)
        self.thread = None
        return stopped


def start(context: RunContext, image: str) -> EarlyUpload:
    """Start sending `image`'s layers in the background where this run will push them."""
    why_not = _why_not(context)
    if why_not:
        context.reporter.info(f"no early upload: {why_not}; the push follows the checks")
        return EarlyUpload(why_not)
    upload = EarlyUpload()
    upload.thread = threading.Thread(
        target=_upload, args=(context, image, upload), name="hubimage-early-upload", daemon=True
    )
    upload.thread.start()
    context.reporter.info("uploading the layers while the checks run (no manifest, no tag)")
    return upload


def _why_not(context: RunContext) -> str:
    inputs, policy = context.inputs, context.policy
    if not inputs.check or not policy.push or policy.skip_unchanged or inputs.image is None:
        return "this run pushes nothing after checks"
    if not inputs.early_upload:
        return "early-upload is false"
    if build_session(context).backend.kind != "buildx":
        return "the legacy builder's layers are compressed only by the push"
    if context.services.engine.image_store() != CONTAINERD_STORE:
        return "the classic image store compresses layers only when it pushes"
    return ""


def _upload(context: RunContext, image: str, upload: EarlyUpload) -> None:
    services, repository = context.services, context.name.repository
    started = time.monotonic()
    host = context.name.registry_host
    try:
        with RegistryClient(host, services.login, retry=READ_RETRY) as client:

            def one_pass() -> LayerUpload:
                upload.sent.present = 0  # a retried pass finds again what the last one did
                archive = services.engine.save_stream(image)
                try:
                    return upload_layers(
                        client, repository, archive, upload.stop, lambda _: None, upload.sent
                    )
                finally:
                    archive.close()

            with_retries(one_pass, DEFAULT_PUSH_RETRY, f"the early upload to {host}")
            upload.completed = True
    except UploadStopped:
        pass
    except HubimageError as error:
        upload.error = error.message
    except Exception as error:  # only time is lost: the push after the checks sends the layers
        upload.error = f"{type(error).__name__}: {error}"
    upload.seconds = time.monotonic() - started
