"""Browser fixtures: a static server for a built site, and one headless Chromium per session.

Debian's Chromium is used rather than a Playwright download, so the tests run where only
distribution packages can be installed. Without it they skip, unless CI demands a browser.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterator
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, ClassVar
from urllib.parse import unquote, urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REQUIRE_ENV = "PAPERS_REQUIRE_BROWSER"

ServeDir = Callable[..., str]


def browser_unavailable(reason: str) -> None:
    """Skip, or fail when the environment says browser tests must run (as CI does)."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1 requires the browser tests to run)")
    pytest.skip(f"{reason}; install Debian's chromium package to run the browser tests")


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves `directory` under `base_path`, answering misses with the site's 404 page."""

    base_path = "/"
    extensions_map: ClassVar[dict[str, str]] = {  # type: ignore[misc]
        **SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
    }

    def in_base(self) -> bool:
        """Whether the request is for the site (`/base` itself redirects to `/base/`)."""
        route = unquote(urlsplit(self.path).path)
        return route.startswith(self.base_path) or route == self.base_path.rstrip("/")

    def send_head(self) -> BinaryIO | None:
        if not self.in_base():
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        return super().send_head()

    def translate_path(self, path: str) -> str:
        """Map `/base/x` to `directory/x`."""
        return super().translate_path("/" + path[len(self.base_path) :])

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        """No listings: like GitHub Pages, a folder without index.html is a 404."""
        self.send_error(HTTPStatus.NOT_FOUND)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """GitHub Pages serves /404.html for missing files; do the same so tests see that page."""
        page = Path(self.directory) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


def normalize_base(base_path: str) -> str:
    """`daily-papers`, `/daily-papers` and `/daily-papers/` all mean `/daily-papers/`."""
    inner = base_path.strip("/")
    return f"/{inner}/" if inner else "/"


def start_server(directory: Path, base_path: str) -> ThreadingHTTPServer:
    """A server on a free 127.0.0.1 port, running in a daemon thread."""
    handler = type("BoundSiteHandler", (SiteHandler,), {"base_path": normalize_base(base_path)})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def serve_dir() -> Iterator[ServeDir]:
    """`serve_dir(directory, base_path="/")` serves a built site and returns its base URL."""
    servers: list[ThreadingHTTPServer] = []

    def serve(directory: Path, base_path: str = "/") -> str:
        server = start_server(Path(directory), base_path)
        servers.append(server)
        host, port = server.server_address[:2]
        return f"http://{host!s}:{port}{normalize_base(base_path)}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Debian Chromium for the whole session (starting one costs about a second)."""
    if not CHROMIUM.exists():
        browser_unavailable(f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_unavailable("the playwright package is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
