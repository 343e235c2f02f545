"""Work shared out to forked workers: the same results, in the same order, as one process."""

from __future__ import annotations

import gc
import os
import threading
import time
from pathlib import Path

import pytest

from generator import forking
from generator.content import ContentCache, read_site
from generator.errors import PapersError
from tests.conftest import Project


@pytest.fixture
def three_workers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Force three workers whatever the machine; records how many items each call shared."""
    calls: list[int] = []

    def count(items: int, min_per_worker: int) -> int:
        calls.append(items)
        return 3

    monkeypatch.setattr(forking, "worker_count", count)
    return calls


def test_results_keep_the_order_of_the_items(three_workers: list[int]) -> None:
    items = list(range(101))
    assert forking.fork_map(lambda n: n * n, items, 1) == [n * n for n in items]
    assert three_workers == [101]


def test_a_process_with_threads_does_not_fork() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not forking.can_fork()
        assert forking.worker_count(1_000_000, 1) == 1
    finally:
        stop.set()
        thread.join()


def test_reading_in_workers_equals_reading_here(
    sample_project: Project, three_workers: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Papers, problems and file order are the same whether files were read here or in workers."""
    sample_project.write("content/2025/2025-03-17/broken.md", "---\ntitle: [unclosed\n---\nText\n")
    sample_project.write("content/2025/2025-03-17/no-title.md", "---\ntags: [llm]\n---\nText\n")
    forked = read_site(sample_project.root, None, ContentCache())
    assert three_workers, "the files were not shared out"

    monkeypatch.setattr(forking, "worker_count", lambda items, min_per_worker: 1)
    here = read_site(sample_project.root, None, ContentCache())
    assert forked.papers == here.papers
    assert forked.problems == here.problems
    assert len(forked.errors) == 2
    assert [paper.slug for paper in forked.papers] == [paper.slug for paper in here.papers]


def test_shared_objects_come_back_as_the_same_objects() -> None:
    """What a worker sends back refers to the parent's objects, not to copies of them."""
    papers = [{"slug": "a"}, {"slug": "b"}]
    other = {"slug": "c"}
    value = [(papers[1], "key"), (papers[0], other), papers[1]]
    data = forking.dumps_sharing(value, papers)
    back = forking.loads_sharing(data, papers)
    assert back == value
    assert back[0][0] is papers[1] and back[1][0] is papers[0] and back[2] is papers[1]
    assert back[1][1] is not other  # not shared: a copy, equal
    assert len(data) < len(forking.dumps_sharing(value, []))


@pytest.fixture
def may_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fork even if earlier tests left threads behind (a browser's event loop): the children
    here run plain Python, taking no lock those threads might hold."""
    monkeypatch.setattr(forking, "can_fork", lambda: True)


def test_a_call_in_a_child_returns_its_result_with_shared_objects_as_themselves(may_fork: None) -> None:
    shared = ["alpha", "beta"]
    result = forking.call_in_child(lambda: {"first": shared[0], "pid": os.getpid()}, shared=shared)
    assert result["first"] is shared[0]
    assert result["pid"] != os.getpid(), "it did not run in a child"


def test_a_call_in_a_child_raises_its_error_here(may_fork: None) -> None:
    def fail() -> None:
        raise ValueError("bad paper")

    with pytest.raises(ValueError, match="bad paper"):
        forking.call_in_child(fail)


def test_a_call_in_a_child_that_cannot_send_its_error_still_fails(may_fork: None) -> None:
    class Local(Exception):  # a class defined here cannot be pickled by reference
        pass

    def fail() -> None:
        raise Local("unpicklable")

    with pytest.raises(RuntimeError, match="unpicklable"):
        forking.call_in_child(fail)


def test_a_child_that_dies_fails_with_a_build_error(may_fork: None) -> None:
    with pytest.raises(PapersError, match="a worker process ended unexpectedly"):
        forking.call_in_child(lambda: os._exit(3))


def test_a_child_goes_on_while_this_process_does(may_fork: None, tmp_path: Path) -> None:
    started = tmp_path / "started"
    pending = forking.InChild(lambda: started.write_text("yes") and os.getpid())
    assert pending.pid is not None, "it did not run in a child"
    assert pending.result() == pending.result() != os.getpid()  # asked twice, read once
    assert started.read_text() == "yes"
    pending.close()


def test_a_child_sends_its_result_before_what_it_does_afterwards(may_fork: None, tmp_path: Path) -> None:
    """The parent has the value while the child still works (saving what the next build
    reads, say); closing waits for that work, and does not end it."""
    gate, done = tmp_path / "gate", tmp_path / "done"

    def afterwards() -> None:
        while not gate.exists():
            time.sleep(0.01)
        done.write_text("saved")

    pending: forking.InChild[int] = forking.InChild(lambda: forking.ThenDo(41 + 1, afterwards))
    assert pending.result() == 42 and not done.exists()
    gate.write_text("go")
    pending.close()
    assert done.read_text() == "saved"


def test_what_comes_afterwards_is_done_at_once_without_a_child(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    done = tmp_path / "done"
    monkeypatch.setattr(forking, "can_fork", lambda: False)  # a process that runs threads, say

    def save() -> None:
        done.write_text("saved")

    pending: forking.InChild[str] = forking.InChild(lambda: forking.ThenDo("value", save))
    assert pending.pid is None and pending.result() == "value" and done.read_text() == "saved"


def test_a_child_whose_result_is_not_asked_for_is_ended(may_fork: None) -> None:
    pending = forking.InChild(lambda: time.sleep(60))
    pid = pending.pid
    assert pid is not None
    pending.close()
    with pytest.raises(ChildProcessError):  # ended and reaped: no zombie left behind
        os.waitpid(pid, os.WNOHANG)
    pending.close()  # closing again does nothing


def test_frozen_objects_are_left_out_until_the_outermost_freeze_ends() -> None:
    gc.freeze()  # frozen by someone else (the dev server freezes its site): still ended here
    with forking.frozen():
        outer = gc.get_freeze_count()
        assert outer > 0
        with forking.frozen():
            made_inside = [object() for _ in range(1000)]
            assert gc.get_freeze_count() >= outer
        assert gc.get_freeze_count() >= outer, "the inner freeze ended the outer one"
        del made_inside
    assert gc.get_freeze_count() == 0
