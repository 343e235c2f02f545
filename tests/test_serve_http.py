"""The dev server's HTTP side, without a browser: what it answers to odd requests."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from generator.serve import RELATED_CHANGED, SERVED_STATE, LiveState, _describe, make_handler


@contextmanager
def running(site: Path, live: LiveState | None = None, base_path: str = "/repo/") -> Iterator[int]:
    """The dev server's handler for `site` at `base_path`, on a free port (yielded)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(site, base_path, live or LiveState()))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[int]:
    site = tmp_path / "site"
    (site / "papers/x").mkdir(parents=True)
    (site / "index.html").write_text("home")
    (site / "papers/x/index.html").write_text("a paper")
    (site / "404.html").write_text("not here")
    (site / "feed.xml").write_text("<feed/>")
    with running(site) as port:
        yield port


def ask(port: int, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path)
    response = connection.getresponse()
    answer = (response.status, dict(response.getheaders()), response.read())
    connection.close()
    return answer


@pytest.mark.parametrize(
    ("path", "status", "location"),
    [
        ("/repo/", 200, None),
        ("/repo/papers/x", 302, "/repo/papers/x/"),
        ("/repo", 302, "/repo/"),
        ("/", 302, "/repo/"),
        ("/repo/_live/reload.js", 200, None),
        ("/repo/" + "a" * 300, 404, None),  # longer than a file name may be
        ("/repo/" + "a/" * 3000, 404, None),
        ("/repo/../index.html", 404, None),
        ("/repo//etc/passwd", 404, None),  # no probing of the host's files
        ("/repo//etc", 404, None),
        ("/repo//papers/x/", 200, None),
        ("/repo/%2Fpapers/x", 302, "/repo/papers/x/"),  # not `//papers/x/`, which names a host
        ("/index.html", 404, None),
        ("/repo/papers/x?from=feed", 302, "/repo/papers/x/?from=feed"),  # the query goes along
        ("/repo?q=attention", 302, "/repo/?q=attention"),
        ("/repo/index.html/", 404, None),  # a static host has no such address: nor does it
        ("/repo/papers/x/index.html/", 404, None),
        ("/repo/feed.xml/.", 404, None),
        ("/repo/feed.xml/", 404, None),  # the site's 404 page, not the server's own
        ("/repo/feed.xml", 200, None),
    ],
)
def test_get_and_head_answer_alike(server: int, path: str, status: int, location: str | None) -> None:
    got, headers, body = ask(server, "GET", path)
    head, head_headers, head_body = ask(server, "HEAD", path)
    assert (got, head) == (status, status)
    assert headers.get("Location") == head_headers.get("Location") == location
    assert head_body == b""
    assert headers.get("Content-Length") == head_headers.get("Content-Length")
    if status == 404:
        assert body == b"not here"


def test_a_symbolic_link_to_itself_is_named_not_raised(tmp_path: Path) -> None:
    loop = tmp_path / "content/loop.md"
    loop.parent.mkdir()
    loop.symlink_to(loop)
    assert _describe([str(loop), str(tmp_path / "content/a.md")], tmp_path) == (
        f"{loop}, content/a.md changed"
    )


def test_related_papers_are_named_as_such_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not a file: started from inside `content/2025/`, the server said `content/2025/related papers`."""
    (tmp_path / "content/2025").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "content/2025")
    assert _describe([RELATED_CHANGED], tmp_path) == "related papers changed"


def test_before_the_first_build_every_page_shows_the_error_and_waits(tmp_path: Path) -> None:
    site = tmp_path / "empty-site"
    site.mkdir()
    with running(site) as port:
        status, _, body = ask(port, "GET", "/repo/")
    assert status == 404
    assert b'<script src="/repo/_live/reload.js?v=0" defer></script>' in body


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("127.0.0.1:8000", 200),
        ("localhost:8000", 200),
        ("[::1]:8000", 200),
        ("192.168.1.20:8000", 200),  # a phone on the same network, by address
        ("attacker.example", 403),  # a name rebound to this machine by hostile DNS
        ("attacker.example:8000", 403),
    ],
)
def test_a_request_must_name_this_machine(server: int, host: str, status: int) -> None:
    """DNS rebinding: another site's page, once its name resolves here, could read the preview."""
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    connection.putrequest("GET", "/repo/_live/reload.js", skip_host=True)
    connection.putheader("Host", host)
    connection.endheaders()
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == status


def test_the_live_state_tells_a_rebuild_its_search_index_and_the_server_run_apart() -> None:
    live, other = LiveState(), LiveState()
    live.publish(None, indexing=True)  # pages rebuilt, the search index not yet
    rebuilt = live.snapshot()
    assert rebuilt["version"] == 1 and rebuilt["indexing"] is True and rebuilt["search"] == 0
    live.publish(None)  # another rebuild while the index is made: still being made
    assert live.snapshot()["indexing"] is True
    live.indexed()
    indexed = live.snapshot()
    assert indexed["indexing"] is False and indexed["search"] == 1 and live.sequence == 3
    assert indexed["run"] != other.snapshot()["run"]  # a restarted server is another run


def test_the_reload_script_carries_the_state_it_was_sent_in(tmp_path: Path) -> None:
    """A tab whose stream has not yet connected still knows which run and build it shows."""
    live = LiveState()
    live.publish(None)
    with running(tmp_path, live) as port:
        status, _, body = ask(port, "GET", "/repo/_live/reload.js")
    assert status == 200
    assert SERVED_STATE not in body
    assert f"var last = {json.dumps(live.snapshot())};".encode() in body


def test_a_page_tells_its_reload_script_the_build_it_is_of(tmp_path: Path) -> None:
    """Taken before the page is read: a rebuild between the page and its script reloads it."""
    site = tmp_path / "site"
    (site / "papers/x").mkdir(parents=True)
    script = b'<script src="/repo/_live/reload.js" defer></script>'
    (site / "papers/x/index.html").write_bytes(b"<title>x</title>" + script)
    (site / "404.html").write_bytes(b"<title>missing</title>" + script)
    live = LiveState()
    for _ in range(3):
        live.publish(None)
    with running(site, live) as port:
        page, missing, head = (
            ask(port, "GET", "/repo/papers/x/"),
            ask(port, "GET", "/repo/papers/y/"),
            ask(port, "HEAD", "/repo/papers/x/"),
        )
    assert (
        page[0] == 200
        and page[2] == b'<title>x</title><script src="/repo/_live/reload.js?v=3" defer></script>'
    )
    assert missing[0] == 404 and b'reload.js?v=3"' in missing[2]
    assert head[1]["Content-Length"] == page[1]["Content-Length"] and head[2] == b""


def test_a_base_path_in_other_scripts_is_served_as_browsers_ask_for_it(tmp_path: Path) -> None:
    """Pages link `/%C3%BC/`; the server reads requests unquoted, as `serve()` passes its path."""
    (tmp_path / "papers/x").mkdir(parents=True)
    (tmp_path / "papers/x/index.html").write_text("a paper")
    with running(tmp_path, base_path="/ü/") as port:
        assert ask(port, "GET", "/%C3%BC/papers/x/")[0] == 200
        assert ask(port, "GET", "/%C3%BC/papers/x")[1]["Location"] == "/%C3%BC/papers/x/"
