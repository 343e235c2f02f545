"""Writing pages: never outside the output folder, whatever path a page claims."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import PapersError
from generator.render import Page
from generator.write import remove_pages, write_pages


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/etc/passwd",
        "../escape.html",
        "papers/../../escape.html",
        "papers//x.html",
        "./x.html",
        "papers/x/",
        "papers\\..\\x.html",
        "papers/x\0.html",
        "papers/..",
        ".",
    ],
)
def test_a_page_path_that_could_leave_the_output_folder_is_refused(tmp_path: Path, path: str) -> None:
    out = tmp_path / "site" / "public"
    with pytest.raises(PapersError, match="outside the output folder"):
        write_pages(out, [Page(path, b"<p>x</p>", None)])
    with pytest.raises(PapersError, match="outside the output folder"):
        remove_pages(out, [path])
    assert [p.name for p in tmp_path.rglob("*")] == []


def test_pages_are_written_and_reused_ones_linked(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    write_pages(first, [Page("papers/a/index.html", b"a", None), Page("...b.html", b"b", None)])
    reused = Page("papers/a/index.html", b"", None, reused=True)
    assert write_pages(second, [reused, Page("new.html", b"new", None)], previous=first) == (2, 3)
    assert (second / "papers/a/index.html").stat().st_ino == (first / "papers/a/index.html").stat().st_ino
    assert (first / "...b.html").read_bytes() == b"b" and (second / "new.html").read_bytes() == b"new"
