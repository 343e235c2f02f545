"""The build cache: warm builds redo only what changed, and always equal a cold build."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import jinja2.bccache
import pytest

from generator import build as build_module
from generator import buildcache, forking, related, render, views
from generator import content as content_module
from generator.build import build
from generator.buildcache import load_cache
from generator.kept import read_kept
from generator.load import stamp_content, walk_content_names
from generator.related_index import KeptIndex, RelatedIndex
from generator.summary import CACHE_DIR, cache_path, fingerprint
from generator.write import spare_dir
from tests.conftest import Project, record_calls
from tests.sitecheck import tree_bytes


def cold(project: Project, tmp_path: Path, name: str) -> dict[str, bytes]:
    out = tmp_path / name
    build(project.root, out=out, search=False, use_cache=False)
    return tree_bytes(out)


def test_nothing_changed_is_up_to_date(sample_project: Project, tmp_path: Path) -> None:
    out = tmp_path / "public"
    first = build(sample_project.root, out=out, search=False)
    again = build(sample_project.root, out=out, search=False)
    assert not first.up_to_date and first.rendered == first.pages
    assert again.up_to_date


def test_one_edit_renders_a_few_pages_and_equals_a_cold_build(
    sample_project: Project, tmp_path: Path
) -> None:
    out = tmp_path / "public"
    build(sample_project.root, out=out, search=False)
    path = sample_project.root / "content/2025/2025-03-16/an-older-paper.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nA new sentence.\n", encoding="utf-8")
    warm = build(sample_project.root, out=out, search=False)
    assert 0 < warm.rendered < warm.pages // 2
    assert tree_bytes(out) == cold(sample_project, tmp_path, "cold")


def test_added_deleted_and_template_changes_equal_a_cold_build(
    sample_project: Project, tmp_path: Path
) -> None:
    out = tmp_path / "public"
    build(sample_project.root, out=out, search=False)
    sample_project.paper("2025-03-18", "a-brand-new-paper", "tags: [diffusion]")
    (sample_project.root / "content/2024/2024-12-31/last-year-paper.md").unlink()
    build(sample_project.root, out=out, search=False)
    assert tree_bytes(out) == cold(sample_project, tmp_path, "cold-1")
    layout = sample_project.root / "layouts/paper.html"
    layout.write_text(layout.read_text(encoding="utf-8").replace("Abstract", "Summary"), encoding="utf-8")
    build(sample_project.root, out=out, search=False)
    assert "Summary" in (out / "papers/an-older-paper/index.html").read_text(encoding="utf-8")
    assert tree_bytes(out) == cold(sample_project, tmp_path, "cold-2")


def test_the_first_upvote_of_a_period_reorders_its_other_pages_too(project: Project, tmp_path: Path) -> None:
    """A week ranks by upvotes once any of its papers has some: a page whose own papers did
    not change still changes its order and its words."""
    with (project.root / "site.yaml").open("a", encoding="utf-8") as file:
        file.write("page_size: 1\n")
    project.paper("2025-03-17", "monday-paper")
    path = project.paper("2025-03-18", "tuesday-paper")
    out = tmp_path / "public"
    build(project.root, out=out, search=False)
    path.write_text(
        path.read_text(encoding="utf-8").replace("---\n", "---\nupvotes: 5\n", 1), encoding="utf-8"
    )
    build(project.root, out=out, search=False)
    assert tree_bytes(out) == cold(project, tmp_path, "cold")


def test_a_day_growing_past_its_page_and_back_equals_a_cold_build(project: Project, tmp_path: Path) -> None:
    """A day's second page appears with its third paper and goes with it, as in a cold build."""
    with (project.root / "site.yaml").open("a", encoding="utf-8") as file:
        file.write("day_page_size: 2\n")
    project.paper("2025-03-17", "first-paper")
    project.paper("2025-03-17", "second-paper")
    out = tmp_path / "public"
    build(project.root, out=out, search=False)
    third = project.paper("2025-03-17", "third-paper")
    build(project.root, out=out, search=False)
    assert (out / "days/2025-03-17/page/2/index.html").is_file()
    assert tree_bytes(out) == cold(project, tmp_path, "cold-1")
    third.unlink()
    build(project.root, out=out, search=False)
    assert not (out / "days/2025-03-17/page/2").exists()
    assert tree_bytes(out) == cold(project, tmp_path, "cold-2")


def test_a_corrupt_cache_means_a_full_build(sample_project: Project, tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(sample_project.root, out=out, search=False)
    kept = [path for path in (sample_project.root / CACHE_DIR).rglob("*") if path.is_file()]
    assert {path.parent.name for path in kept} == {"papers", "templates"}  # compiled templates too
    for cache in kept:
        cache.write_bytes(b"not a pickle")
    result = build(sample_project.root, out=out, search=False)
    assert result.rendered == result.pages
    assert tree_bytes(out) == cold(sample_project, tmp_path, "cold")


def test_an_output_changed_by_hand_is_rebuilt_in_full(sample_project: Project, tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(sample_project.root, out=out, search=False)
    other = tmp_path / "elsewhere"
    out.rename(other)
    build(sample_project.root, out=other, search=False, use_cache=False)
    other.rename(out)  # a different folder now sits at `out`
    result = build(sample_project.root, out=out, search=False)
    assert not result.up_to_date
    assert result.rendered == result.pages


def test_search_index_is_rebuilt_only_when_paper_pages_change(
    sample_project: Project, tmp_path: Path
) -> None:
    out = tmp_path / "public"
    build(sample_project.root, out=out)
    entry = out / "pagefind/pagefind-entry.json"
    first = entry.stat().st_ino
    tags = sample_project.root / "content/tags.yaml"
    tags.write_text(
        tags.read_text(encoding="utf-8").replace("Agents that learn", "Agents learning"), encoding="utf-8"
    )
    build(sample_project.root, out=out)  # only the tag page's description changed
    assert entry.stat().st_ino == first
    path = sample_project.root / "content/2025/2025-03-16/an-older-paper.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Grace Hopper", "Grace B. Hopper"), encoding="utf-8"
    )
    build(sample_project.root, out=out)
    assert entry.stat().st_ino != first
    assert "Grace B. Hopper" in (out / "papers/an-older-paper/index.html").read_text(encoding="utf-8")


@pytest.fixture
def related_computations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One item for each time a build computes related papers in full."""
    import generator.buildcache as buildcache

    return record_calls(monkeypatch, buildcache, "start_related_papers", lambda *args, **kwargs: 1)


def test_related_papers_are_reused_while_titles_and_abstracts_stay(
    sample_project: Project, tmp_path: Path, related_computations: list[int]
) -> None:
    out = tmp_path / "public"
    build(sample_project.root, out=out, search=False)
    calls = related_computations
    calls.clear()  # the first build computed them
    path = sample_project.root / "content/2025/2025-03-17/second-paper-of-the-day.md"
    path.write_text(path.read_text(encoding="utf-8").replace("upvotes: 3", "upvotes: 4"), encoding="utf-8")
    build(sample_project.root, out=out, search=False)
    assert calls == []
    path.write_text(path.read_text(encoding="utf-8") + "\nNew words about attention.\n", encoding="utf-8")
    build(sample_project.root, out=out, search=False)
    assert calls == [1]
    assert tree_bytes(out) == cold(sample_project, tmp_path, "cold")


def tree_and_folders(out: Path) -> tuple[dict[str, bytes], list[str]]:
    """Files with their bytes, and every folder (so an emptied folder left behind shows)."""
    folders = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_dir())
    return tree_bytes(out), folders


@pytest.mark.parametrize("records", [False, True], ids=["cache written whole", "cache as records"])
@pytest.mark.parametrize("seed", range(4))
def test_builds_from_the_spare_site_equal_cold_builds(
    sample_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int, records: bool
) -> None:
    """Each build stages by bringing the site before last up to date: whatever changes in
    between (edits, new and deleted papers, moves, tags, layouts, assets), the result is the
    cold build, with no file or folder too many; and the cache reads back as it was saved,
    whether written whole or as records of changes."""
    if records:
        monkeypatch.setattr(buildcache, "LARGE_CHANGE", 100.0)
        monkeypatch.setattr(buildcache, "RECORDS_SHARE", 100.0)
    saved = record_calls(monkeypatch, build_module, "save_cache", lambda root, out, cache: cache)
    rng = random.Random(seed)
    root, out = sample_project.root, tmp_path / "public"
    spare = spare_dir(out)
    made: list[Path] = []

    def edit() -> None:
        path = rng.choice(sorted((root / "content").rglob("*.md")))
        path.write_text(path.read_text(encoding="utf-8") + f"\nMore text {rng.random()}.\n", encoding="utf-8")

    def add() -> None:
        day = f"2025-03-{rng.randint(10, 20)}"
        made.append(
            sample_project.paper(day, f"new-{len(made)}-{seed}", f"tags: [{rng.choice(['llm', 'robotics'])}]")
        )

    def delete() -> None:
        papers = sorted((root / "content").rglob("*.md"))
        if len(papers) > 2:
            rng.choice(papers).unlink()

    def move() -> None:
        path = rng.choice(sorted((root / "content").rglob("*.md")))
        target = root / "content/2025/2025-03-21" / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        path.rename(target)

    def retag() -> None:
        path = rng.choice(sorted((root / "content").rglob("*.md")))
        text = path.read_text(encoding="utf-8")
        path.write_text(
            text.replace("---\ntitle:", "---\ntags: [diffusion]\ntitle:", 1)
            if "tags:" not in text
            else text.replace("llm", "robotics"),
            encoding="utf-8",
        )

    def layout() -> None:
        path = root / "layouts/day.html"
        path.write_text(path.read_text(encoding="utf-8") + f"\n{{# {rng.random()} #}}\n", encoding="utf-8")

    def asset() -> None:
        path = root / "layouts/assets/style.css"
        path.write_text(path.read_text(encoding="utf-8") + f"\n/* {rng.random()} */\n", encoding="utf-8")

    build(root, out=out, search=False)
    for step in range(8):
        change = rng.choice([edit, edit, add, delete, move, retag, layout, asset])
        change()
        build(root, out=out, search=False)
        assert spare.is_dir(), "the replaced site is kept for the next build"
        assert tree_and_folders(out) == tree_and_folders(_cold_out(sample_project, tmp_path, step)), (
            f"step {step}: {change.__name__}"
        )
        assert load_cache(root, out) == saved[-1], f"step {step}: {change.__name__}"
    kept = read_kept(cache_path(root, out), fingerprint())
    assert kept is not None and (len(kept[1]) > 0) == records


def _cold_out(project: Project, tmp_path: Path, step: int) -> Path:
    out = tmp_path / f"cold-{step}"
    build(project.root, out=out, search=False, use_cache=False)
    return out


def test_a_page_changed_and_changed_back_is_right(sample_project: Project, tmp_path: Path) -> None:
    """The spare shares unchanged files with the published site (hard links): a new page must
    replace such a file, never write into it, or the site kept as the spare changes too."""
    root, out = sample_project.root, tmp_path / "public"
    paper = root / "content/2025/2025-03-16/an-older-paper.md"
    other = root / "content/2024/2024-12-31/last-year-paper.md"
    original = paper.read_text(encoding="utf-8")
    build(root, out=out, search=False)
    other.write_text(other.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    build(root, out=out, search=False)
    published = (out / "papers/an-older-paper/index.html").read_bytes()
    paper.write_text(original + "\nA passing change.\n", encoding="utf-8")
    build(root, out=out, search=False)
    assert (spare_dir(out) / "papers/an-older-paper/index.html").read_bytes() == published
    paper.write_text(original, encoding="utf-8")
    build(root, out=out, search=False)
    assert tree_and_folders(out) == tree_and_folders(_cold_out(sample_project, tmp_path, 0))


def test_files_put_into_the_published_site_do_not_come_back(sample_project: Project, tmp_path: Path) -> None:
    """Something written into public/ by hand (a compressed copy, a CNAME) is not part of the
    build: when that folder later serves as the spare, it is cleared of such files."""
    root, out = sample_project.root, tmp_path / "public"
    build(root, out=out, search=False)
    sample_project.paper("2025-03-18", "one-more", "tags: [llm]")
    build(root, out=out, search=False)
    (out / "CNAME").write_text("papers.example.org\n", encoding="utf-8")
    (out / "papers/an-older-paper/index.html.gz").write_bytes(b"stale")
    (out / "extra/deep").mkdir(parents=True)
    (out / "extra/deep/file.txt").write_text("x", encoding="utf-8")
    for number in range(2):  # the first makes that folder the spare, the second builds from it
        sample_project.paper("2025-03-18", f"and-another-{number}", "tags: [llm]")
        build(root, out=out, search=False)
    assert tree_and_folders(out) == tree_and_folders(_cold_out(sample_project, tmp_path, 0))


def test_a_page_deleted_from_the_published_site_is_made_again(
    sample_project: Project, tmp_path: Path
) -> None:
    """Unchanged pages are linked from the published site: one someone deleted cannot be,
    so the build starts again without that site, and makes it whole."""
    root, out = sample_project.root, tmp_path / "public"
    build(root, out=out, search=False)
    (out / "papers/an-older-paper/index.html").unlink()
    sample_project.paper("2025-03-18", "one-more", "tags: [llm]")
    result = build(root, out=out, search=False)
    assert result.rendered == result.pages
    assert tree_and_folders(out) == tree_and_folders(_cold_out(sample_project, tmp_path, 0))


def test_a_page_deleted_from_the_site_kept_as_spare_is_written_again(
    sample_project: Project, tmp_path: Path
) -> None:
    """A page deleted from the published site, which later stages a build as the spare,
    is written again even when its key says the spare holds it as it should be."""
    root, out = sample_project.root, tmp_path / "public"
    paper = root / "content/2025/2025-03-16/an-older-paper.md"
    original = paper.read_text(encoding="utf-8")
    build(root, out=out, search=False)
    paper.write_text(original + "\nA passing change.\n", encoding="utf-8")
    build(root, out=out, search=False)
    (out / "papers/an-older-paper/index.html").unlink()  # this site becomes the spare
    paper.write_text(original, encoding="utf-8")
    build(root, out=out, search=False)  # makes that page: it changed back
    paper.write_text(original + "\nA passing change.\n", encoding="utf-8")
    build(root, out=out, search=False)  # stages in the spare, which lacks that page
    assert tree_and_folders(out) == tree_and_folders(_cold_out(sample_project, tmp_path, 0))


def test_related_papers_are_reused_while_the_terms_stay(
    sample_project: Project, tmp_path: Path, related_computations: list[int]
) -> None:
    """A fix that changes no word (TeX, case, punctuation, emphasis) keeps every list."""
    out = tmp_path / "public"
    path = sample_project.root / "content/2025/2025-03-16/an-older-paper.md"
    path.write_text(
        path.read_text(encoding="utf-8") + "\nWe study sparse attention, $x$.\n", encoding="utf-8"
    )
    build(sample_project.root, out=out, search=False)
    calls = related_computations
    calls.clear()  # the first build computed them
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("We study sparse attention, $x$.", "We *study* Sparse attention; $y$!"), encoding="utf-8"
    )
    build(sample_project.root, out=out, search=False)
    assert calls == []
    assert tree_bytes(out) == cold(sample_project, tmp_path, "cold-1")
    calls.clear()  # the cold build computed them
    path.write_text(text.replace("sparse attention", "dense attention"), encoding="utf-8")
    build(sample_project.root, out=out, search=False)
    assert calls == [1]
    assert tree_bytes(out) == cold(sample_project, tmp_path, "cold-2")


def test_lists_brought_up_to_date_in_a_child_equal_a_cold_build(
    sample_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large sites bring the lists up to date in a child, which sends back only the lists
    and digests that differ from the last build's."""
    monkeypatch.setattr(related, "MIN_PAPERS_PER_WORKER", 1)
    out = tmp_path / "public"
    build(sample_project.root, out=out, search=False)
    path = sample_project.root / "content/2025/2025-03-16/an-older-paper.md"
    text = path.read_text(encoding="utf-8")
    for number, words in enumerate(["Dense attention for robots.", "Diffusion models of language."]):
        path.write_text(f"{text}\n{words}\n", encoding="utf-8")
        build(sample_project.root, out=out, search=False)
        assert tree_bytes(out) == cold(sample_project, tmp_path, f"cold-{number}")


def test_the_child_forked_before_the_cache_is_read_stays_in_step(
    sample_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large sites fork the related child before the cache is read; it then needs only the
    papers whose texts changed, as long as its index is the one the last build left. Edits
    that change no word keep the index in step too, so no build here computes in full."""
    monkeypatch.setattr(related, "MIN_PAPERS_PER_WORKER", 1)
    for module in (related, forking):  # a process with threads (a browser test's) forks no child
        monkeypatch.setattr(module, "can_fork", lambda: True)
    root, out = sample_project.root, tmp_path / "public"
    build(root, out=out, search=False)
    in_full = record_calls(monkeypatch, related, "start_related_papers", _with_an_index)
    updates = record_calls(monkeypatch, related.EarlyRelated, "update", lambda *args, **kwargs: 1)
    path = root / "content/2025/2025-03-16/an-older-paper.md"
    text = path.read_text(encoding="utf-8")
    steps: list[Callable[[], object]] = [
        lambda: path.write_text(f"{text}\nDense attention for robots.\n", encoding="utf-8"),
        lambda: path.write_text(f"{text}\nDense *attention* for Robots!\n", encoding="utf-8"),  # no new word
        lambda: path.write_text(f"{text}\nDiffusion models of language.\n", encoding="utf-8"),
        lambda: sample_project.paper("2025-03-18", "a-brand-new-paper", "tags: [diffusion]"),
        lambda: (root / "content/2024/2024-12-31/last-year-paper.md").unlink(),
    ]
    for number, step in enumerate(steps):
        step()
        build(root, out=out, search=False)
        assert tree_bytes(out) == cold(sample_project, tmp_path, f"cold-{number}")
    assert len(updates) == 4
    assert True not in in_full


def test_a_child_out_of_step_with_the_cache_leaves_the_lists_to_a_full_update(
    sample_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Builds to two folders share the index: after one of them moved it on, the other's
    cache holds older lists than the index, and its child cannot use what it was sent."""
    monkeypatch.setattr(related, "MIN_PAPERS_PER_WORKER", 1)
    for module in (related, forking):
        monkeypatch.setattr(module, "can_fork", lambda: True)
    root = sample_project.root
    build(root, out=tmp_path / "one", search=False)
    build(root, out=tmp_path / "two", search=False)
    path = root / "content/2025/2025-03-16/an-older-paper.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nDense attention for robots.\n", encoding="utf-8")
    build(root, out=tmp_path / "one", search=False)
    in_full = record_calls(monkeypatch, related, "start_related_papers", _with_an_index)
    sent = record_calls(monkeypatch, related.EarlyRelated, "update", lambda *args, **kwargs: 1)
    path.write_text(path.read_text(encoding="utf-8") + "\nDiffusion models of language.\n", encoding="utf-8")
    build(root, out=tmp_path / "two", search=False)
    assert sent == [1] and in_full == [True]  # the child was sent the change, and could not use it
    assert tree_bytes(tmp_path / "two") == cold(sample_project, tmp_path, "cold")


def _with_an_index(*args: object, kept: KeptIndex | None = None, **kwargs: object) -> bool:
    """Whether a computation of related papers is one of a build with a cache (a cold
    build's is not): positional `kept` is the fourth argument."""
    return kept is not None or (len(args) > 3 and args[3] is not None)


def test_a_child_sends_back_only_what_differs() -> None:
    computed = ([("b",), ("a", "c"), ()], [b"1", b"2", b"3"])
    before = {"a": (("b",), b"1"), "b": (("a",), b"2"), "d": ((), b"4")}
    assert related._differing(["a", "b", "c"], computed, before) == {"b": (("a", "c"), b"2"), "c": ((), b"3")}


@pytest.fixture
def papers_counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The slug of every paper whose terms a build counts (small sites count in-process)."""
    return record_calls(monkeypatch, related, "counted_terms", lambda paper: paper.slug)


def test_term_counts_are_kept_so_an_edit_counts_one_paper(
    sample_project: Project, tmp_path: Path, papers_counted: list[str]
) -> None:
    out = tmp_path / "public"
    build(sample_project.root, out=out, search=False)
    assert len(papers_counted) == 4
    papers_counted.clear()
    path = sample_project.root / "content/2025/2025-03-16/an-older-paper.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nNew words about attention.\n", encoding="utf-8")
    build(sample_project.root, out=out, search=False)
    assert papers_counted == ["an-older-paper"]
    assert tree_bytes(out) == cold(sample_project, tmp_path, "cold")


@pytest.mark.parametrize("garbage", [b"", b"not a pickle", b"\x80\x05K\x01."])
def test_unreadable_kept_counts_are_counted_again(
    sample_project: Project, tmp_path: Path, papers_counted: list[str], garbage: bytes
) -> None:
    out = tmp_path / "public"
    build(sample_project.root, out=out, search=False)
    kept = sample_project.root / CACHE_DIR / "related-index.pickle"
    assert kept.is_file()
    kept.write_bytes(garbage)
    path = sample_project.root / "content/2025/2025-03-16/an-older-paper.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nNew words about diffusion.\n", encoding="utf-8")
    papers_counted.clear()
    build(sample_project.root, out=out, search=False)
    assert sorted(papers_counted) == sorted(
        ["2503.11111", "second-paper-of-the-day", "an-older-paper", "last-year-paper"]
    )
    assert tree_bytes(out) == cold(sample_project, tmp_path, "cold")


def _without_counts(index: RelatedIndex) -> None:
    index.counted.packed.clear()


def _with_a_paper_that_is_gone(index: RelatedIndex) -> None:
    index.vectors["a-paper-that-is-gone"] = {"attention": 1.0}
    index.lists["a-paper-that-is-gone"] = ()


def _without_a_list(index: RelatedIndex) -> None:
    del index.lists["last-year-paper"]  # not edited below: it would not be scored again


@pytest.mark.parametrize("early", [False, True], ids=["in-process", "early-child"])
@pytest.mark.parametrize("spoil", [_without_counts, _with_a_paper_that_is_gone, _without_a_list])
def test_a_kept_index_that_does_not_hold_together_is_made_again(
    sample_project: Project,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    spoil: Callable[[RelatedIndex], None],
    early: bool,
) -> None:
    """Of the right version but inconsistent: the lists are computed from nothing, not from it."""
    if early:  # as on a large site: the child forked before the cache is read
        monkeypatch.setattr(related, "MIN_PAPERS_PER_WORKER", 1)
        for module in (related, forking):
            monkeypatch.setattr(module, "can_fork", lambda: True)
    out = tmp_path / "public"
    build(sample_project.root, out=out, search=False)
    kept = KeptIndex(sample_project.root / CACHE_DIR / "related-index.pickle", fingerprint())
    index = kept.load()
    assert index.texts, "the build kept its index"
    spoil(index)
    kept.save(index)
    path = sample_project.root / "content/2025/2025-03-16/an-older-paper.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nNew words about diffusion.\n", encoding="utf-8")
    build(sample_project.root, out=out, search=False)
    assert tree_bytes(out) == cold(sample_project, tmp_path, "cold")
    assert kept.load().lists.keys() == kept.load().vectors.keys() == kept.load().texts.keys()


def test_an_index_kept_by_other_code_is_not_used(tmp_path: Path) -> None:
    index = RelatedIndex("one version")
    index.counted.add(b"text", (dict(related.term_counts("A title", "Words")), b"digest"))
    KeptIndex(tmp_path / "index.pickle", "one version").save(index)
    assert KeptIndex(tmp_path / "index.pickle", "one version").load() == index
    assert KeptIndex(tmp_path / "index.pickle", "another version").load() == RelatedIndex("another version")


@pytest.mark.parametrize("workers", [1, 2])  # with two, the workers' values reach the cache
def test_what_lists_show_of_unchanged_papers_is_kept_so_an_edit_renders_one_abstract(
    sample_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """A day page shows every paper of its day: their titles and excerpts come from the
    cache, so the edited paper's abstract is the only one rendered again (the edit changes
    no term, so no other paper's page changes, and feeds, which show whole abstracts, hold
    only the newest paper)."""
    config = sample_project.root / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "feed_size: 1\n", encoding="utf-8")
    out = tmp_path / "public"
    build(sample_project.root, out=out, search=False, workers=workers)
    rendered = record_calls(monkeypatch, views, "render_body_and_text", lambda body: body)
    path = sample_project.root / "content/2025/2025-03-16/an-older-paper.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nWe *study* $y$.\n", encoding="utf-8")
    result = build(sample_project.root, out=out, search=False)
    assert result.rendered > 1  # the day page too, with every paper of the day on it
    assert len(rendered) == 1 and rendered[0].endswith("We *study* $y$.")
    monkeypatch.undo()
    assert tree_bytes(out) == cold(sample_project, tmp_path, "cold")


def test_compiled_templates_that_cannot_be_read_or_written_are_compiled_again(
    sample_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache of compiled templates only saves time: a truncated file, or a folder that
    takes no new file (full, read-only), means compiling, never a failed build."""
    out = tmp_path / "public"
    build(sample_project.root, out=out, search=False)
    compiled = sorted((sample_project.root / CACHE_DIR / "templates").iterdir())
    assert compiled, "the build kept its compiled templates"
    for path in compiled:  # the header holds, the code is cut short
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
        path.touch()
    (sample_project.root / "layouts/paper.html").write_text(
        (sample_project.root / "layouts/paper.html").read_text(encoding="utf-8") + "{# a note #}\n",
        encoding="utf-8",
    )

    write_bytes = Path.write_bytes

    def no_room(path: Path, data: bytes) -> int:
        if "templates" in path.parts:
            raise OSError(28, "No space left on device")
        return write_bytes(path, data)

    monkeypatch.setattr(Path, "write_bytes", no_room)
    build(sample_project.root, out=out, search=False)
    monkeypatch.undo()
    assert tree_bytes(out) == cold(sample_project, tmp_path, "cold")


def test_damaged_compiled_templates_are_never_unmarshalled(
    sample_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unmarshalling garbled bytecode can crash Python itself (no `except` helps): a file
    whose digest does not match its bytes is compiled again instead of loaded."""
    out = tmp_path / "public"
    build(sample_project.root, out=out, search=False)
    for path in (sample_project.root / CACHE_DIR / "templates").iterdir():
        data = bytearray(path.read_bytes())
        data[len(data) // 2 : len(data) // 2 + 10] = b"\xff" * 10
        path.write_bytes(bytes(data))
    (sample_project.root / "layouts/paper.html").write_text(
        (sample_project.root / "layouts/paper.html").read_text(encoding="utf-8") + "{# a note #}\n",
        encoding="utf-8",
    )
    loaded = record_calls(monkeypatch, jinja2.bccache.Bucket, "load_bytecode", lambda self, f: None)
    build(sample_project.root, out=out, search=False, workers=1)  # renders here, where calls are seen
    assert loaded == []
    monkeypatch.undo()
    assert tree_bytes(out) == cold(sample_project, tmp_path, "cold")


def test_template_keys_are_kept_while_the_layouts_are_unchanged(
    sample_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hashing a template with what it includes parses them all: a rebuild reuses the hashes
    until a layout file changes, and then the edited template's pages come out new."""
    out = tmp_path / "public"
    build(sample_project.root, out=out, search=False, workers=1)
    parsed = record_calls(monkeypatch, render.Renderer, "_closure", lambda self, name, seen=None: name)
    path = sample_project.root / "content/2025/2025-03-16/an-older-paper.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nA new sentence.\n", encoding="utf-8")
    build(sample_project.root, out=out, search=False)
    assert parsed == []
    card = sample_project.root / "layouts/_partials/paper_card.html"
    card.write_text(
        card.read_text(encoding="utf-8").replace("paper-card", "paper-card card"), encoding="utf-8"
    )
    build(sample_project.root, out=out, search=False)
    assert "paper.html" in parsed and "_partials/paper_card.html" in parsed
    assert tree_bytes(out) == cold(sample_project, tmp_path, "cold")


@pytest.fixture
def records_always(monkeypatch: pytest.MonkeyPatch) -> None:
    """A small site's changes are large next to it: let them be records all the same."""
    monkeypatch.setattr(buildcache, "LARGE_CHANGE", 100.0)
    monkeypatch.setattr(buildcache, "RECORDS_SHARE", 100.0)


@pytest.mark.usefixtures("records_always")
def test_small_changes_are_appended_to_the_cache_and_read_back_as_they_were(
    sample_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "public"
    saved = record_calls(monkeypatch, build_module, "save_cache", lambda root, out, cache: cache)
    build(sample_project.root, out=out, search=False)
    edited = sample_project.root / "content/2025/2025-03-16/an-older-paper.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA new sentence.\n", encoding="utf-8")
    build(sample_project.root, out=out, search=False)
    path = cache_path(sample_project.root, out)
    whole = path.read_bytes()
    edited.write_text(edited.read_text(encoding="utf-8") + "\nAnother one.\n", encoding="utf-8")
    build(sample_project.root, out=out, search=False)
    sample_project.paper("2025-03-18", "a-brand-new-paper", "tags: [diffusion]")
    (sample_project.root / "content/2024/2024-12-31/last-year-paper.md").unlink()
    build(sample_project.root, out=out, search=False)
    assert path.read_bytes().startswith(whole)  # the cache as it was, then a record of each change
    assert [len(kept[1]) for kept in [read_kept(path, fingerprint())] if kept] == [3]
    assert load_cache(sample_project.root, out) == saved[-1]
    assert tree_bytes(out) == cold(sample_project, tmp_path, "cold")
    assert build(sample_project.root, out=out, search=False, use_cache=True).up_to_date


def test_a_change_to_every_page_writes_the_whole_cache(sample_project: Project, tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(sample_project.root, out=out, search=False)
    layout = sample_project.root / "layouts/paper.html"
    layout.write_text(layout.read_text(encoding="utf-8").replace("Abstract", "Summary"), encoding="utf-8")
    build(sample_project.root, out=out, search=False)
    kept = read_kept(cache_path(sample_project.root, out), fingerprint())
    assert kept is not None and kept[1] == []


@pytest.mark.usefixtures("records_always")
def test_a_record_cut_short_means_a_full_build(sample_project: Project, tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(sample_project.root, out=out, search=False)
    edited = sample_project.root / "content/2025/2025-03-16/an-older-paper.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA new sentence.\n", encoding="utf-8")
    build(sample_project.root, out=out, search=False)
    path = cache_path(sample_project.root, out)
    edited.write_text(edited.read_text(encoding="utf-8") + "\nAnother one.\n", encoding="utf-8")
    build(sample_project.root, out=out, search=False)
    assert read_kept(path, fingerprint()) is not None
    path.write_bytes(path.read_bytes()[:-3])  # a build killed while it appended
    edited.write_text(edited.read_text(encoding="utf-8") + "\nAnd one more.\n", encoding="utf-8")
    result = build(sample_project.root, out=out, search=False)
    assert result.rendered == result.pages
    assert tree_bytes(out) == cold(sample_project, tmp_path, "cold")


@pytest.mark.usefixtures("records_always")
def test_a_retitled_paper_shows_its_new_title_where_it_is_listed_as_related(
    project: Project, tmp_path: Path
) -> None:
    for n, topic in enumerate(["sparse attention kernels", "sparse attention masks", "protein folding"] * 3):
        project.paper(f"2025-03-1{n % 3}", f"paper-{n}", body=f"We study {topic} and {topic} at scale {n}.")
    out = tmp_path / "public"
    build(project.root, out=out, search=False)
    lists = load_cache(project.root, out).related[1]
    referrer, listed = next((slug, others[0]) for slug, others in sorted(lists.items()) if others)
    source = next(project.root.glob(f"content/*/*/{listed}.md"))
    text = source.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:")).removeprefix("title: ")
    # The same words, so the same lists: only the titles they show change.
    for retitled in (title.upper(), f"{title.lower()}!"):  # the second build writes a record
        source.write_text(text.replace(title, retitled), encoding="utf-8")
        build(project.root, out=out, search=False)
        page = (out / f"papers/{referrer}/index.html").read_text(encoding="utf-8")
        assert retitled in page
        assert tree_bytes(out) == cold(project, tmp_path, retitled)


def test_content_stamps_see_what_a_walk_and_a_stat_by_path_see(tmp_path: Path) -> None:
    """Files are stated from their open folder: the same files, order and stamps as
    stating each by its path, links as themselves (never followed)."""
    content = tmp_path / "content"
    for name in (
        "2025/2025-03-17/a.md",
        "2025/2025-03-17/b.md",
        "2025-notes.md",
        "2025/.hidden.md",
        "tags.yaml",
    ):
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(name, encoding="utf-8")
    (content / "2025/2025-03-17/link.md").symlink_to(tmp_path / "missing.md")
    (content / "2025/empty").mkdir()
    expected = [(path, content_module._stamp(path)) for path in walk_content_names(content)]
    assert expected and stamp_content(content) == expected
    assert content_module.content_stamps(tmp_path)[1] == tuple(expected)
