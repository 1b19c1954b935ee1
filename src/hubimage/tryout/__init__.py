"""Trying an image on the hubs before it is merged: how each hub lets a user start it, the
pull request comment that says so, and the GitHub calls that keep that one comment.

Public API:
- `ways_to_try(entry, read, hubs, image, root=, chart=) -> dict[str, TryOut]`: per hub, a
  fancy-profiles link, the profile and the text to paste into its "Other..." image, or the
  `hubimage bump --scope hub` command (`ways`);
- `render_try_out(tryout, image_ref) -> str`: the comment's lines for one hub (`render`);
- `render_comment(image_ref, digest, hubs, checks, failed, run_url) -> str` (`comment`);
- `upsert_comment(repo, number, body) -> "created" | "updated" | "unchanged"` and
  `pull_request_source(event) -> (number, same_repository, why)` (`github`).

Modules: `slug` (KubeSpawner's profile slug, python-slugify's in the standard library),
`permalink` (jupyterhub-fancy-profiles' permalinks, byte for byte), `ways`, `render`,
`comment`, `github`.
"""

from hubimage.tryout.comment import MARKER, render_comment
from hubimage.tryout.github import (
    CommentResult,
    PullRequestSource,
    pull_request_source,
    read_event,
    upsert_comment,
)
from hubimage.tryout.render import render_try_out
from hubimage.tryout.ways import TryOut, UnlistedChoice, Way, ways_to_try

__all__ = [
    "MARKER",
    "CommentResult",
    "PullRequestSource",
    "TryOut",
    "UnlistedChoice",
    "Way",
    "pull_request_source",
    "read_event",
    "render_comment",
    "render_try_out",
    "upsert_comment",
    "ways_to_try",
]
