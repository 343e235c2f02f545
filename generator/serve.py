"""`papers serve`: build, serve under the site's own subpath, rebuild on save, reload the browser.

The server never serves half a build: pages change only after a rebuild succeeded, and
a failed one leaves the last good site in place while the error shows in the terminal
and as an overlay in the browser (through the live-reload event stream).
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import webbrowser
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

from generator.committed import refuse_committed_caches
from generator.config import CONFIG_NAME, load_config
from generator.errors import PapersError
from generator.load import CONTENT_DIR
from generator.preview import Preview
from generator.search import stop_all_indexing
from generator.summary import LAYOUTS_DIR

LIVE_PREFIX = "_live/"
DEBOUNCE_SECONDS = 0.1
RELATED_CHANGED = "related papers"  # what a rebuild after the background computation reports
_IGNORED_SUFFIXES = (".swp", ".swx", ".tmp", "~")
SERVED_STATE = b"null /* the state served */"  # in reload.js, replaced as it is sent
RELOAD_SCRIPT = b'_live/reload.js"'  # in the pages' script element, see send_page


class LiveState:
    """What browsers follow over Server-Sent Events: the build version and the current error;
    the search index's version and whether it is being brought up to date (the search page
    reloads once it is, not before: it would show what the index held); and this server's
    run, so that a tab open across a restart reloads although the versions start again."""

    def __init__(self) -> None:
        self.version = 0
        self.error: str | None = None
        self.search = 0
        self.indexing = False
        self.run = f"{os.getpid()}-{time.time_ns()}"
        self.sequence = 0  # of every change above, for the event streams
        self.changed = threading.Condition()

    def publish(self, error: str | None, indexing: bool = False) -> None:
        with self.changed:
            self.version += 1
            self.error = error
            self.indexing = self.indexing or indexing
            self.sequence += 1
            self.changed.notify_all()

    def indexed(self) -> None:
        """The search index holds the last rebuild's pages."""
        with self.changed:
            self.search += 1
            self.indexing = False
            self.sequence += 1
            self.changed.notify_all()

    def snapshot(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "error": self.error,
            "search": self.search,
            "indexing": self.indexing,
            "run": self.run,
        }


class Rebuilder:
    """Collects file events and runs one rebuild per burst of saves."""

    def __init__(self, preview: Preview, live: LiveState) -> None:
        self.preview = preview
        self.live = live
        self.built = False  # whether there is a site to serve
        self.indexer = Indexer(preview, live)
        self.pending: set[str] = set()
        self.timer: threading.Timer | None = None
        self.lock = threading.Lock()
        self.run_lock = threading.Lock()

    def changed(self, path: str) -> None:
        with self.lock:
            self.pending.add(path)
            if self.timer:
                self.timer.cancel()
            self.timer = threading.Timer(DEBOUNCE_SECONDS, self.run)
            self.timer.daemon = True
            self.timer.start()

    def run(self) -> None:
        with self.lock:
            changed, self.pending = sorted(self.pending), set()
        with self.run_lock:
            self.build(changed)

    def build(self, changed: list[str]) -> bool:
        what = _describe(changed, self.preview.root)
        self.preview.invalidate([path for path in changed if path != RELATED_CHANGED])
        try:
            result = self.preview.rebuild()
        except PapersError as error:
            return self._failed(what, str(error))
        except Exception as error:  # a bug, or the file system: say so, and live on for the next save
            return self._failed(
                what, f"the build stopped on an unexpected error: {type(error).__name__}: {error}"
            )
        self.built = True
        quiet = changed == [RELATED_CHANGED] and not (result.written or result.removed)  # caught up: no news
        if not quiet:
            print(
                f"✓ {what}: {result.written} page{'' if result.written == 1 else 's'} written, "
                f"{result.removed} removed ({result.rendered} rendered) in {result.seconds * 1000:.0f} ms",
                flush=True,
            )
        indexing = result.search_stale and self.preview.search
        if result.written or result.removed or self.live.error is not None:  # else nothing to reload
            self.live.publish(None, indexing)  # before the indexer starts, which may end at once
        if indexing:
            self.indexer.request()
        return True

    def _failed(self, what: str, message: str) -> bool:
        served = "still serving the last good site" if self.built else "nothing to serve until it builds"
        print(f"✗ {what}: the build failed; {served}\n{message}", file=sys.stderr)
        self.live.publish(message)
        return False


class Indexer:
    """Re-indexes search after rebuilds, in its own thread: Pagefind takes seconds on a big
    site, and the next save must not wait for it. Requests during a run make one more run."""

    def __init__(self, preview: Preview, live: LiveState | None = None) -> None:
        self.preview = preview
        self.live = live
        self.wanted = False
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        self.stopping = False

    def request(self) -> None:
        with self.lock:
            self.wanted = True
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, daemon=True)
                self.thread.start()

    def stop(self) -> None:
        """End the run under way, if any, and wait for its thread."""
        with self.lock:
            self.stopping, self.wanted, thread = True, False, self.thread
        stop_all_indexing()
        if thread is not None:
            thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            with self.lock:
                if not self.wanted or self.stopping:
                    self.thread = None
                    return
                self.wanted = False
            start = time.perf_counter()
            try:
                self.preview.index()
            except Exception as error:  # the thread must live on: report it and go on
                if not self.stopping:
                    print(f"search index not updated: {error}", file=sys.stderr)
            else:
                print(f"  search index updated in {time.perf_counter() - start:.1f} s", flush=True)
            with self.lock:
                done = not self.wanted  # else another run follows at once
            if done and self.live is not None and not self.stopping:
                self.live.indexed()  # failed or not: the search page shows what there is


def _describe(changed: list[str], root: Path) -> str:
    if not changed:
        return "initial build"
    # An editor's temporary file (sed's `sedXXXXXX`, say) is gone by now: not worth naming.
    changed = [p for p in changed if p == RELATED_CHANGED or Path(p).suffix or Path(p).exists()] or changed
    names = []
    for path in changed[:3]:
        if path == RELATED_CHANGED:  # not a file, whatever folder the server started in
            names.append(path)
            continue
        try:
            names.append(Path(path).resolve().relative_to(root.resolve()).as_posix())
        except (ValueError, OSError, RuntimeError):  # outside, or a symbolic link to itself
            names.append(path)
    more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
    return ", ".join(names) + more + " changed"


def _real(path: Path) -> Path:
    """`path` resolved, or as given when it cannot be (a symbolic link to itself)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


class _Watcher(FileSystemEventHandler):
    def __init__(self, rebuilder: Rebuilder, root: Path, observer: BaseObserver) -> None:
        self.rebuilder = rebuilder
        self.root = _real(root)
        self.observer = observer
        self.watches: dict[str, ObservedWatch] = {}

    def watch(self, folder: str) -> None:
        """Watch content/ or layouts/ and all it holds, anew: a folder deleted and made again
        (`rm -rf layouts && cp -r backup layouts`) is no longer the folder a watch was set on."""
        old = self.watches.pop(folder, None)
        if old is not None:
            with contextlib.suppress(KeyError, OSError):
                self.observer.unschedule(old)
        with contextlib.suppress(OSError):  # gone again meanwhile: its next creation watches it
            self.watches[folder] = self.observer.schedule(self, str(self.root / folder), recursive=True)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # the events of the files inside tell what changed
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            path = raw.decode() if isinstance(raw, bytes) else raw
            name = Path(path).name if path else ""
            if not name or name.startswith((".", "#")) or name.endswith(_IGNORED_SUFFIXES):
                continue
            top_level = _real(Path(path).parent) == self.root
            if top_level and name not in (CONFIG_NAME, CONTENT_DIR, LAYOUTS_DIR):
                continue  # other files at the project root
            made = event.event_type in ("created", "moved") and (self.root / name).is_dir()
            if top_level and name != CONFIG_NAME and made:  # content/ or layouts/ made again
                self.watch(name)
            self.rebuilder.changed(path)


# Every page until the first build succeeds: its live-reload script shows the error and
# loads the site once it is there.
_NOT_BUILT = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Not built yet</title>
<script src="BASE/_live/reload.js" defer></script></head>
<body><p>The site has not been built yet. Fix what the error says and save: this page
then reloads.</p></body></html>
"""


def make_handler(
    site: Path, base_path: str, live: LiveState, host: str = "127.0.0.1"
) -> type[SimpleHTTPRequestHandler]:
    live_files = resources.files("generator") / "live"

    class Handler(SimpleHTTPRequestHandler):
        """Serves `site` at `base_path`, plus the live-reload script and event stream."""

        head = False  # answering HEAD: headers only

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(site), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # one line per rebuild is enough

        def do_GET(self) -> None:
            self.answer(head=False)

        def do_HEAD(self) -> None:
            self.answer(head=True)

        def answer(self, head: bool) -> None:
            """GET and HEAD alike: the site under `base_path`, the live-reload files, else 404."""
            self.head = head
            if not _addressed_here(self.headers.get("Host", ""), host):  # DNS rebinding: a page
                self.send_error(HTTPStatus.FORBIDDEN, "unexpected Host header")  # of another site
                return
            address = urlsplit(self.path)
            path, query = unquote(address.path), f"?{address.query}" if address.query else ""
            if not path.startswith(base_path):
                if path in ("/", "", base_path.rstrip("/")):
                    self.redirect(quote(base_path) + query)
                else:
                    self.not_found()
                return
            inside = path[len(base_path) :].lstrip("/")  # `//etc` is no way out of the site
            if inside.startswith(LIVE_PREFIX):
                self.live(inside[len(LIVE_PREFIX) :])
                return
            if {".", ".."} & set(inside.split("/")):  # `Path` reads `feed.xml/.` as `feed.xml`
                self.not_found()
                return
            target = site / inside
            try:
                folder = target.is_dir()
                if folder and not path.endswith("/"):  # not `//papers/`: another host
                    self.redirect(quote(base_path + inside) + "/" + query)
                    return
                if folder:
                    target = target / "index.html"
                found = target.is_file() and (folder or not path.endswith("/"))  # `index.html/` is none
            except OSError:  # a name too long for the file system, say
                found = False
            if not found:
                self.not_found()
                return
            if target.suffix == ".html":
                self.send_page(HTTPStatus.OK, target)
                return
            self.path = "/" + inside
            if head:
                super().do_HEAD()
            else:
                super().do_GET()

        def send_body(self, body: bytes) -> None:
            if not self.head:
                self.wfile.write(body)

        def redirect(self, location: str) -> None:
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", location)
            self.end_headers()

        def not_found(self) -> None:
            self.send_page(HTTPStatus.NOT_FOUND, site / "404.html")

        def send_page(self, status: HTTPStatus, page: Path) -> None:
            """A page, its live-reload script told the build it is of (`reload.js?v=3`): a
            rebuild between sending the page and the script must still reload it. The version
            is taken before the page is read, so a page is never older than it says."""
            with live.changed:
                version = live.version
            try:
                body = page.read_bytes()
            except OSError:  # no 404 page before the first build; a page a rebuild removed
                status, body = HTTPStatus.NOT_FOUND, self.missing()
            at = body.rfind(RELOAD_SCRIPT)  # the last: the script element ends the page
            if at >= 0:
                at += len(RELOAD_SCRIPT) - 1  # before the closing quote
                body = body[:at] + b"?v=%d" % version + body[at:]
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.send_body(body)

        def missing(self) -> bytes:
            try:
                return (site / "404.html").read_bytes()
            except OSError:
                return _NOT_BUILT.replace(b"BASE/", base_path.encode())

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

        def live(self, name: str) -> None:
            if name == "events":
                self.events()
                return
            if name not in ("reload.js", "worker.js", "overlay.css"):
                self.not_found()
                return
            body = (live_files / name).read_bytes()
            if name == "reload.js":  # the tab's first state: the server's as it sends the page
                with live.changed:
                    state = live.snapshot()
                body = body.replace(SERVED_STATE, json.dumps(state).encode(), 1)
            kind = "text/javascript" if name.endswith(".js") else "text/css"
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.send_body(body)

        def events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            if self.head:
                return
            seen = -1
            try:
                while True:
                    with live.changed:
                        if live.sequence == seen:
                            live.changed.wait(timeout=15)
                        state, sequence = live.snapshot(), live.sequence
                    if sequence != seen:
                        seen = sequence
                        self.wfile.write(f"event: state\ndata: {json.dumps(state)}\n\n".encode())
                    else:
                        self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError, OSError):
                return

    return Handler


def _addressed_here(header: str, host: str) -> bool:
    """Whether a request's Host names this machine: a name that resolves to it only by a
    hostile DNS (rebinding) would let another site's page read the preview. An address, a
    `localhost` or the name the server was started with are this machine; no Host (HTTP/1.0)
    is too."""
    name = header.rsplit("]", 1)[0].lstrip("[") if header.startswith("[") else header.rsplit(":", 1)[0]
    if not name or name.lower() in ("localhost", host.lower()) or name.lower().endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that leaves mid-answer (a reload, a closed tab) is no error to print."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False) -> int:
    """Run the dev server until Ctrl-C."""
    refuse_committed_caches(root)
    site_path = load_config(root).base_path  # as links write it: `/%C3%BC/`
    base_path = unquote(site_path)  # as requests are read: `/ü/`
    workdir = Path(tempfile.mkdtemp(prefix="papers-serve-"))
    site = workdir / "site"
    live = LiveState()
    try:
        server = _Server((host, port), make_handler(site, base_path, live, host))
    except BaseException as error:  # the folder goes, whatever stopped the server
        shutil.rmtree(workdir, ignore_errors=True)
        if not isinstance(error, OSError):
            raise
        if error.errno == errno.EADDRINUSE:
            raise PapersError.single(
                f"{host}:{port}",
                f"port {port} is already in use",
                f"stop the other server or pick another port: papers serve --port {port + 1}",
            ) from None
        raise PapersError.single(f"{host}:{port}", f"cannot listen: {error.strerror}") from None
    actual_port = server.server_address[1]
    url = f"http://{host}:{actual_port}{site_path}"
    preview = Preview(root, site, base_url=url, defer_related=True, watched=True)
    rebuilder = Rebuilder(preview, live)
    preview.on_related = lambda: rebuilder.changed(RELATED_CHANGED)
    observer = Observer()
    watcher = _Watcher(rebuilder, root, observer)
    for folder in (CONTENT_DIR, LAYOUTS_DIR):
        if (root / folder).is_dir():
            watcher.watch(folder)
    observer.schedule(watcher, str(root), recursive=False)
    observer.start()  # before the first build, so no change is missed while it runs
    thread: threading.Thread | None = None
    try:  # from the first build on: Ctrl-C during it leaves no folder behind either
        with rebuilder.run_lock:  # a save during it waits, as for any rebuild
            rebuilder.build([])
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        print(f"serving {url} (Ctrl-C to stop)", flush=True)
        if open_browser:
            webbrowser.open(url)
        while thread.is_alive():
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nstopping", flush=True)
    finally:
        if threading.current_thread() is threading.main_thread():  # a second Ctrl-C would cut
            for stop in (signal.SIGINT, signal.SIGTERM):  # the cleanup short
                signal.signal(stop, signal.SIG_IGN)
        observer.stop()
        if thread is not None:  # shutdown() waits for a serve_forever() that was started
            server.shutdown()
        server.server_close()
        observer.join(timeout=5)
        preview.close()
        rebuilder.indexer.stop()  # Pagefind killed, its thread done: nothing writes into workdir
        shutil.rmtree(workdir, ignore_errors=True)
    return 0
