"""Warnings a reviewer wants to see: reported by `papers check`, never failing it."""

from __future__ import annotations

import pytest

from generator.cli import main
from tests.conftest import Project


@pytest.mark.parametrize(
    ("front", "body", "message"),
    [
        ("", "Short abstract.", "the abstract is only 15 characters"),
        ("", "An abstract. " * 20, None),
        ('authors: ["Ada Lovelace, Alan Turing, Grace Hopper"]', "An abstract. " * 20, "comma-joined"),
    ],
)
def test_reviewer_warnings(
    project: Project, capsys: pytest.CaptureFixture[str], front: str, body: str, message: str | None
) -> None:
    project.paper("2025-03-17", "a-paper", front, body)
    assert main(["--root", str(project.root), "check"]) == 0
    err = capsys.readouterr().err
    if message:
        assert "content/2025/2025-03-17/a-paper.md" in err and "warning: " in err and message in err
    else:
        assert err == ""


def test_all_caps_title_and_future_date_warn(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.paper("2999-01-01", "from-the-future", title="A PAPER WRITTEN IN CAPITALS")
    assert main(["--root", str(project.root), "check", "--format", "github"]) == 0
    out = capsys.readouterr().out
    assert "::warning file=content/2999/2999-01-01/from-the-future.md,line=2" in out
    assert "the title is in ALL CAPS" in out
    assert "in the future" in out
