"""Golden files: one paper page and one day page, compared whole.

After a deliberate change to the layouts, rewrite them with
`python3 -m pytest tests/test_golden.py --update-golden` and review the diff.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.build import build
from generator.cards import find_fonts
from tests.conftest import Project

GOLDEN = Path(__file__).parent / "golden"


def normalise(html: str) -> str:
    """Asset fingerprints change with every stylesheet edit; nothing else is allowed to vary."""
    return re.sub(r"\?v=[0-9a-f]+", "?v=ASSETS", html)


@pytest.mark.parametrize(
    ("name", "page"),
    [("paper.html", "papers/2503.11111/index.html"), ("day.html", "days/2025-03-17/index.html")],
)
def test_page_matches_golden_file(
    sample_project: Project, tmp_path: Path, request: pytest.FixtureRequest, name: str, page: str
) -> None:
    assert find_fonts(), "the paper page links its social card: install a font (Debian: fonts-dejavu-core)"
    out = tmp_path / "public"
    build(sample_project.root, out=out, base_url="https://example.github.io/daily-papers/", search=False)
    actual = normalise((out / page).read_text(encoding="utf-8"))
    golden = GOLDEN / name
    if request.config.getoption("--update-golden"):
        golden.write_text(actual, encoding="utf-8")
    assert golden.is_file(), f"missing {golden}; run pytest with --update-golden"
    assert actual == golden.read_text(encoding="utf-8")
