"""jupyterhub-fancy-profiles' own spawn form, served from its PyPI package, as a hub serves it.

Only what the form needs of a hub, reproduced from the hub's own code:
- `GET /hub/login?next=...`: JupyterHub's login page with a user already logged in sends
  the browser to `next` (tornado's `get_argument`, which decodes it once; JupyterHub keeps
  only local paths: `BaseHandler._validate_next_url`);
- `GET /hub/spawn`: JupyterHub's spawn.html form (`<form id="spawn_form" method="post"
  enctype="multipart/form-data">` around the options form), the options form being the
  package's `templates/form.html` rendered as KubeSpawner renders it (`_render_options_form`:
  jinja2 from `additional_profile_form_template_paths`, `tojson` keeping key order) with the
  profile list as KubeSpawner initialises it (`_get_initialized_profile_list`: a `slug` from
  python-slugify where none is given, each option's first choice the default where none is,
  `unlisted_choice` with `enabled` and `display_name_in_choices` filled in, the first
  profile the default where none is);
- `GET /hub/fancy-profiles/static/...`: the package's static files (its `setup_ui` handler);
- `POST /hub/spawn`: the submitted form is kept in `posts` and answered 204 No Content, so
  the browser stays on the form (a real hub would start the server).
"""

from __future__ import annotations

import asyncio
import copy
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2
import jupyterhub_fancy_profiles  # type: ignore[import-untyped]
import tornado.httpserver
import tornado.netutil
import tornado.web
from slugify import slugify

from hubimage.spawnprofiles.entry import hub_layers
from hubimage.spawnprofiles.layers import Values
from hubimage.spawnprofiles.spawner import spawner_config
from hubimage.spawnprofiles.traits import plain

PACKAGE = Path(jupyterhub_fancy_profiles.__file__).parent
SPAWN_PAGE = """\
<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>JupyterHub</title></head>
<body>
<div class="container">
  <h1>Server Options</h1>
  <form enctype="multipart/form-data" id="spawn_form" action="/hub/spawn" method="post"
        role="form">
    {options_form}
    <br>
    <div class="feedback-container">
      <button type="submit" class="btn btn-jupyter form-control">Start</button>
    </div>
  </form>
</div>
</body>
</html>
"""


def hub_profile_list(
    entry: str, read: Callable[[str], str | None], hub: str, chart: str | None = None
) -> list[dict[str, Any]]:
    """The hub's `KubeSpawner.profile_list` as its config sets it (merged as Helm merges
    the hub's values, read as hubimage.spawnprofiles reads them)."""
    [layers, *_] = hub_layers(entry, read, [hub], root="", chart=chart)
    listed = spawner_config(Values(layers.layers), layers.jupyterhub).traits.get("profile_list")
    found = plain(listed)
    return [dict(profile) for profile in found] if isinstance(found, list) else []


def initialized_profile_list(profile_list: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """KubeSpawner's `_get_initialized_profile_list` (kubespawner/spawner.py, 7.x)."""
    profiles: list[dict[str, Any]] = copy.deepcopy([dict(p) for p in profile_list])
    if not profiles:
        return profiles
    for profile in profiles:
        if "slug" not in profile:
            profile["slug"] = slugify(profile["display_name"])
        for option in profile.get("profile_options", {}).values():
            choices = option.get("choices")
            if choices and not any(c.get("default") for c in choices.values()):
                choices[next(iter(choices))]["default"] = True
            unlisted = option.setdefault("unlisted_choice", {})
            unlisted.setdefault("enabled", False)
            if unlisted["enabled"]:
                unlisted.setdefault("display_name_in_choices", "Other...")
    if not any(p.get("default") for p in profiles):
        profiles[0]["default"] = True
    return profiles


def options_form(profile_list: Sequence[Mapping[str, Any]]) -> str:
    """The package's form.html as KubeSpawner renders it."""
    # KubeSpawner's own Environment (no autoescape): the template writes JSON in a <script>.
    loader = jinja2.FileSystemLoader([str(PACKAGE / "templates")])
    env = jinja2.Environment(loader=loader)  # noqa: S701
    env.policies["json.dumps_kwargs"] = {"sort_keys": False}
    template = env.get_template("form.html")
    return template.render(profile_list=initialized_profile_list(profile_list), user_options={})


class FancyProfilesHub:
    """Serves one hub's spawn form on 127.0.0.1; `url` is its origin."""

    def __init__(self, profile_list: Sequence[Mapping[str, Any]]) -> None:
        self.page = SPAWN_PAGE.format(options_form=options_form(profile_list))
        self.posts: list[dict[str, list[str]]] = []
        self.redirects: list[str] = []
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: tornado.httpserver.HTTPServer | None = None
        self.port = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FancyProfilesHub:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the fancy-profiles hub did not start")
        return self

    def stop(self) -> None:
        loop = self._loop
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        hub = self
        static = str(PACKAGE / "static")
        app = tornado.web.Application(
            [
                (r"/hub/login", _Login, {"hub": hub}),
                (r"/hub/spawn", _Spawn, {"hub": hub}),
                (
                    r"/hub/fancy-profiles/static/(.*)",
                    tornado.web.StaticFileHandler,
                    {"path": static},
                ),
            ]
        )
        server = tornado.httpserver.HTTPServer(app)
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        server.add_sockets(sockets)
        self.port = sockets[0].getsockname()[1]
        self._server = server
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            server.stop()
            loop.close()


class _Handler(tornado.web.RequestHandler):
    def initialize(self, hub: FancyProfilesHub) -> None:
        self.hub = hub


class _Login(_Handler):
    def get(self) -> None:
        next_url = self.get_argument("next", default="")
        next_url = next_url.replace("\\", "%5C")  # as JupyterHub's _validate_next_url
        if not next_url.startswith("/") or next_url.startswith("//"):
            next_url = "/hub/home"
        self.hub.redirects.append(next_url)
        self.redirect(next_url)


class _Spawn(_Handler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(self.hub.page)

    def post(self) -> None:
        fields = {
            name: [value.decode("utf-8") for value in values]
            for name, values in self.request.body_arguments.items()
        }
        self.hub.posts.append(fields)
        self.set_status(204)  # No Content: the browser stays on the form


@contextmanager
def fancy_profiles_hub(profile_list: Sequence[Mapping[str, Any]]) -> Iterator[FancyProfilesHub]:
    hub = FancyProfilesHub(profile_list).start()
    try:
        yield hub
    finally:
        hub.stop()
