"""Values kept between builds: read back by the code that wrote them, and by no other."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

from generator.kept import append_kept, load_kept, read_kept, save_kept


def test_a_value_is_read_back_by_the_same_version(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "value.pickle"
    save_kept(path, "v1", {"papers": [1, 2, 3]})
    assert load_kept(path, "v1") == {"papers": [1, 2, 3]}
    assert [p.name for p in path.parent.iterdir()] == ["value.pickle"]  # no temporary left


def test_another_version_is_not_even_unpickled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "value.pickle"
    save_kept(path, "v1", list(range(1000)))
    loads: list[Any] = []
    real_load = pickle.load

    def recorded_load(file: Any) -> Any:
        loads.append(file)
        return real_load(file)

    monkeypatch.setattr(pickle, "load", recorded_load)
    assert load_kept(path, "v2") is None
    assert load_kept(path, "v") is None  # a prefix of the version is another version
    assert loads == []
    assert load_kept(path, "v1") == list(range(1000))
    assert len(loads) == 1


@pytest.mark.parametrize(
    "data",
    [b"", b"daily-papers v1\n", b"daily-papers v1\n" + pickle.dumps([1, 2, 3])[:-3], b"\x80\x05garbage"],
    ids=["empty", "header only", "truncated", "not ours"],
)
def test_an_unreadable_file_is_no_value(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "value.pickle"
    path.write_bytes(data)
    assert load_kept(path, "v1") is None
    assert load_kept(tmp_path / "missing.pickle", "v1") is None


def test_a_value_that_cannot_be_written_costs_nothing_but_itself(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way of a folder")
    save_kept(blocker / "value.pickle", "v1", [1])  # its folder cannot be made
    assert load_kept(blocker / "value.pickle", "v1") is None


def test_records_appended_are_read_back_in_order(tmp_path: Path) -> None:
    path = tmp_path / "value.pickle"
    save_kept(path, "v1", {"whole": True})
    assert append_kept(path, "v1", b"first") and append_kept(path, "v1", b"")
    kept = read_kept(path, "v1")
    assert kept is not None
    value, records, whole = kept
    assert value == {"whole": True} and records == [b"first", b""]
    assert 0 < whole < path.stat().st_size
    assert load_kept(path, "v1") is None  # a reader of the value alone would miss the records


def test_records_are_not_appended_to_another_versions_value(tmp_path: Path) -> None:
    path = tmp_path / "value.pickle"
    assert not append_kept(path, "v1", b"record")  # nothing there
    save_kept(path, "v1", [1])
    before = path.read_bytes()
    assert not append_kept(path, "v2", b"record")
    assert path.read_bytes() == before


@pytest.mark.parametrize("cut", [1, 8, 12], ids=["in the record", "all of the record", "in its length"])
def test_a_record_cut_short_makes_the_whole_file_unreadable(tmp_path: Path, cut: int) -> None:
    path = tmp_path / "value.pickle"
    save_kept(path, "v1", [1])
    append_kept(path, "v1", b"x" * 8)  # after its 8 bytes of length
    data = path.read_bytes()
    path.write_bytes(data[:-cut])
    assert read_kept(path, "v1") is None
    path.write_bytes(data[:-16])  # without the record at all: the value alone
    assert read_kept(path, "v1") == ([1], [], len(data) - 16)
