"""Incremental rebuilds equal full builds, after any sequence of edits, adds, renames and deletes."""

from __future__ import annotations

import gzip
import random
import re
import shutil
import subprocess
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from generator.build import build
from generator.content import read_site
from generator.errors import PapersError
from generator.preview import Preview
from generator.related_live import LiveRelated
from generator.search import OVERLAY, page_ids
from generator.serve import Indexer
from tests.conftest import Project
from tests.sitecheck import tree_bytes

BASE = "http://127.0.0.1:8000/daily-papers/"
DAYS = ["2025-03-15", "2025-03-16", "2025-03-17"]
TAGS = ["llm", "diffusion", "robotics", "reinforcement-learning"]


def paper_files(project: Project) -> list[Path]:
    return sorted((project.root / "content").rglob("*.md"))


def write_paper(project: Project, rng: random.Random, day: str, slug: str) -> Path:
    tags = ", ".join(rng.sample(TAGS, rng.randint(0, 2)))
    return project.paper(
        day,
        slug,
        f"tags: [{tags}]\nupvotes: {rng.randint(0, 50)}\nauthors: [Author {rng.randint(1, 9)}]",
        f"Abstract {rng.random()} with $x_{rng.randint(1, 9)}$. " * 5,
        title=f"Paper {slug} {rng.randint(0, 10**6)}",
    )


def mutate(project: Project, rng: random.Random, counter: list[int]) -> list[Path]:
    """One random change to the project; returns the paths it touched."""
    files = paper_files(project)
    action = rng.choice(
        ["add", "edit-title", "edit-body", "retag", "rename", "delete", "move", "template", "config"]
    )
    if action == "add" or not files:
        counter[0] += 1
        return [write_paper(project, rng, rng.choice(DAYS), f"new-paper-{counter[0]}")]
    path = rng.choice(files)
    text = path.read_text(encoding="utf-8")
    if action == "edit-title":
        path.write_text(text.replace("title: Paper", "title: Edited Paper", 1), encoding="utf-8")
    elif action == "edit-body":
        path.write_text(text + "\nAnother sentence.\n", encoding="utf-8")
    elif action == "retag":
        path.write_text(
            re.sub(r"tags: \[.*\]", f"tags: [{rng.choice(TAGS)}]", text, count=1), encoding="utf-8"
        )
    elif action == "rename":
        counter[0] += 1
        target = path.with_name(f"renamed-{counter[0]}.md")
        path.rename(target)
        return [path, target]
    elif action == "delete":
        path.unlink()
    elif action == "move":
        day = rng.choice(DAYS)
        target = project.root / "content" / day[:4] / day / path.name
        if target.exists():
            return []
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, target)
        return [path, target]
    elif action == "template":
        name = rng.choice(["paper.html", "day.html", "_partials/paper_card.html", "base.html"])
        layout = project.root / "layouts" / name
        layout.write_text(
            layout.read_text(encoding="utf-8") + f"{{# edit {counter[0]} #}}\n", encoding="utf-8"
        )
        counter[0] += 1
        return [layout]
    elif action == "config":
        config = project.root / "site.yaml"
        config.write_text(
            config.read_text(encoding="utf-8").replace("Test Papers", "Test Papers!"), encoding="utf-8"
        )
        return [config]
    return [path]


@pytest.mark.parametrize("watched", [False, True], ids=["stat", "watched"])
@pytest.mark.parametrize("seed", range(20))
def test_incremental_build_equals_full_build(
    project: Project, tmp_path: Path, seed: int, watched: bool
) -> None:
    """With `watched`, the rebuild reads only the paths it is told of, as `papers serve` does."""
    rng = random.Random(seed)
    for index in range(6):
        write_paper(project, rng, rng.choice(DAYS), f"paper-{index}")
    preview = Preview(project.root, tmp_path / "served", base_url=BASE, search=False, watched=watched)
    preview.rebuild()
    counter = [0]
    for step in range(8):
        touched = mutate(project, rng, counter)
        preview.invalidate([str(p) for p in touched])
        preview.rebuild()
        full = tmp_path / f"full-{step}"
        build(project.root, out=full, base_url=BASE, search=False, live_reload=True)
        assert tree_bytes(tmp_path / "served") == tree_bytes(full), f"seed {seed}, step {step}"


def test_one_edit_renders_only_the_pages_that_depend_on_it(project: Project, tmp_path: Path) -> None:
    rng = random.Random(1)
    for index in range(12):
        write_paper(project, rng, DAYS[index % 3], f"paper-{index}")
    preview = Preview(project.root, tmp_path / "served", base_url=BASE, search=False)
    first = preview.rebuild()
    path = project.root / "content/2025/2025-03-15/paper-0.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    preview.invalidate([str(path)])
    second = preview.rebuild()
    assert first.rendered == first.pages
    # The paper, its day, the home page only if it lists that day, its tags' pages and feeds, the feed.
    assert 0 < second.rendered <= 12
    assert second.written <= second.rendered


def test_a_broken_file_keeps_the_last_good_site(project: Project, tmp_path: Path) -> None:
    rng = random.Random(2)
    write_paper(project, rng, DAYS[0], "paper-a")
    preview = Preview(project.root, tmp_path / "served", base_url=BASE, search=False)
    preview.rebuild()
    before = tree_bytes(tmp_path / "served")
    broken = project.write("content/2025/2025-03-17/broken.md", "---\ntitle: [\n---\nx\n")
    with pytest.raises(PapersError):
        preview.rebuild()
    assert tree_bytes(tmp_path / "served") == before
    broken.unlink()
    preview.rebuild()
    assert tree_bytes(tmp_path / "served") == before


@pytest.mark.parametrize("worker", [True, False], ids=["worker process", "no process to be had"])
def test_deferred_related_papers_catch_up_with_a_full_build(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, worker: bool
) -> None:
    """Related papers are recomputed in another process, or in the background thread itself
    where no process can be started; either way the site ends up as a full build makes it."""
    if not worker:

        def no_process(*args: object, **kwargs: object) -> None:
            raise OSError("no processes here")

        monkeypatch.setattr(subprocess, "Popen", no_process)
    rng = random.Random(3)
    for index in range(8):
        write_paper(project, rng, DAYS[index % 3], f"paper-{index}")
    preview = Preview(project.root, tmp_path / "served", base_url=BASE, search=False, defer_related=True)
    ready = threading.Event()
    preview.on_related = ready.set
    preview.rebuild()
    path = project.root / "content/2025/2025-03-15/paper-0.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nA sentence about hypergraphs.\n", encoding="utf-8")
    preview.invalidate([str(path)])
    try:
        preview.rebuild()  # uses the previous related lists while new ones are computed
        assert ready.wait(timeout=60)
        if worker:
            assert preview.related.process is not None and preview.related.process.wait() == 0
        preview.rebuild()
    finally:
        preview.close()
    full = tmp_path / "full"
    build(project.root, out=full, base_url=BASE, search=False, live_reload=True, use_cache=False)
    assert tree_bytes(tmp_path / "served") == tree_bytes(full)


def test_a_watched_folder_change_reads_the_whole_content_again(project: Project, tmp_path: Path) -> None:
    """A watcher reports a deleted or moved folder by its own path, not by each file in it."""
    rng = random.Random(4)
    for index in range(6):
        write_paper(project, rng, DAYS[index % 3], f"paper-{index}")
    preview = Preview(project.root, tmp_path / "served", base_url=BASE, search=False, watched=True)
    preview.rebuild()
    day = project.root / "content/2025/2025-03-16"
    moved = project.root / "content/2025/2025-03-18"
    day.rename(moved)
    preview.invalidate([str(day), str(moved)])
    preview.rebuild()
    shutil.rmtree(project.root / "content/2025/2025-03-15")
    preview.invalidate([str(project.root / "content/2025/2025-03-15")])
    preview.rebuild()
    full = tmp_path / "full"
    build(project.root, out=full, base_url=BASE, search=False, live_reload=True)
    assert tree_bytes(tmp_path / "served") == tree_bytes(full)
    assert not list((tmp_path / "served").glob("days/2025-03-15*"))


def test_watched_rebuilds_read_only_what_they_are_told(project: Project, tmp_path: Path) -> None:
    """The other side of skipping the walk: a change nobody reported is not seen."""
    rng = random.Random(5)
    path = write_paper(project, rng, DAYS[0], "paper-a")
    preview = Preview(project.root, tmp_path / "served", base_url=BASE, search=False, watched=True)
    preview.rebuild()
    path.write_text(
        path.read_text(encoding="utf-8").replace("title: Paper", "title: Quietly Edited"), encoding="utf-8"
    )
    preview.rebuild()
    page = (tmp_path / "served/papers/paper-a/index.html").read_text(encoding="utf-8")
    assert "Quietly Edited" not in page
    preview.invalidate([str(path)])
    preview.rebuild()
    assert "Quietly Edited" in (tmp_path / "served/papers/paper-a/index.html").read_text(encoding="utf-8")


def test_an_undone_edit_cancels_the_background_computation(project: Project) -> None:
    """Edit, then undo before related papers are recomputed: nothing is left pending."""
    rng = random.Random(7)
    for index in range(4):
        write_paper(project, rng, DAYS[index % 3], f"paper-{index}")
    papers = read_site(project.root).papers
    live = LiveRelated(threading.Lock(), defer=True)
    first = live(papers)
    edited = [replace(papers[0], body=papers[0].body + " More words."), *papers[1:]]
    assert live(edited) is first and live.pending is not None  # the old lists, meanwhile
    assert live(papers) is first
    assert _idle(live)


def _idle(live: LiveRelated) -> bool:
    """Nothing pending or queued (a function: the checker would keep the narrowing above)."""
    return live.pending is None and live.queued is None


def test_moving_content_itself_makes_a_watched_rebuild_walk_again(project: Project, tmp_path: Path) -> None:
    rng = random.Random(8)
    for index in range(3):
        write_paper(project, rng, DAYS[index], f"paper-{index}")
    preview = Preview(project.root, tmp_path / "served", base_url=BASE, search=False, watched=True)
    preview.rebuild()
    content = project.root / "content"
    shutil.copytree(content, tmp_path / "saved-content")
    shutil.rmtree(content / "2025/2025-03-16")
    preview.invalidate([str(content)])  # the watcher saw content/ itself replaced
    preview.rebuild()
    assert not (tmp_path / "served/papers/paper-1").exists()
    assert (tmp_path / "served/papers/paper-0").exists()


def test_the_search_indexer_survives_a_failure(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A failed indexing run is reported; the next request still indexes."""
    calls: list[int] = []

    class FlakyPreview:
        def index(self) -> None:
            calls.append(len(calls))
            if len(calls) == 1:
                raise OSError("disk full")

    indexer = Indexer(FlakyPreview())  # type: ignore[arg-type]
    indexer.request()
    deadline = time.monotonic() + 10
    while indexer.thread is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    indexer.request()
    while len(calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert calls == [0, 1]
    assert "search index not updated: disk full" in capsys.readouterr().err


def test_after_a_failed_indexing_run_the_next_one_makes_the_index_anew(
    project: Project, tmp_path: Path
) -> None:
    """A failed run may leave part of an update in the served index: the saved paper stays
    to be indexed, and the next run makes the index anew, the new words in their part."""
    with (project.root / "site.yaml").open("a", encoding="utf-8") as config:
        config.write("search_index: split\n")
    old = project.paper("2024-06-01", "an-old-paper", body="About glaciers. " * 10)
    project.paper("2025-03-01", "a-new-paper", body="About rivers. " * 10)
    out = tmp_path / "served"
    preview = Preview(project.root, out, base_url=BASE, search=True)
    preview.rebuild()
    preview.index()
    old.write_text(old.read_text(encoding="utf-8").replace("glaciers", "icebergs"), encoding="utf-8")
    preview.rebuild()
    assert preview.unindexed == {"papers/an-old-paper/"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("generator.search.pagefind_executable", lambda: tmp_path / "missing-pagefind")
        with pytest.raises(FileNotFoundError):
            preview.index()
    assert preview.unindexed == {"papers/an-old-paper/"}
    preview.index()
    assert preview.unindexed == set() and not (out / "pagefind" / OVERLAY).exists()
    page = page_ids(out / "pagefind" / "2024")["papers/an-old-paper/"]
    fragment = (out / "pagefind" / "2024" / "fragment" / f"{page}.pf_fragment").read_bytes()
    assert b"icebergs" in gzip.decompress(fragment)


def test_the_dev_server_lives_on_after_an_unexpected_error_and_reloads_only_on_changes(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An error other than the content's (the file system, a bug) stopped every later rebuild
    silently; and every save reloaded the browser, even one that changed no page."""
    from generator.serve import LiveState, Rebuilder

    live = LiveState()
    rebuilder = Rebuilder(Preview(project.root, tmp_path / "served", base_url=BASE, search=False), live)
    assert rebuilder.build([]) and live.version == 1
    assert rebuilder.build([str(project.root / "content")]) and live.version == 1  # nothing written

    def failing() -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(rebuilder.preview, "rebuild", failing)
    assert not rebuilder.build([])
    assert live.error is not None and "No space left on device" in live.error
    assert "the build failed; still serving the last good site" in capsys.readouterr().err
    monkeypatch.undo()
    assert rebuilder.build([]) and live.error is None  # it clears the overlay, though nothing changed


def test_related_papers_catching_up_without_a_change_say_nothing(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from generator.serve import RELATED_CHANGED, LiveState, Rebuilder

    rebuilder = Rebuilder(
        Preview(project.root, tmp_path / "served", base_url=BASE, search=False), LiveState()
    )
    assert rebuilder.build([])
    assert "initial build" in capsys.readouterr().out
    assert rebuilder.build([RELATED_CHANGED])
    assert "related papers changed" not in capsys.readouterr().out


@pytest.mark.parametrize("folder", ["layouts", "content"])
def test_a_folder_deleted_and_made_again_is_watched_again(
    project: Project, tmp_path: Path, folder: str
) -> None:
    """`rm -rf layouts && cp -r backup layouts`: the watch was set on the folder that is gone,
    and no later save rebuilt anything until the server was restarted."""
    from watchdog.observers import Observer

    from generator.serve import LiveState, Rebuilder, _Watcher

    project.paper("2025-03-17", "a-watched-paper")
    served = tmp_path / "served"
    rebuilder = Rebuilder(
        Preview(project.root, served, base_url=BASE, search=False, watched=True), LiveState()
    )
    assert rebuilder.build([])
    observer = Observer()
    watcher = _Watcher(rebuilder, project.root, observer)
    for name in ("content", "layouts"):
        watcher.watch(name)
    observer.schedule(watcher, str(project.root), recursive=False)
    observer.start()
    try:
        shutil.copytree(project.root / folder, tmp_path / "backup")
        shutil.rmtree(project.root / folder)
        shutil.copytree(tmp_path / "backup", project.root / folder)
        time.sleep(1.0)  # the watch on the new folder is set from the event of its creation
        if folder == "layouts":
            edited, page = project.root / "layouts/paper.html", served / "papers/a-watched-paper/index.html"
            edited.write_text(
                edited.read_text(encoding="utf-8").replace("</article>", "MARK</article>"), "utf-8"
            )
        else:
            edited = project.root / "content/2025/2025-03-17/a-watched-paper.md"
            page = served / "papers/a-watched-paper/index.html"
            edited.write_text(edited.read_text(encoding="utf-8").replace("An abstract.", "MARK.", 1), "utf-8")
        for _ in range(200):  # a rebuild follows the save (up to 20 s on a loaded machine)
            if page.is_file() and "MARK" in page.read_text(encoding="utf-8"):
                break
            time.sleep(0.1)
        assert "MARK" in page.read_text(encoding="utf-8")
    finally:
        observer.stop()
        observer.join(timeout=5)
