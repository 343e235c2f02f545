"""Installed versions, read from the names of metadata folders as importlib.metadata finds them."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest

from generator import installed
from generator.summary import _DEPENDENCIES


@pytest.mark.parametrize("name", _DEPENDENCIES)
def test_versions_are_those_importlib_metadata_reads(name: str) -> None:
    assert installed.version(name) == metadata.version(name)


def test_the_first_folder_on_the_path_wins_and_names_are_normalized(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    (first / "Some_Lib-2.0.dist-info").mkdir(parents=True)
    (second / "some_lib-1.0.dist-info").mkdir(parents=True)
    (second / "Legacy.Pkg-0.3-py3.11.egg-info").mkdir()
    (second / "not-metadata-1.0.txt").write_text("")
    monkeypatch.setattr("sys.path", [str(first), str(tmp_path / "missing"), str(second)])
    monkeypatch.setattr(installed, "_versions", installed._versions.__wrapped__)
    assert installed.version("some-lib") == installed.version("SOME.LIB") == "2.0"
    assert installed.version("legacy-pkg") == "0.3-py3.11"
    assert installed.version("not-metadata") is None
