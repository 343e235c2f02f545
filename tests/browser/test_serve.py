"""`papers serve` in a real browser: edits appear without a reload; errors show an overlay."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.conftest import Project

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

pytestmark = pytest.mark.browser


@contextmanager
def serving(project: Project, settings: str = "", port: int = 0) -> Iterator[str]:
    """`papers serve` on the project, its site settings replaced; yields the site's URL."""
    (project.root / "site.yaml").write_text(
        "title: Served\nbase_url: https://example.github.io/daily-papers/\n" + settings, encoding="utf-8"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "--root", str(project.root), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    url = ""
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith("serving "):
            url = line.split()[1]
            break
    try:
        assert url, "".join(lines)
        yield url
    except BaseException:  # a failed test must not leave the server running
        process.kill()
        process.communicate(timeout=10)
        raise
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=10)
    assert process.returncode == 0, out
    assert "stopping" in out


@pytest.fixture
def served(sample_project: Project) -> Iterator[tuple[Project, str]]:
    with serving(sample_project) as url:
        yield sample_project, url


def test_edits_show_without_reloading_and_errors_show_an_overlay(
    browser: Browser, served: tuple[Project, str]
) -> None:
    project, url = served
    assert url.endswith("/daily-papers/")
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url + "papers/an-older-paper/")
    expect(page.locator("h1")).to_have_text("An older paper")

    path = project.root / "content/2025/2025-03-16/an-older-paper.md"
    good = path.read_text(encoding="utf-8").replace("title: An older paper", "title: A renamed paper")
    path.write_text(good, encoding="utf-8")
    expect(page.locator("h1")).to_have_text("A renamed paper", timeout=10_000)

    path.write_text(good.replace("title: A renamed paper", "title: [unclosed"), encoding="utf-8")
    overlay = page.locator("#papers-error-overlay")
    expect(overlay).to_be_visible(timeout=10_000)
    expect(overlay).to_contain_text("content/2025/2025-03-16/an-older-paper.md:2")
    expect(page.locator("h1")).to_have_text("A renamed paper")

    path.write_text(good.replace("A renamed paper", "A fixed paper"), encoding="utf-8")
    expect(page.locator("h1")).to_have_text("A fixed paper", timeout=10_000)
    expect(overlay).to_have_count(0)
    assert errors == []
    page.close()


def test_eight_tabs_load_and_all_reload(browser: Browser, served: tuple[Project, str]) -> None:
    """Each tab held an event stream open, and browsers open six connections to a host: the
    seventh tab never loaded. Tabs now share one stream."""
    project, url = served
    context = browser.new_context()
    pages = []
    for _ in range(8):
        page = context.new_page()
        page.goto(url + "papers/an-older-paper/", timeout=10_000)
        expect(page.locator("h1")).to_have_text("An older paper")
        pages.append(page)
    path = project.root / "content/2025/2025-03-16/an-older-paper.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("An older paper", "A tab test"), encoding="utf-8"
    )
    for page in pages:
        expect(page.locator("h1")).to_have_text("A tab test", timeout=15_000)
    context.close()


def test_a_page_older_than_its_reload_script_reloads(browser: Browser, served: tuple[Project, str]) -> None:
    """A rebuild between sending a page and its live-reload script: the script took the new
    build for the one the page showed, and the page stayed as it was."""
    _, url = served
    page = browser.new_page()

    def from_before(route: Route) -> None:  # the page as a build before the first sent it
        response = route.fetch()
        route.fulfill(
            response=response, body=re.sub(rb'reload\.js\?v=\d+"', b'reload.js?v=0"', response.body())
        )

    page.route(url + "papers/an-older-paper/", from_before, times=1)
    loads: list[str] = []  # navigations of the tab, whether or not they got to `load`
    page.on("framenavigated", lambda frame: loads.append(frame.url) if frame == page.main_frame else None)
    page.goto(url + "papers/an-older-paper/")
    for _ in range(100):
        if len(loads) > 1:
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(1_000)  # and no more: the page now is of the build served
    assert loads == [url + "papers/an-older-paper/"] * 2
    page.close()


def test_a_port_in_use_is_a_clear_error(served: tuple[Project, str]) -> None:
    project, url = served
    port = url.split(":")[2].split("/")[0]
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(project.root), "serve", "--port", port],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ},
    )
    assert result.returncode == 1
    assert f"port {port} is already in use" in result.stderr
    assert f"--port {int(port) + 1}" in result.stderr


def listed_titles(page: Page) -> list[str]:
    """The titles a search lists, once all are shown: the count comes first, each result
    once its data is loaded."""
    status = page.locator(".search-status")
    expect(status).to_have_text(re.compile(r"^\d+ papers?$"))
    titles = page.locator(".search-result h2 a")
    expect(titles).to_have_count(min(int(status.inner_text().split()[0]), 10))  # 10 a page
    return titles.all_inner_texts()


def search_until_found(page: Page, search_url: str, seconds: float = 30) -> None:
    """Search again until something is found or time is up: the dev server indexes in the
    background, and a search page asks the index it finds when it loads."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page.goto(search_url)
        expect(page.locator(".search-status")).not_to_have_text("Loading the search index…")
        if page.locator(".search-result h2 a").count():
            return
        page.wait_for_timeout(200)


@pytest.mark.parametrize("settings", ["search_index: split\n", ""], ids=["split", "one index"])
def test_search_finds_a_saved_paper_by_its_new_words(
    browser: Browser, sample_project: Project, settings: str
) -> None:
    """The dev server indexes a saved paper in its overlay, its part kept as indexed: the new
    words find it, no other paper is lost, and date order holds."""
    with serving(sample_project, settings) as url:
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        found = page.locator(".search-result h2 a")
        search_until_found(page, url + "search/?q=last+year")  # the first index is made after the site
        expect(found).to_have_text(["Last year paper"])
        errors.clear()  # a search page loaded before the first index exists finds none (404)
        page.goto(url + "search/?q=abstract&sort=newest")
        before = listed_titles(page)

        path = sample_project.root / "content/2024/2024-12-31/last-year-paper.md"
        path.write_text(path.read_text(encoding="utf-8") + "\nPermafrost thaws.\n", encoding="utf-8")
        search_until_found(page, url + "search/?q=permafrost")  # the index catches up in the background
        expect(found).to_have_text(["Last year paper"])
        page.goto(url + "search/?q=abstract&sort=newest")
        assert listed_titles(page) == before
        days = page.locator(".search-result time").evaluate_all("nodes => nodes.map(n => n.dateTime)")
        assert days == sorted(days, reverse=True) and "2024-12-31" in days
        assert errors == []
        page.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def renamed_while_stopped(project: Project, page: Page, port: int) -> None:
    """A paper renamed while no server runs; the tab open on it shows the new title once a
    server runs again on `port`."""
    path = project.root / "content/2025/2025-03-17/second-paper-of-the-day.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("title: Second paper of the day", "title: Renamed while stopped"), encoding="utf-8"
    )
    with serving(project, port=port):
        expect(page.locator("h1")).to_have_text("Renamed while stopped", timeout=20_000)


def test_a_tab_open_across_a_restart_reloads(browser: Browser, sample_project: Project) -> None:
    """A new server counts its builds from one again: the tab must not take its first for
    the one it shows."""
    port = free_port()
    page = browser.new_page()
    with serving(sample_project, port=port) as url:
        page.goto(url + "papers/second-paper-of-the-day/")
        expect(page.locator("h1")).to_have_text("Second paper of the day")
    renamed_while_stopped(sample_project, page, port)
    page.close()


def test_a_tab_whose_stream_never_reached_the_stopped_server_reloads_on_the_next(
    browser: Browser, sample_project: Project
) -> None:
    """Stopped right after the page loaded, before its event stream connected (as on a busy
    machine), the tab took the new server's first state for the one it shows."""
    port = free_port()
    context = browser.new_context()
    # The tab's own stream, not a shared worker's, which the browser's driver cannot hold up.
    context.add_init_script("delete window.SharedWorker;")
    context.route("**/_live/events", lambda route: route.abort())  # the stream cannot connect
    page = context.new_page()
    with serving(sample_project, port=port) as url:
        with page.expect_request("**/_live/events"):  # the tab tried, and failed
            page.goto(url + "papers/second-paper-of-the-day/")
        expect(page.locator("h1")).to_have_text("Second paper of the day")
    context.unroute("**/_live/events")
    renamed_while_stopped(sample_project, page, port)
    context.close()


def test_the_search_page_reloads_once_the_index_holds_the_save(
    browser: Browser, sample_project: Project
) -> None:
    """Reloaded as soon as the pages were rebuilt, it asked the index before the save was in
    it, and showed nothing found until reloaded by hand."""
    with serving(sample_project) as url:
        page = browser.new_page()
        search_until_found(page, url + "search/?q=last+year")  # the first index exists
        page.goto(url + "search/?q=glacier")
        expect(page.locator(".search-status")).to_have_text("0 papers")
        path = sample_project.root / "content/2024/2024-12-31/last-year-paper.md"
        path.write_text(path.read_text(encoding="utf-8") + "\nGlacier melt.\n", encoding="utf-8")
        expect(page.locator(".search-result h2 a")).to_have_text(["Last year paper"], timeout=20_000)
        page.close()
