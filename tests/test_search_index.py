"""Search indexing: the parts a large site's index is split into, the documents Pagefind
reads, and rebuilds that re-index only the parts whose papers changed."""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
import re
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import search
from generator.build import build
from generator.config import load_config
from generator.content import read_site
from generator.errors import PapersError
from generator.markup import render_body
from generator.model import Paper, Site
from generator.preview import Preview
from generator.search import (
    MANIFEST,
    OVERLAY,
    SPLIT_ABOVE,
    page_ids,
    search_document,
    search_part_names,
    search_parts,
)
from tests.conftest import Project
from tests.sitecheck import beside, tree_bytes


def site_of(days: list[dt.date]) -> Site:
    papers = [Paper(f"p{number}", day, f"Paper {number}", "Text.", "") for number, day in enumerate(days)]
    return Site(papers, {})


def test_small_sites_have_one_index() -> None:
    site = site_of([dt.date(2024, 1, 1), dt.date(2025, 3, 17)])
    assert [(part.name, len(part.urls)) for part in search_parts(site)] == [("", 2)]
    assert [part.name for part in search_parts(site, "single")] == [""]


def test_split_is_the_latest_month_then_each_earlier_year_newest_first() -> None:
    days = [
        dt.date(2023, 5, 4),
        dt.date(2024, 2, 1),
        dt.date(2025, 2, 27),
        dt.date(2025, 3, 2),
        dt.date(2025, 3, 17),
    ]
    parts = search_parts(site_of(days), "split")
    assert [(part.name, part.urls) for part in parts] == [
        ("2025-03", ("papers/p3/", "papers/p4/")),
        ("2025", ("papers/p2/",)),
        ("2024", ("papers/p1/",)),
        ("2023", ("papers/p0/",)),
    ]


def test_auto_splits_large_sites() -> None:
    days = [dt.date(2024, 12, 31)] * SPLIT_ABOVE + [dt.date(2025, 1, 1)]
    assert [part.name for part in search_parts(site_of(days))] == ["2025-01", "2024"]


@given(st.lists(st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)), min_size=1, max_size=40))
@settings(max_examples=200)
def test_every_paper_is_in_exactly_one_part_and_parts_do_not_overlap_in_time(days: list[dt.date]) -> None:
    site = site_of(days)
    parts = search_parts(site, "split")
    urls = [url for part in parts for url in part.urls]
    assert sorted(urls) == sorted(paper.url for paper in site.papers)
    by_url = {paper.url: paper.day for paper in site.papers}
    spans = [(min(by_url[u] for u in part.urls), max(by_url[u] for u in part.urls)) for part in parts]
    for newer, older in itertools.pairwise(spans):
        assert older[1] < newer[0], "parts must be in date order, newest first, without overlap"
    assert all(
        day == by_url[url].isoformat()
        for part in parts
        for url, day in zip(part.urls, part.days, strict=True)
    )
    assert search_part_names(site, "split") == tuple(part.name for part in parts)
    assert search_part_names(site, "single") == ()


def test_a_search_document_is_the_indexed_element_with_the_page_url() -> None:
    page = (
        '<html lang="en"><body><nav>Menu</nav>'
        '<article class="paper" data-pagefind-body><h1>Title</h1>'
        "<article>nested</article><p>Text &lt;article&gt;</p></article>"
        "<footer>Footer</footer></body></html>"
    )
    document = search_document(page, "papers/x/", "de")
    assert "Menu" not in document and "Footer" not in document
    assert "<h1>Title</h1><article>nested</article><p>Text &lt;article&gt;</p>" in document
    assert document.count("</article>") == 2
    assert '<span data-pagefind-meta="url:papers/x/"></span></article></body>' in document
    assert '<html lang="de">' in document


def test_a_search_document_holds_formulas_as_their_plain_text() -> None:
    body = render_body("Costs $O(n \\log n)$ when $a<b$:\n\n$$\\sum_i x_i$$")
    page = f"<html><body><article data-pagefind-body>{body}</article></body></html>"
    document = search_document(page, "/p/", "en")
    assert "<math" not in document and "pagefind-ignore" not in document
    assert "Costs O(n log n) when a &lt; b:" in re.sub(r"</?span[^>]*>", "", document)  # nowrap spans aside
    assert '<div class="math-display" tabindex="0">∑ᵢ xᵢ</div>' in document


def test_chinese_and_japanese_text_is_indexed_a_character_a_word_but_what_results_show() -> None:
    """Pagefind splits these scripts into words only on pages in their languages; elsewhere a
    run was one word, found only from its start. Titles and names results show stay whole."""
    page = (
        '<html><body><article data-pagefind-body><h1 title="量子">量子纠缠，注意力 LLM</h1>'
        '<span data-pagefind-meta="title">量子纠缠</span><p>日本語 한국어 문장 使用GPT-4模型</p></article></body></html>'
    )
    document = search_document(page, "/p/", "en")
    assert '<h1 title="量子">量 子 纠 缠 ， 注 意 力 LLM</h1>' in document
    assert '<span data-pagefind-meta="title">量子纠缠</span>' in document
    assert "<p>日 本 語 한국어 문장 使 用 GPT-4 模 型</p>" in document  # Korean is written with spaces
    assert "量子纠缠，注意力" in search_document(page, "/p/", "zh-cn")  # Pagefind splits it


def test_a_page_without_an_indexed_element_is_indexed_whole() -> None:
    page = "<html><body><p>All of it</p></body></html>"
    assert search_document(page, "papers/y/", "en") == (
        '<html><body><p>All of it</p><span data-pagefind-meta="url:papers/y/"></span></body></html>'
    )


def test_an_unknown_search_index_setting_is_an_error(project: Project) -> None:
    (project.root / "site.yaml").write_text("search_index: yearly\n", encoding="utf-8")
    with pytest.raises(PapersError) as error:
        load_config(project.root)
    assert "`search_index` must be one of: auto, single, split" in str(error.value)


def entry_inodes(out: Path) -> dict[str, int]:
    """Each index folder's entry file: the same inode means the folder was linked, not remade."""
    return {
        entry.parent.name: entry.stat().st_ino for entry in (out / "pagefind").glob("*/pagefind-entry.json")
    }


def manifest(out: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((out / "pagefind" / MANIFEST).read_text(encoding="utf-8"))
    return loaded


def test_rebuilds_reindex_only_the_parts_whose_papers_changed(project: Project, tmp_path: Path) -> None:
    with (project.root / "site.yaml").open("a", encoding="utf-8") as config:
        config.write("search_index: split\n")
    old = project.paper("2024-06-01", "an-old-paper", body="About glaciers. " * 10)
    project.paper("2025-03-01", "a-new-paper", body="About rivers. " * 10)
    out = project.root / "public"
    build(project.root, out=out)
    first = entry_inodes(out)
    assert sorted(first) == ["2024", "2025-03"]

    project.paper("2025-03-02", "another-new-paper", body="About lakes. " * 10)
    build(project.root, out=out)
    second = entry_inodes(out)
    assert second["2024"] == first["2024"] and second["2025-03"] != first["2025-03"]

    old.write_text(old.read_text(encoding="utf-8").replace("glaciers", "icebergs"), encoding="utf-8")
    build(project.root, out=out)
    third = entry_inodes(out)
    assert third["2024"] != second["2024"] and third["2025-03"] == second["2025-03"]
    search_page = (out / "search/index.html").read_text(encoding="utf-8")
    assert 'data-parts="2025-03 2024"' in search_page
    assert manifest(out)["overlay"] == ""  # a build makes no overlay: its index is as a cold one
    cold = tmp_path / "cold"
    build(project.root, out=cold, use_cache=False)
    index = {path: data for path, data in tree_bytes(out).items() if path.startswith("pagefind/")}
    assert index == {path: data for path, data in tree_bytes(cold).items() if path.startswith("pagefind/")}


def split_project(project: Project, tmp_path: Path, split: bool = True) -> tuple[Path, Path, Preview]:
    """The dev server on an index split in two parts, 2024 and the latest month, 2025-03 (or
    on one index); an old paper of 2024 to change, and the served folder."""
    if split:
        with (project.root / "site.yaml").open("a", encoding="utf-8") as config:
            config.write("search_index: split\n")
    old = project.paper("2024-06-01", "an-old-paper", body="About glaciers. " * 10)
    project.paper("2024-07-01", "another-old-paper", body="About deserts. " * 10)
    project.paper("2025-03-01", "a-new-paper", body="About rivers. " * 10)
    out = tmp_path / "served"
    preview = Preview(project.root, out, base_url="http://127.0.0.1:8000/", search=True)
    rebuild(preview)
    return old, out, preview


def rebuild(preview: Preview) -> None:
    preview.rebuild()
    preview.index()


def test_a_changed_page_goes_to_the_overlay_and_its_part_is_kept(project: Project, tmp_path: Path) -> None:
    old, out, preview = split_project(project, tmp_path)
    first = entry_inodes(out)
    assert sorted(first) == ["2024", "2025-03"]
    assert manifest(out) == {
        "overlay": "",
        "hidden": [],
        "pages": {},
        "parts": {"2025-03": ["2025-03-01", "2025-03-01"], "2024": ["2024-06-01", "2024-07-01"]},
    }
    stale_id = page_ids(out / "pagefind" / "2024")["papers/an-old-paper/"]

    old.write_text(old.read_text(encoding="utf-8").replace("glaciers", "icebergs"), encoding="utf-8")
    rebuild(preview)
    second = entry_inodes(out)
    assert second["2024"] == first["2024"] and second["2025-03"] == first["2025-03"]
    overlay_ids = page_ids(out / "pagefind" / OVERLAY)
    assert list(overlay_ids) == ["papers/an-old-paper/"]
    written = manifest(out)
    assert written["overlay"] == OVERLAY and written["hidden"] == [stale_id]
    assert written["pages"] == {overlay_ids["papers/an-old-paper/"]: "2024-06-01"}
    fragment = next((out / "pagefind" / OVERLAY / "fragment").iterdir()).read_bytes()
    text = gzip.decompress(fragment).decode("utf-8")
    assert "icebergs" in text and "glaciers" not in text and '"part":["2024"]' in text

    config = project.root / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "description: Other words.\n", encoding="utf-8")
    rebuild(preview)  # every page again, every search document the same
    assert entry_inodes(out) == second and OVERLAY in second

    old.write_text(old.read_text(encoding="utf-8").replace("icebergs", "glaciers"), encoding="utf-8")
    rebuild(preview)  # back as its part holds it: no overlay
    assert entry_inodes(out) == first and manifest(out)["overlay"] == ""


def test_a_removed_page_is_hidden_and_an_added_one_overlaid(project: Project, tmp_path: Path) -> None:
    old, out, preview = split_project(project, tmp_path)
    stale_id = page_ids(out / "pagefind" / "2024")["papers/an-old-paper/"]
    old.unlink()
    project.paper("2025-03-02", "newest-paper", body="About lakes. " * 10)
    rebuild(preview)
    written = manifest(out)
    assert written["hidden"] == [stale_id]
    assert list(written["pages"].values()) == ["2025-03-02"]
    assert list(page_ids(out / "pagefind" / OVERLAY)) == ["papers/newest-paper/"]


def test_past_the_overlay_limit_a_part_is_indexed_again(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "OVERLAY_LIMIT", 1)
    old, out, preview = split_project(project, tmp_path)
    first = entry_inodes(out)
    project.paper("2025-03-02", "newest-paper", body="About lakes. " * 10)
    old.write_text(old.read_text(encoding="utf-8").replace("glaciers", "icebergs"), encoding="utf-8")
    rebuild(preview)
    second = entry_inodes(out)
    # The newest part is met first and fills the overlay; the older one is indexed again.
    assert second["2025-03"] == first["2025-03"] and second["2024"] != first["2024"]
    assert list(page_ids(out / "pagefind" / OVERLAY)) == ["papers/newest-paper/"]
    assert manifest(out)["hidden"] == []


def test_one_index_has_an_overlay_in_the_dev_server_only(project: Project, tmp_path: Path) -> None:
    old, out, preview = split_project(project, tmp_path, split=False)
    entry = (out / "pagefind/pagefind-entry.json").stat().st_ino
    old.write_text(old.read_text(encoding="utf-8").replace("glaciers", "icebergs"), encoding="utf-8")
    rebuild(preview)
    assert (out / "pagefind/pagefind-entry.json").stat().st_ino == entry
    assert list(page_ids(out / "pagefind" / OVERLAY)) == ["papers/an-old-paper/"]
    assert manifest(out)["parts"] == {"": ["2024-06-01", "2025-03-01"]}
    assert " data-overlay " in (out / "search/index.html").read_text(encoding="utf-8")

    built = project.root / "public"
    build(project.root, out=built)
    assert not (built / "pagefind" / MANIFEST).exists() and not (built / "pagefind" / OVERLAY).exists()
    assert "data-overlay" not in (built / "search/index.html").read_text(encoding="utf-8")


def test_a_lost_overlay_folder_is_made_again(project: Project, tmp_path: Path) -> None:
    old, out, preview = split_project(project, tmp_path)
    old.write_text(old.read_text(encoding="utf-8").replace("glaciers", "icebergs"), encoding="utf-8")
    rebuild(preview)
    overlay = out / "pagefind" / OVERLAY
    shutil.rmtree(overlay)
    project.paper("2025-03-02", "newest-paper", body="About lakes. " * 10)
    rebuild(preview)
    assert sorted(page_ids(overlay)) == ["papers/an-old-paper/", "papers/newest-paper/"]


def test_a_title_that_mentions_the_marker_does_not_fool_the_extraction() -> None:
    page = (
        '<html><head><meta property="og:title" content="On data-pagefind-body tricks"></head>'
        "<body><p>Text about data-pagefind-body.</p>"
        '<article class="paper" data-pagefind-body><h1>On data-pagefind-body tricks</h1></article></body></html>'
    )
    document = search_document(page, "papers/z/", "en")
    assert document.startswith(
        '<!doctype html><html lang="en"><meta charset="utf-8"><body><article class="paper"'
    )
    assert "og:title" not in document and "Text about" not in document


def test_a_site_without_papers_builds_with_search(project: Project) -> None:
    out = project.root / "public"
    build(project.root, out=out)
    assert not (out / "pagefind").exists()
    assert 'data-bundle=""' in (out / "search/index.html").read_text(encoding="utf-8")


def test_a_changed_related_list_does_not_reindex_its_part(project: Project) -> None:
    """Related papers and the pager sit outside the indexed element: a page can change while
    its search document, and so its part, stays the same."""
    with (project.root / "site.yaml").open("a", encoding="utf-8") as config:
        config.write("search_index: split\n")
    text = "Glaciers calve icebergs; we model calving fronts of tidewater glaciers with radar. " * 4
    project.paper("2024-06-01", "old-glaciers", body=text)
    project.paper("2025-03-01", "unrelated", body="Transformers for protein folding at scale. " * 4)
    out = project.root / "public"
    build(project.root, out=out)
    before = entry_inodes(out)
    old_page = (out / "papers/old-glaciers/index.html").read_text(encoding="utf-8")
    project.paper("2025-03-02", "new-glaciers", body=text.replace("radar", "lidar"))
    build(project.root, out=out)
    new_page = (out / "papers/old-glaciers/index.html").read_text(encoding="utf-8")
    assert new_page != old_page and "papers/new-glaciers/" in new_page
    after = entry_inodes(out)
    assert after["2024"] == before["2024"] and after["2025-03"] != before["2025-03"]


def test_the_dev_server_updates_its_index_in_place(project: Project, tmp_path: Path) -> None:
    """A later index changes only what differs: a new month's part is made, the part it
    replaces is removed, the kept one stays, and no leftovers remain."""
    _, out, preview = split_project(project, tmp_path)
    first = entry_inodes(out)
    project.paper("2025-04-02", "next-month", body="About lakes. " * 10)
    rebuild(preview)
    second = entry_inodes(out)
    assert sorted(second) == ["2024", "2025", "2025-04"]  # the new month, and March joins 2025
    assert second["2024"] == first["2024"]
    assert not [path.name for path in (out / "pagefind").iterdir() if path.name.startswith(".")]
    assert manifest(out)["parts"]["2025"] == ["2025-03-01", "2025-03-01"]


def test_a_dev_server_index_split_anew_leaves_nothing_of_the_old(project: Project, tmp_path: Path) -> None:
    old, out, preview = split_project(project, tmp_path, split=False)
    assert (out / "pagefind/pagefind.js").is_file()
    with (project.root / "site.yaml").open("a", encoding="utf-8") as config:
        config.write("search_index: split\n")
    old.write_text(old.read_text(encoding="utf-8").replace("glaciers", "icebergs"), encoding="utf-8")
    rebuild(preview)
    assert sorted(path.name for path in (out / "pagefind").iterdir()) == ["2024", "2025-03", MANIFEST]
    assert manifest(out)["overlay"] == ""


def _three_parts(project: Project) -> None:
    """A split index of three parts: 2025-03 (one paper), 2024 (two) and 2023 (three)."""
    with (project.root / "site.yaml").open("a", encoding="utf-8") as config:
        config.write("search_index: split\n")
    for day, slug in [
        ("2023-02-01", "a"),
        ("2023-05-01", "b"),
        ("2023-09-01", "c"),
        ("2024-01-01", "d"),
        ("2024-07-01", "e"),
        ("2025-03-01", "f"),
    ]:
        project.paper(day, f"paper-{slug}", body=f"About {slug} and rivers. " * 5)


def _runs_at_once(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many Pagefind runs were going each time one started."""
    going: list[object] = []
    counts: list[int] = []
    start, wait = search._start, search._Run.wait

    def started(*args: Any, **kwargs: Any) -> search._Run:
        run = start(*args, **kwargs)
        going.append(run)
        counts.append(len(going))
        return run

    def waited(run: search._Run, ids: bool) -> search.IndexedPart:
        going.remove(run)
        return wait(run, ids)

    monkeypatch.setattr(search, "_start", started)
    monkeypatch.setattr(search._Run, "wait", waited)
    return counts


def test_parts_are_indexed_at_once_within_the_page_budget(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pagefind's memory grows with its pages: parts run at once while their pages stay
    within the largest part's (or `PAGES_AT_ONCE`), and the index is the same either way."""
    _three_parts(project)
    counts = _runs_at_once(monkeypatch)
    build(project.root, out=tmp_path / "together", use_cache=False)
    assert counts == [1, 2, 3]  # 6 pages: within PAGES_AT_ONCE

    counts.clear()
    monkeypatch.setattr(search, "PAGES_AT_ONCE", 0)  # the budget is now the largest part: 3 pages
    build(project.root, out=tmp_path / "budget", use_cache=False)
    assert counts == [1, 2, 1]  # 2025-03 (1 page) and 2024 (2) together, then 2023 (3) alone

    def index(out: Path) -> dict[str, bytes]:
        return {path: data for path, data in tree_bytes(out).items() if path.startswith("pagefind/")}

    assert index(tmp_path / "together") == index(tmp_path / "budget")
    assert sorted(entry_inodes(tmp_path / "budget")) == ["2023", "2024", "2025-03"]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_cold_build_starts_indexing_once_every_paper_page_is_written(
    sample_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """Pagefind then runs while the other pages (tags, archive, weeks) are still being made."""
    from generator import build as build_module

    seen: list[tuple[bool, bool, bool]] = []
    start = search.start_indexing

    def spied(
        site_dir: Path, parts: list[search.SearchPart], language: str, early: search.EarlyDocuments
    ) -> search.Indexing:
        urls = [url for part in parts for url in part.urls]
        papers = all((site_dir / url / "index.html").is_file() for url in urls)
        documents = sorted(early.digests) == sorted(urls)  # written with the pages, by the workers
        seen.append((papers, documents, (site_dir / "sitemap.xml").exists()))
        return start(site_dir, parts, language, early)

    monkeypatch.setattr(build_module, "start_indexing", spied)
    build(sample_project.root, out=tmp_path / "public", use_cache=False, workers=workers)
    assert seen == [(True, True, False)]  # every paper page, but not yet the sitemap (made last)
    assert (tmp_path / "public" / "pagefind" / "pagefind-entry.json").is_file()
    cold = build(sample_project.root, out=tmp_path / "alone", use_cache=False, workers=1, search=False)
    search.index_site(cold.out, search.search_parts(read_site(sample_project.root).site))
    assert tree_bytes(tmp_path / "public") == tree_bytes(tmp_path / "alone")  # as indexed afterwards


def test_a_build_failing_while_pagefind_runs_stops_it_and_leaves_nothing(
    sample_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[search._Run] = []
    start = search._start

    def started(*args: Any, **kwargs: Any) -> search._Run:
        runs.append(start(*args, **kwargs))
        return runs[-1]

    monkeypatch.setattr(search, "_start", started)
    sample_project.write(  # tag pages are made after the papers' own: indexing has started
        "layouts/tag.html", "{% extends 'base.html' %}{% block main %}{{ nope() }}{% endblock %}"
    )
    with pytest.raises(PapersError, match=r"layouts/tag\.html"):
        build(sample_project.root, out=tmp_path / "public", use_cache=False, workers=2)
    assert runs and all(run.process.poll() is not None for run in runs)
    assert not (tmp_path / "public").exists()
    assert beside(tmp_path) == ["site"]  # no staging, no search documents


def test_an_overlay_over_a_build_s_index_hides_what_it_replaces(project: Project, tmp_path: Path) -> None:
    """A build does not read Pagefind's page ids; an overlay over its parts reads them then."""
    _three_parts(project)
    out, kept = project.root / "public", tmp_path / "kept"
    build(project.root, out=out, search=False, use_cache=False)
    parts = search_parts(read_site(project.root).site, "split")
    first = search.index_site(out, parts)
    assert all(not indexed.ids for indexed in first.indexed.values())
    shutil.copytree(out / "pagefind", kept)
    removed = page_ids(kept / "2023")["papers/paper-a/"]
    (project.root / "content/2023/2023-02-01/paper-a.md").unlink()
    build(project.root, out=out, search=False, use_cache=False)
    parts = search_parts(read_site(project.root).site, "split")
    search.index_site(out, parts, previous=(kept, first), changed=["papers/paper-b/"], overlay=True)
    assert manifest(out)["hidden"] == [removed]


def test_a_large_site_indexes_once_its_workers_are_done(
    sample_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past `INDEX_WHILE_RENDERING` papers the workers' memory and Pagefind's would add up:
    indexing waits, and the index is the same."""
    from generator import build as build_module

    started: list[object] = []
    monkeypatch.setattr(build_module, "start_indexing", lambda *args: started.append(args))
    monkeypatch.setattr(build_module, "INDEX_WHILE_RENDERING", 1)
    build(sample_project.root, out=tmp_path / "late", use_cache=False, workers=2)
    assert started == []
    monkeypatch.undo()
    build(sample_project.root, out=tmp_path / "early", use_cache=False, workers=2)
    assert tree_bytes(tmp_path / "late") == tree_bytes(tmp_path / "early")


def test_a_failing_pagefind_is_one_clear_error_with_what_it_said(
    sample_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\necho 'Error: the disk is on fire' >&2\nexit 3\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(search, "pagefind_executable", lambda: fake)
    with pytest.raises(PapersError, match="the disk is on fire"):
        build(sample_project.root, out=tmp_path / "public", use_cache=False)
    assert not (tmp_path / "public").exists()
    assert beside(tmp_path) == ["pagefind", "site"]


def test_pagefind_is_killed_with_a_killed_build(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build killed outright (SIGKILL, out of memory) must not leave Pagefind writing on."""
    from generator import forking

    started: list[object] = []
    popen = subprocess.Popen

    def recording(*args: Any, **kwargs: Any) -> Any:
        command = args[0] if args else kwargs["args"]
        if "pagefind" in Path(str(command[0])).name:  # not `git ls-files`, say
            started.append(kwargs.get("preexec_fn"))
        return popen(*args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", recording)  # the module search.py starts Pagefind with
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # as in a build (tests may leave threads)
    project.paper("2025-03-17", "a-paper")
    build(project.root, out=tmp_path / "out")
    assert started == [forking.killed_with_parent]
