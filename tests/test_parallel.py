"""Rendering on several forked workers: the same site as one process, and errors reach the caller."""

from __future__ import annotations

import os
import shutil
import signal
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from generator import parallel
from generator.build import build
from generator.errors import PapersError
from tests.conftest import REPO, Project
from tests.sitecheck import tree_bytes


def test_three_workers_write_the_site_one_process_writes(tmp_path: Path) -> None:
    """Workers swap what lists show of their papers (titles, excerpts): every page, feed and
    related list comes out as one process writes it."""
    one = build(REPO, out=tmp_path / "one", search=False, use_cache=False, workers=1)
    three = build(REPO, out=tmp_path / "three", search=False, use_cache=False, workers=3)
    assert one.rendered == three.rendered == one.pages
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "three")


def test_a_template_error_in_a_worker_names_the_template(sample_project: Project, tmp_path: Path) -> None:
    sample_project.write(
        "layouts/tag.html", "{% extends 'base.html' %}{% block main %}{{ nope() }}{% endblock %}"
    )
    with pytest.raises(PapersError) as raised:
        build(sample_project.root, out=tmp_path / "public", search=False, use_cache=False, workers=2)
    assert "layouts/tag.html" in str(raised.value)
    assert not (tmp_path / "public").exists()


def test_a_worker_that_dies_fails_the_build_instead_of_hanging(
    sample_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def die(index: int, count: int, end: Connection, parent: int) -> None:
        if index == 1:
            raise SystemExit(9)  # ends the worker without a word, as a kill would
        parallel_work(index, count, end, parent)

    parallel_work = parallel._work
    monkeypatch.setattr(parallel, "_work", die)
    with pytest.raises(PapersError, match="a worker process ended unexpectedly"):
        build(sample_project.root, out=tmp_path / "public", search=False, use_cache=False, workers=2)
    assert not (tmp_path / "public").exists()


def test_a_worker_killed_holding_the_task_counter_fails_the_build(
    sample_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worker 1 dies holding the lock of the counter that hands out tasks, after its papers;
    worker 0 then waits for the lock forever, and the parent, waiting for worker 0's pages,
    must notice the death instead of waiting too."""
    index_here: list[int] = []  # set in each forked worker, for itself

    def work(index: int, count: int, end: Connection, parent: int) -> None:
        index_here.append(index)
        parallel_work(index, count, end, parent)

    def written_then_killed(end: Connection) -> None:
        papers_written(end)
        assert parallel._JOB is not None and parallel._JOB.next_task is not None
        if index_here == [1]:
            parallel._JOB.next_task.get_lock().acquire()
            os._exit(9)

    def too_long(signum: int, frame: object) -> None:
        raise TimeoutError("the build hangs")

    parallel_work, papers_written = parallel._work, parallel._papers_written
    monkeypatch.setattr(parallel, "_work", work)
    monkeypatch.setattr(parallel, "_papers_written", written_then_killed)
    previous = signal.signal(signal.SIGALRM, too_long)
    signal.alarm(60)
    try:
        with pytest.raises(PapersError, match="a worker process ended unexpectedly"):
            build(sample_project.root, out=tmp_path / "public", search=False, use_cache=False, workers=2)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert not (tmp_path / "public").exists()


def test_workers_hand_their_groups_of_pages_to_the_build_cache(tmp_path: Path) -> None:
    """The next build reuses a day with its papers, a tag or a week whole while its key
    holds: a build on several workers keeps the same groups as one on a single process."""
    from generator.buildcache import load_cache

    groups = {}
    for workers in (1, 2):
        project = tmp_path / f"project-{workers}"
        shutil.copytree(REPO / "content", project / "content")
        shutil.copytree(REPO / "layouts", project / "layouts")
        shutil.copy(REPO / "site.yaml", project / "site.yaml")
        build(project, search=False, workers=workers)
        cache = load_cache(project, project / "public")
        groups[workers] = {
            name: (key, [page.path for page in pages]) for name, (key, pages) in cache.groups.items()
        }
    assert len(groups[1]) > 20
    assert groups[2] == groups[1]
