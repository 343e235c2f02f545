"""The README's commands work as written (network and long-running ones are run elsewhere)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.validate import PLACEHOLDER_ABSTRACT
from tests.conftest import HF_SAMPLES, REPO, SEED, require_shared

README = (REPO / "README.md").read_text(encoding="utf-8")


def blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, flags=re.S)


def test_readme_opens_with_the_two_setup_commands() -> None:
    first, second = blocks()[:2]
    assert first.strip() == "python3 -m pip install -e . && papers build"
    assert second.strip() == "python3 -m pip install -e '.[test]' && python3 -m pytest"
    assert "(the result is in `public/`)" in README.split("```sh")[0]


def everyday_commands() -> list[list[str]]:
    block = next(b for b in blocks() if "papers serve" in b)
    return [shlex.split(line.split("  #")[0]) for line in block.splitlines() if line.strip()]


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for name in ("content", "layouts"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    return root


def test_everyday_commands_run(copy: Path) -> None:
    seed, sample = require_shared(SEED), require_shared(HF_SAMPLES / "2025-03-17.json")
    ran = 0
    for words in everyday_commands():
        assert words[0] == "papers"
        if words[1] == "serve" or (words[1] == "new" and "--title" not in words):
            continue  # long-running or online: see tests/browser/test_serve.py and tests/test_arxiv.py
        words = [
            sample.as_posix() if w.endswith(".json") else seed.as_posix() if w == "page.txt" else w
            for w in words
        ]
        if words[1] == "build":
            words += ["--out", str(copy / "out"), "--no-search"]
        result = subprocess.run(
            [sys.executable, "-m", "generator", "--root", str(copy), *words[1:]],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"{' '.join(words)}\n{result.stdout}\n{result.stderr}"
        ran += 1
        if words[1] == "new":  # then its user writes the abstract, as its next step says
            for path in (copy / "content").rglob("*.md"):
                text = path.read_text(encoding="utf-8")
                if PLACEHOLDER_ABSTRACT in text:
                    path.write_text(
                        text.replace(PLACEHOLDER_ABSTRACT, "An abstract. " * 20), encoding="utf-8"
                    )
    assert ran >= 6
    assert (copy / "out/index.html").is_file()


@pytest.mark.parametrize(
    "script", sorted(p.name for p in (REPO / "benchmarks").glob("*.py") if p.name != "__init__.py")
)
def test_benchmark_scripts_start_from_the_documented_command(script: str) -> None:
    """`python3 benchmarks/<script> ...` as the READMEs write it: each script finds its imports."""
    result = subprocess.run(
        [sys.executable, f"benchmarks/{script}", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout
