"""Shared fixtures: a tiny project on disk, and the real site built once per session."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.build import build

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEED = SHARED / "seeds" / "000_ff3ff9c05e181d74.txt"
HF_SAMPLES = SHARED / "samples" / "hf-daily-api"

TAGS_YAML = """\
llm: Large language models
diffusion: Diffusion models
reinforcement-learning:
  name: Reinforcement learning
  description: Agents that learn from reward.
robotics: Robotics
"""


def record_calls(
    monkeypatch: pytest.MonkeyPatch, owner: object, name: str, note: Callable[..., Any]
) -> list[Any]:
    """Wrap `owner.name` so that each call first appends `note(*its arguments)` to the list
    returned here; the call itself goes on as before."""
    calls: list[Any] = []
    original = getattr(owner, name)

    def recording(*args: Any, **kwargs: Any) -> Any:
        calls.append(note(*args, **kwargs))
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, recording)
    return calls


class Project:
    """A throwaway project folder with the real layouts and a small vocabulary."""

    def __init__(self, root: Path) -> None:
        self.root = root
        shutil.copytree(REPO / "layouts", root / "layouts")
        (root / "content").mkdir()
        (root / "content" / "tags.yaml").write_text(TAGS_YAML, encoding="utf-8")
        (root / "site.yaml").write_text(
            "title: Test Papers\nbase_url: https://example.org/\nrepository: https://github.com/o/r\n",
            encoding="utf-8",
        )

    def write(self, relative: str, text: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def paper(
        self, day: str, slug: str, front: str = "", body: str = "An abstract. " * 20, title: str = ""
    ) -> Path:
        """Write content/<year>/<day>/<slug>.md; `front` is extra YAML below the title."""
        title = title or slug.replace("-", " ").capitalize()
        front_text = f"title: {title}\n" + textwrap.dedent(front).strip("\n")
        return self.write(f"content/{day[:4]}/{day}/{slug}.md", f"---\n{front_text.strip()}\n---\n\n{body}\n")


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path / "site")


@pytest.fixture
def sample_project(project: Project) -> Project:
    """Three days, several tags, math, authors and links: enough to exercise every page kind."""
    project.paper(
        "2025-03-17",
        "2503.11111",
        """
        arxiv: "2503.11111v2"
        authors: [Ada Lovelace, "Paul Erd\\u0151s"]
        tags: [llm, reinforcement-learning]
        links:
          code: https://github.com/example/code
        upvotes: 12
        tldr: A short summary with $x^2$.
        """,
        "We study $\\alpha$-divergences and the Fr\\'echet distance -- carefully.\n\n$$E = mc^2$$",
        title="Sparse $\\alpha$-Attention for Fr\\'echet Diffusion",
    )
    project.paper("2025-03-17", "second-paper-of-the-day", "tags: [llm]\nupvotes: 3")
    project.paper("2025-03-16", "an-older-paper", "tags: [diffusion]\nauthors: [Grace Hopper]")
    project.paper("2024-12-31", "last-year-paper", "tags: [robotics, llm]")
    return project


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real content/ built once (without the search index) under a subpath."""
    out = tmp_path_factory.mktemp("real") / "public"
    build(REPO, out=out, base_url="https://example.github.io/daily-papers/", search=False)
    return out


def require_shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path.name} is not available beside the repository")
    return path


WriteFn = Callable[[str, str], Path]
os.environ.setdefault("PYTHONHASHSEED", "0")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden/ from the current output"
    )
