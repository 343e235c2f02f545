"""`papers new`: arXiv Atom answers served by a real local HTTP server, offline and duplicates.

The fixtures in tests/fixtures/arxiv/ are recorded-style API answers for fictional papers:
a v2 id with four authors and TeX, an old-style id, the API's `Error` entry for a malformed
id, the empty feed of an id that does not exist, and a hostile feed with a DOCTYPE.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from generator.cli import main
from generator.errors import PapersError
from generator.importers import arxiv
from generator.validate import PLACEHOLDER_ABSTRACT
from tests.conftest import Project
from tests.recorded import RecordedServer

FIXTURES = Path(__file__).parent / "fixtures" / "arxiv"
DAY = "2025-03-17"


class ArxivServer:
    """A local stand-in for the arXiv API: `id_list` -> a fixture file, or an HTTP status."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, bytes]] = {
            "2503.12345v2": (200, (FIXTURES / "2503.12345v2.xml").read_bytes()),
            "2503.12345": (200, (FIXTURES / "2503.12345v2.xml").read_bytes()),
            "hep-th/9901001": (200, (FIXTURES / "hep-th-9901001.xml").read_bytes()),
            "2503.99999": (200, (FIXTURES / "error.xml").read_bytes()),
            "2512.99999": (200, (FIXTURES / "empty.xml").read_bytes()),
            "2503.54321": (200, (FIXTURES / "doctype.xml").read_bytes()),
            "2503.40400": (404, b"<html>Not Found</html>"),
            "2503.40000": (400, (FIXTURES / "error.xml").read_bytes()),
            "2503.50000": (200, b"<feed><entry>"),
        }
        self.recorded = RecordedServer(
            self.answers, "id_list", "/api/query", "application/atom+xml; charset=utf-8"
        )
        self.url = self.recorded.url
        self.requests = self.recorded.requests

    def __enter__(self) -> ArxivServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.recorded.close()


@pytest.fixture
def api() -> Iterator[ArxivServer]:
    with ArxivServer() as server:
        yield server


def new(project: Project, *args: str) -> int:
    return main(["--root", str(project.root), "new", *args])


def check(project: Project) -> int:
    return main(["--root", str(project.root), "check"])


def paper_files(project: Project) -> list[Path]:
    return sorted((project.root / "content").rglob("*.md"))


def test_new_from_arxiv_v2_writes_a_file_that_passes_check(
    project: Project, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert new(project, "2503.12345v2", "--date", DAY, "--endpoint", api.url) == 0
    out = capsys.readouterr().out
    path = project.root / "content/2025/2025-03-17/2503.12345.md"
    assert f"wrote {path.relative_to(project.root).as_posix()}" in out
    assert "cs.CV" in out and "tags" in out  # the category is shown, never turned into a tag
    text = path.read_text(encoding="utf-8")
    assert "arxiv: 2503.12345v2" in text
    assert "tags:" not in text
    assert "- Paul Erdős\n- Émilie du Châtelet\n- Srinivasa Ramanujan\n" in text
    assert "title: 'Sparse $\\alpha$-Attention: Scaling Diffusion Transformers to $10^6$ Tokens" in text
    assert "code: https://github.com/example-lab/sparse-alpha-attention\n" in text
    body = text.split("---\n", 2)[2]
    paragraphs = body.strip().split("\n\n")
    assert len(paragraphs) == 2  # hard line breaks unwrapped, the indented line starts a paragraph
    assert paragraphs[0].startswith(
        "Diffusion transformers spend most of their compute on attention between tokens"
    )
    assert "$\\exp(-\\alpha \\|q - k\\|^2)$" in paragraphs[0]
    assert paragraphs[1].startswith("On ImageNet $256 \\times 256$")
    assert api.requests == ["/api/query?id_list=2503.12345v2"]
    capsys.readouterr()
    assert check(project) == 0


def test_old_style_id_is_named_without_the_slash(project: Project, api: ArxivServer) -> None:
    assert new(project, "arXiv:hep-th/9901001", "--date", "1999-01-04", "--endpoint", api.url) == 0
    path = project.root / "content/1999/1999-01-04/hep-th-9901001.md"
    text = path.read_text(encoding="utf-8")
    assert "arxiv: hep-th/9901001\n" in text
    assert "\\partial_\\mu J^\\mu_5 = \\frac{1}{16\\pi^2}" in text
    assert check(project) == 0


def test_endpoint_from_the_environment_and_default_date_today(
    project: Project, api: ArxivServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(arxiv.ENDPOINT_ENV, api.url)
    assert new(project, "https://arxiv.org/abs/2503.12345") == 0
    [path] = paper_files(project)
    assert path.name == "2503.12345.md"
    assert path.parent.name == __import__("datetime").date.today().isoformat()
    assert "arxiv: '2503.12345'" in path.read_text(encoding="utf-8")  # no version asked: none written


@pytest.mark.parametrize(
    ("arxiv_id", "message", "hint"),
    [
        (
            "2503.99999",
            "arXiv refused the id 2503.99999: incorrect id format for 2503.9999999",
            "check the id",
        ),
        ("2503.40000", "arXiv refused the id 2503.40000: incorrect id format", "check the id"),
        ("2512.99999", "arXiv has no paper 2512.99999", "https://arxiv.org/abs/2512.99999"),
        ("2503.40400", "answered HTTP 404", "--endpoint"),
        ("2503.54321", "DOCTYPE", None),
        ("2503.50000", "not a valid Atom feed", "--endpoint"),
    ],
)
def test_api_failures_write_nothing(
    project: Project,
    api: ArxivServer,
    capsys: pytest.CaptureFixture[str],
    arxiv_id: str,
    message: str,
    hint: str | None,
) -> None:
    assert new(project, arxiv_id, "--date", DAY, "--endpoint", api.url) == 1
    err = capsys.readouterr().err
    assert message in err
    if hint:
        assert "hint:" in err and hint in err
    assert paper_files(project) == []


def test_offline_gives_a_clear_message_and_writes_nothing(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as sock:  # a port nobody listens on: connection refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert new(project, "2503.12345", "--date", DAY, "--endpoint", f"http://127.0.0.1:{port}/api/query") == 1
    err = capsys.readouterr().err
    assert "cannot reach the arXiv API" in err
    assert "papers new --title" in err  # the way forward offline
    assert paper_files(project) == []


def test_an_endpoint_that_is_no_address_says_so_not_to_check_the_connection(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert new(project, "2503.12345", "--date", DAY, "--endpoint", "notaurl") == 1
    err = capsys.readouterr().err
    assert "the arXiv API address must start with http:// or https://" in err
    assert "give its full address" in err and "connection" not in err
    assert paper_files(project) == []


def test_not_an_arxiv_id_is_refused_before_asking(
    project: Project, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert new(project, "not-an-id", "--endpoint", api.url) == 1
    assert "`not-an-id` is not an arXiv id" in capsys.readouterr().err
    assert api.requests == []


@pytest.mark.parametrize("existing_id", ["2503.12345", "2503.12345v1"])
def test_a_paper_already_in_content_is_refused_with_its_file(
    project: Project, api: ArxivServer, capsys: pytest.CaptureFixture[str], existing_id: str
) -> None:
    project.paper("2025-03-10", "2503.12345", f'arxiv: "{existing_id}"')
    assert new(project, "2503.12345v2", "--date", DAY, "--endpoint", api.url) == 1
    err = capsys.readouterr().err
    assert "content/2025/2025-03-10/2503.12345.md: error: " in err and "is already in this file" in err
    assert api.requests == []  # refused before asking arXiv
    assert not (project.root / "content/2025/2025-03-17/2503.12345.md").exists()


def test_a_broken_file_named_after_the_id_also_counts_as_existing(
    project: Project, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write("content/2025/2025-03-01/2503.12345.md", "---\ntitle: [unclosed\n---\n\nText.\n")
    assert new(project, "2503.12345", "--date", DAY, "--endpoint", api.url) == 1
    err = capsys.readouterr().err
    assert "content/2025/2025-03-01/2503.12345.md: error: " in err and "is already in this file" in err


def test_the_same_title_without_an_arxiv_id_is_refused(
    project: Project, api: ArxivServer, capsys: pytest.CaptureFixture[str]
) -> None:
    title = (
        "Sparse $\\alpha$-Attention: Scaling Diffusion Transformers to $10^6$ Tokens "
        "with Fr\\'echet-Guided Pruning"
    )
    front = yaml.safe_dump({"title": title.replace("-Guided", " guided")}, width=1000)
    project.write(
        "content/2025/2025-03-16/sparse-alpha-attention.md", f"---\n{front}---\n\n{'An abstract. ' * 20}\n"
    )
    assert new(project, "2503.12345v2", "--date", DAY, "--endpoint", api.url) == 1
    err = capsys.readouterr().err
    assert (
        "content/2025/2025-03-16/sparse-alpha-attention.md: error: " in err
        and "is already in this file" in err
    )
    assert len(paper_files(project)) == 1


def test_blank_paper_from_a_title(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert new(project, "--title", "Attention Is Still All You Need?", "--date", DAY) == 0
    out = capsys.readouterr().out
    path = project.root / "content/2025/2025-03-17/attention-is-still-all-you-need.md"
    assert "wrote content/2025/2025-03-17/attention-is-still-all-you-need.md" in out
    assert "replace the placeholder" in out and "papers check" in out
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: Attention Is Still All You Need?\n")
    assert PLACEHOLDER_ABSTRACT in text
    assert check(project) == 1  # a start, not a paper to publish: the placeholder must go
    line = text.splitlines().index(PLACEHOLDER_ABSTRACT) + 1
    err = capsys.readouterr().err
    assert f"attention-is-still-all-you-need.md:{line}: error: the abstract is still the placeholder" in err
    assert "abstract is only" not in err
    path.write_text(
        text.replace(PLACEHOLDER_ABSTRACT, "replace this line with the abstract"), encoding="utf-8"
    )
    assert check(project) == 1  # its full stop or capital gone, it is the placeholder still
    assert "the abstract is still the placeholder" in capsys.readouterr().err
    path.write_text(text.replace(PLACEHOLDER_ABSTRACT, "A short abstract."), encoding="utf-8")
    assert check(project) == 0  # then only a warning: the abstract is short
    assert (
        f"attention-is-still-all-you-need.md:{line}: warning: the abstract is only 17"
        in capsys.readouterr().err
    )


def test_blank_paper_refuses_a_title_already_there(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    project.paper("2025-03-01", "attention-is-still-all-you-need", title="Attention is still all you need")
    assert new(project, "--title", "Attention Is Still All You Need?", "--date", DAY) == 1
    err = capsys.readouterr().err
    assert (
        "content/2025/2025-03-01/attention-is-still-all-you-need.md: error: " in err
        and "is already in this file" in err
    )


def test_id_and_title_together_or_neither_is_a_usage_problem(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert new(project) == 2
    assert "give an arXiv id or a --title that is not empty" in capsys.readouterr().err
    assert new(project, "2503.12345", "--title", "X") == 2
    assert "give an arXiv id or --title, not both" in capsys.readouterr().err


def test_parse_feed_directly() -> None:
    paper = arxiv.parse_feed("feed", "hep-th/9901001", (FIXTURES / "hep-th-9901001.xml").read_bytes())
    assert paper.authors == ("Emmy Noether", "Hermann Weyl")
    assert paper.primary_category == "hep-th"
    assert paper.code is None
    with pytest.raises(PapersError, match="answered with hep-th/9901001"):
        arxiv.parse_feed("feed", "2503.11111", (FIXTURES / "hep-th-9901001.xml").read_bytes())


def test_direction_characters_are_removed_from_the_abstract_as_from_the_title_and_said() -> None:
    """The check refuses them in an abstract: a paper with one was not written at all."""
    feed = (
        (FIXTURES / "hep-th-9901001.xml")
        .read_bytes()
        .replace(b"The resulting", "The \u202eresulting".encode())
    )
    paper = arxiv.parse_feed("feed", "hep-th/9901001", feed)
    assert "The resulting spectrum" in paper.abstract
    assert paper.cleaned == ("the abstract",)
    feed = feed.replace(b"Boundary", "\u2067Boundary".encode())
    assert arxiv.parse_feed("feed", "hep-th/9901001", feed).cleaned == ("the title", "the abstract")
    feed = feed.replace(b"Hermann", "\u202eHermann".encode())  # said too, as `import hf` says it
    paper = arxiv.parse_feed("feed", "hep-th/9901001", feed)
    assert paper.cleaned == ("the title", "the abstract", "an author's name")
    assert paper.authors[1] == "Hermann Weyl"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--title", "A paper of the far future", "--date", "9999-12-31"],
            "not between the years 1000 and 9998",
        ),
        (["--title", "$$", "--date", "2025-03-17"], "the title shows no text"),
        (["--title", "A paper dated by a typo", "--date", "2205-03-18"], "the paper is dated 2205-03-18"),
    ],
)
def test_new_writes_nothing_the_check_would_refuse(
    project: Project, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert new(project, *args) == 1
    assert message in capsys.readouterr().err
    assert not list((project.root / "content").rglob("*.md"))


def test_a_scaffold_s_examples_uncommented_as_they_are_are_errors(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert new(project, "--title", "A Hand Written Paper", "--date", DAY) == 0
    path = next((project.root / "content").rglob("a-hand-written-paper.md"))
    text = (
        path.read_text(encoding="utf-8")
        .replace("# authors", "authors")
        .replace("# links:\n#  ", "links:\n  ")
    )
    path.write_text(
        text.replace("Replace this line with the abstract.", "An abstract. " * 20), encoding="utf-8"
    )
    capsys.readouterr()
    assert check(project) == 1
    err = capsys.readouterr().err
    assert "`First Author` is still the example that `papers new` wrote" in err
    assert "`Second Author` is still the example" in err
    assert "links.code is still the example that `papers new` wrote" in err
