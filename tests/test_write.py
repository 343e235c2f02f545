"""Writing pages: never outside the output folder, whatever path a page claims."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import write
from generator.build import build
from generator.cli import main
from generator.errors import PapersError
from generator.render import Page
from generator.write import remove_pages, remove_strays, write_pages
from tests.conftest import Project


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


def test_strays_are_removed_and_links_never_followed(tmp_path: Path) -> None:
    site, outside = tmp_path / "site", tmp_path / "outside"
    (outside / "keep").mkdir(parents=True)
    (outside / "keep" / "precious.txt").write_text("not the site's")
    pages = ["index.html", "papers/a/index.html", "papers/b/index.html", "days/x/index.html", "feed.xml"]
    for page in pages:
        (site / page).parent.mkdir(parents=True, exist_ok=True)
        (site / page).write_text(page)
    (site / "papers/a/notes.txt").write_text("put there by hand")
    (site / "papers/old/deep").mkdir(parents=True)
    (site / "papers/old/deep/index.html").write_text("a removed paper's page")
    (site / "assets").mkdir()
    (site / "assets/style.css").write_text("replaced whole by the build")
    (site / "link-to-outside").symlink_to(outside / "keep")
    shutil.rmtree(site / "days")
    (site / "days").symlink_to(outside)  # a link where a page's folder goes
    (site / "papers/b/index.html").unlink()
    (site / "papers/b").rmdir()
    (site / "papers/b").write_text("a file where a folder goes")

    remove_strays(site, pages, ("assets",))

    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*")) == [
        "assets",
        "assets/style.css",
        "feed.xml",
        "index.html",
        "papers",
        "papers/a",
        "papers/a/index.html",
    ]
    assert (outside / "keep" / "precious.txt").read_text() == "not the site's"


@pytest.mark.parametrize("out", [".", "content", "content/2025", "layouts", "..", ".git"])
def test_a_build_never_replaces_the_project_s_own_folders(
    project: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, out: str
) -> None:
    """The output folder is replaced whole: `--out .` would have swapped the project for the site."""
    monkeypatch.chdir(project.root)
    (project.root / ".git").mkdir()
    before = sorted(path.relative_to(project.root) for path in project.root.rglob("*"))
    assert main(["build", "--no-search", "--out", out]) == 2
    assert "the site would replace the project's own files" in capsys.readouterr().err
    assert sorted(path.relative_to(project.root) for path in project.root.rglob("*")) == before


def test_a_build_never_replaces_a_folder_of_other_files(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--out notes/` would have swapped someone's notes for the site, and deleted them."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("important", encoding="utf-8")
    assert main(["--root", str(project.root), "build", "--no-search", "--out", str(notes)]) == 2
    assert "holds files that are not a site built here" in capsys.readouterr().err
    assert [path.name for path in notes.iterdir()] == ["todo.txt"]
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".notes")]


def test_an_output_name_too_long_for_the_folders_beside_it_is_a_usage_error(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A name that fits alone may not with `.staging-…`: the build failed with a traceback.
    The longest name allowed builds, twice (the second time beside its spare)."""
    longest = max(n for n in range(1, 256) if write.beside_names_fit(tmp_path / ("b" * n))[0])
    assert longest > 200
    for length in (longest + 1, 300):
        out = tmp_path / ("b" * length)
        assert main(["--root", str(project.root), "build", "--no-search", "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert "the output folder's name is too long" in err and "Traceback" not in err
    out = tmp_path / ("b" * 300) / "site"  # a folder on the way too long to look up
    assert main(["--root", str(project.root), "build", "--no-search", "--out", str(out)]) == 2
    assert "a folder's name in the output path is too long" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [project.root]
    project.paper("2025-03-17", "a-paper", body="An abstract. " * 20)
    out = tmp_path / ("b" * longest)
    for _ in range(2):
        assert main(["--root", str(project.root), "build", "--no-search", "--out", str(out)]) == 0
    assert (out / "papers/a-paper/index.html").is_file()


@pytest.mark.parametrize("before", ["new", "empty", "built"])
def test_a_build_goes_to_a_new_or_empty_folder_or_one_of_its_sites(
    project: Project, tmp_path: Path, before: str
) -> None:
    site = tmp_path / "elsewhere"
    if before == "empty":
        site.mkdir()
    if before == "built":
        assert (
            main(["--root", str(project.root), "build", "--no-search", "--no-cache", "--out", str(site)]) == 0
        )
    assert main(["--root", str(project.root), "build", "--no-search", "--no-cache", "--out", str(site)]) == 0
    assert (site / "index.html").is_file() and (site / "api/index.json").is_file()


@pytest.mark.parametrize("link", ["layouts/assets/env.txt", "layouts/assets/folder", "layouts/secret.html"])
def test_a_symbolic_link_in_layouts_is_refused(project: Project, tmp_path: Path, link: str) -> None:
    """What a link in layouts/ points to would be copied into the published site (a CI
    machine's environment, /etc) or read as a template: refused, as in content/."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("TOP-SECRET", encoding="utf-8")
    target = outside if link.endswith("folder") else outside / "secret.txt"
    (project.root / link).symlink_to(target)
    with pytest.raises(PapersError, match="symbolic links are not allowed in layouts/") as raised:
        build(project.root, search=False)
    assert raised.value.problems[0].path == link
    assert not (project.root / "public").exists()
