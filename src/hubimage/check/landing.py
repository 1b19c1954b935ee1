"""landing-page: the page users land on really loads in a browser, as the hub sends them.

A headless Chromium or Chrome (driven by Playwright for Python, which uses the installed
browser and downloads none) opens /user/NAME/ on the running server, logs in through the hub
stand-in's OAuth pages as a user's browser does, and follows the server to the hub's default
URL (`singleuser.defaultUrl`, or the profile's), where JupyterHub's `JUPYTERHUB_DEFAULT_URL`
sends it. An HTTP error there fails at once (an image without the hub's interface answers
404), as do a redirect loop, an error dialog, uncaught errors and console errors (a broken
extension logs one) or no page within the time; on JupyterLab it waits for the application
shell. A screenshot of what the browser showed is kept for each profile either way.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from hubimage.check.base import CheckContext, Outcome
from hubimage.check.session import needs_server

SOCKET_PATH_MAX = 107  # sun_path holds 108 bytes with its NUL
SCREENSHOT_NAME = "landing-page.png"  # the first profile's; then landing-page-2.png ...
BROWSER_ENV = "HUBIMAGE_BROWSER"
# Looked up on PATH, then as absolute paths: GitHub's Ubuntu runners have Google Chrome at
# /usr/bin/google-chrome (-> /opt/google/chrome/chrome), Debian and Ubuntu name Chromium so.
BROWSER_NAMES = ("google-chrome", "google-chrome-stable", "chromium", "chromium-browser", "chrome")
BROWSER_PATHS = ("/opt/google/chrome/chrome", "/usr/lib/chromium/chromium", "/snap/bin/chromium")
# No traffic but to the server under test: no updates, sync, field trials or metrics.
BROWSER_ARGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--disable-dev-shm-usage",  # containers' /dev/shm is 64 MB
)
LAB_SHELL = "#jp-main-dock-panel"  # JupyterLab 3 and 4's main area, there once the app started
SPLASH = "#jupyterlab-splash"  # removed once the workspace is restored
DIALOG = ".jp-Dialog"
SETTLE_MS = 500  # late dialogs and errors after the shell appeared
HOW_TO_ENABLE = (
    "install Playwright for Python (`pip install playwright`) and a Chromium or Chrome "
    f"(`apt-get install chromium`; GitHub's runners have Chrome), or name the browser in "
    f"{BROWSER_ENV}"
)


@dataclass
class PageVisit:
    """What the browser saw."""

    url: str  # where the browser was sent: /user/NAME/
    landed: str = ""  # where it ended, after the login and the server's redirects
    redirects: list[str] = field(default_factory=list)  # the documents it passed through
    http_status: int | None = None
    shell: bool = False
    title: str = ""
    dialogs: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    timed_out: str = ""  # what it was waiting for when the time ran out
    screenshot: str | None = None
    seconds: float = 0.0


def find_browser(named: str | None) -> str | None:
    """An installed Chromium or Chrome: `named`, $HUBIMAGE_BROWSER, PATH, known places."""
    for wanted in (named, os.environ.get(BROWSER_ENV)):
        if wanted:
            return shutil.which(wanted) or (wanted if Path(wanted).is_file() else None)
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return next((path for path in BROWSER_PATHS if os.access(path, os.X_OK)), None)


def landing_page(context: CheckContext) -> Outcome:
    try:
        from playwright.sync_api import sync_playwright  # noqa: F401 (an optional dependency)
    except ImportError:
        return Outcome("skip", "not run: Playwright for Python is not installed", HOW_TO_ENABLE)
    browser = find_browser(context.options.browser)
    if browser is None:
        return Outcome("skip", "not run: no Chromium or Chrome found", HOW_TO_ENABLE)
    visit = visit_page(context, browser)
    return visit if isinstance(visit, Outcome) else _judge(context, visit, browser)


def browser_environment(environ: Mapping[str, str]) -> dict[str, str | float | bool]:
    """Chromium makes its singleton socket in a new folder under TMPDIR, and a Unix socket's
    path must fit in 107 bytes: under a deep scratch folder (a long RUNNER_TEMP, say)
    Chromium aborts at launch. The socket takes no space, so the system's temp folder holds
    it then; the profile, which does, stays in the scratch folder Playwright picks."""
    env: dict[str, str | float | bool] = dict(environ)
    longest = len("/org.chromium.Chromium.XXXXXX/SingletonSocket")
    if len(environ.get("TMPDIR", "")) + longest > SOCKET_PATH_MAX:
        env["TMPDIR"] = "/tmp"  # noqa: S108 (a socket in a private folder Chromium makes)
    return env


def visit_page(context: CheckContext, browser_path: str) -> PageVisit | Outcome:
    """Start the browser while the server starts (both take seconds), then open the page."""
    from playwright.sync_api import Error, sync_playwright  # (optional dependency, as above)

    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=browser_path,
            headless=True,
            # Chromium's sandbox cannot run as root; everywhere else it stays on.
            chromium_sandbox=os.geteuid() != 0,
            args=list(BROWSER_ARGS),
            env=browser_environment(os.environ),
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            start = needs_server(context, "opened")
            if isinstance(start, Outcome):
                return start
            visit = PageVisit(url=start.prefix_url)
            started = time.monotonic()
            _listen(page, visit)
            try:
                _load(page, visit, start.prefix_url, started + context.options.landing_timeout)
            except Error as error:
                visit.timed_out = visit.timed_out or str(error).splitlines()[0]
            visit.title = _safe(page.title)
            visit.dialogs += [_safe(d.inner_text) for d in page.query_selector_all(DIALOG)]
            visit.screenshot = _screenshot(context, page)
            visit.seconds = time.monotonic() - started
        finally:
            browser.close()
    return visit


def _listen(page: Any, visit: PageVisit) -> None:
    def on_console(message: Any) -> None:
        if message.type == "error":
            visit.console_errors.append(str(message.text))

    page.on("console", on_console)
    page.on("pageerror", lambda error: visit.page_errors.append(str(error)))


def _load(page: Any, visit: PageVisit, prefix_url: str, deadline: float) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout  # (optional, as above)

    def left() -> float:
        return max(deadline - time.monotonic(), 0.1) * 1000

    try:
        visit.timed_out = "the page"
        response = page.goto(visit.url, wait_until="domcontentloaded", timeout=left())
        visit.landed = str(page.url).rstrip("?")
        visit.http_status = response.status if response is not None else None
        request = response.request if response is not None else None
        while request is not None:
            visit.redirects.insert(0, str(request.url))
            request = request.redirected_from
        if visit.http_status is not None and visit.http_status >= 400:
            visit.timed_out = ""
            return  # an HTTP error is the answer: no need to wait for anything else
        path = visit.landed.removeprefix(prefix_url).split("?")[0]
        if path.rstrip("/") == "lab" or path.startswith("lab/"):
            visit.timed_out = "JupyterLab's application shell"
            page.wait_for_selector(LAB_SHELL, state="visible", timeout=left())
            visit.timed_out = "JupyterLab to restore its workspace"
            page.wait_for_selector(SPLASH, state="detached", timeout=left())
        else:
            visit.timed_out = "the page to finish loading"
            page.wait_for_load_state("load", timeout=left())
        visit.shell = True
        visit.timed_out = ""
        page.wait_for_timeout(SETTLE_MS)
    except PlaywrightTimeout:
        pass  # visit.timed_out says what did not come


def _screenshot(context: CheckContext, page: Any) -> str | None:
    folder = context.options.artifacts_dir or Path(tempfile.mkdtemp(prefix="hubimage-landing-"))
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / screenshot_name(context.index)
    try:
        page.screenshot(path=str(target))
    except Exception:  # a crashed page: the check reports what it saw without a picture
        return None
    return str(target)


def screenshot_name(index: int) -> str:
    """The screenshot of the `index`th distinct profile of a check run."""
    return SCREENSHOT_NAME if index == 0 else SCREENSHOT_NAME.replace(".png", f"-{index + 1}.png")


def _safe(read: Any) -> str:
    try:
        return str(read()).strip()
    except Exception:  # the page went away
        return ""


# What serves each kind of default URL hubs set, for the hint when the image does not.
SERVED_BY = {
    "lab": "JupyterLab (`jupyterlab`)",
    "tree": "Jupyter Notebook 7 (`notebook`) or nbclassic",
    "rstudio": "RStudio Server behind jupyter-rsession-proxy (`jupyter-rsession-proxy`)",
    "desktop": "a desktop behind jupyter-remote-desktop-proxy (`jupyter-remote-desktop-proxy`)",
    "git-pull": "nbgitpuller (`nbgitpuller`)",
    "vscode": "code-server behind jupyter-vscode-proxy (`jupyter-vscode-proxy`)",
}


def wanted_page(context: CheckContext) -> str:
    """The default URL this profile sends users to, as shown in messages."""
    url = context.profile.default_url
    if not url:
        return "the server's own start page (no default URL set)"
    source = context.profile.source_of("defaultUrl", "default_url")
    return f"the hub's default URL {url}" + (f" ({source})" if source else "")


def first_part(url: str | None) -> str:
    """`rstudio` of `/rstudio/`, `git-pull` of `/git-pull?repo=...`."""
    return (url or "").lstrip("/").split("?")[0].split("/")[0]


def _judge(context: CheckContext, visit: PageVisit, browser: str) -> Outcome:
    details: dict[str, object] = {
        "url": visit.url,
        "landed": visit.landed,
        "redirects": visit.redirects,
        "http_status": visit.http_status,
        "title": visit.title,
        "browser": browser,
        "screenshot": visit.screenshot,
        "dialogs": visit.dialogs,
        "page_errors": visit.page_errors,
        "console_errors": visit.console_errors,
        "seconds": round(visit.seconds, 2),
    }
    wanted, landed = wanted_page(context), _path(visit.landed or visit.url)
    kind = first_part(context.profile.default_url)
    errors = [] if kind == "git-pull" else visit.page_errors + visit.console_errors
    if errors:
        details["log_tail"] = [f"browser: {_first_line(line)}" for line in errors[-20:]]
    if "ERR_TOO_MANY_REDIRECTS" in visit.timed_out:
        return Outcome(
            "fail",
            f"users going to {visit.url} end in a redirect loop ({len(visit.redirects)} "
            f"redirects seen) on the way to {wanted}",
            "a login loop: the image's JupyterHub (its major version) or its server config "
            "does not match the hub's; compare `jupyterhub --version` in the image and on the "
            "hub, and look for jupyter_server settings about base_url or cookies",
            details,
        )
    if visit.http_status is not None and visit.http_status >= 400:
        served = SERVED_BY.get(kind)
        return Outcome(
            "fail",
            f"users land on {landed}, which answers HTTP {visit.http_status}: the image does "
            f"not serve {wanted}",
            f"install {served} in the image"
            if served
            else "serve that page in the image, "
            "or change the hub's default URL (z2jh: singleuser.defaultUrl)",
            details,
        )
    if visit.timed_out or not visit.shell:
        waited = visit.timed_out or f"a page (HTTP {visit.http_status})"
        seen = f"; the browser saw: {_first_line(errors[0])[:200]}" if errors else ""
        return Outcome(
            "fail",
            f"{landed} did not load: no {waited} within {context.options.landing_timeout:g} s"
            f" (page title {visit.title!r}){seen}",
            "open the image's server yourself (`docker run -p 8888:8888 IMAGE jupyter lab "
            "--ip 0.0.0.0`) and look at the browser's console",
            details,
        )
    if visit.dialogs:
        return Outcome(
            "fail",
            f"{landed} shows an error dialog: {visit.dialogs[0][:300]}",
            "see the screenshot; a dialog at start-up usually names a broken extension or "
            "setting (`jupyter labextension list` in the image)",
            details,
        )
    if errors:
        return Outcome(
            "fail",
            f"{landed} loaded with {len(errors)} error(s) in the browser: "
            f"{_first_line(errors[0])[:300]}",
            "an extension fails in the browser, often one built for another JupyterLab major "
            "version: `jupyter labextension list` in the image, then upgrade or remove it",
            details,
        )
    clone = (
        "; nbgitpuller's page answered (the clone itself is not tried)"
        if kind == "git-pull"
        else ""
    )
    return Outcome(
        "pass",
        f"users land on {landed}, loaded in {visit.seconds:.1f} s "
        f"({visit.title or 'untitled'}){clone}; screenshot {visit.screenshot}",
        None,
        details,
    )


def _path(url: str) -> str:
    """`/user/NAME/lab` of `http://127.0.0.1:PORT/user/NAME/lab?`: what users see."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _first_line(text: str) -> str:
    """An error's message without its JavaScript stack."""
    return text.strip().splitlines()[0] if text.strip() else ""
