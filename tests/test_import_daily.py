"""The daily-page dump importer: the real seed round-trips, and a second run changes nothing."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main
from generator.content import read_site
from generator.errors import PapersError
from generator.importers.daily_text import dump_date, parse_daily_dump
from generator.markup import to_text
from tests.conftest import SEED, Project, require_shared


def tex_rules(text: str) -> str:
    """The TeX (and Markdown emphasis) in the seed, rendered by hand: the round trip's oracle."""
    for source, result in (("\\'e", "é"), ("~", "\u00a0"), ("---", "—"), ("--", "–")):
        text = text.replace(source, result)
    return re.sub(r"\*(\S[^*]*\S)\*", r"\1", text)


def seed_items() -> list[tuple[str, str]]:
    lines = [line for line in require_shared(SEED).read_text(encoding="utf-8").splitlines()[9:] if line]
    return list(zip(lines[::2], lines[1::2], strict=True))


def test_parses_the_header_date_and_83_papers() -> None:
    text = require_shared(SEED).read_text(encoding="utf-8")
    assert dump_date(text, dt.date(2025, 12, 31)) == dt.date(2025, 3, 17)
    assert len(parse_daily_dump("seed.txt", text)) == 83


@pytest.mark.parametrize(
    ("header", "today", "day"),
    [
        ("Mar 17", dt.date(2025, 12, 31), dt.date(2025, 3, 17)),  # this year's
        ("Mar 17", dt.date(2025, 3, 1), dt.date(2024, 3, 17)),  # still to come this year: last year's
        ("Mar 17, 2024", dt.date(2025, 12, 31), dt.date(2024, 3, 17)),  # a year written is the year
        ("Feb 29, 2024", dt.date(2025, 12, 31), dt.date(2024, 2, 29)),  # read with its year
        ("Feb 29", dt.date(2025, 12, 31), dt.date(2024, 2, 29)),  # the last one there was
        ("Feb 29", dt.date(2026, 11, 27), dt.date(2024, 2, 29)),  # two years back
        ("Feb 29", dt.date(2024, 2, 28), dt.date(2020, 2, 29)),  # still to come: four years back
        ("Feb 29", dt.date(2104, 3, 1), dt.date(2104, 2, 29)),
        ("Feb 29", dt.date(2104, 2, 28), dt.date(2096, 2, 29)),  # 2100 has none
        ("Feb 30", dt.date(2025, 12, 31), None),
    ],
)
def test_a_header_s_own_year_comes_first(header: str, today: dt.date, day: dt.date | None) -> None:
    assert dump_date(f"Daily Papers\n{header}\nA title\nAn abstract.", today) == day


def test_round_trip_keeps_every_title_and_abstract(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["--root", str(project.root), "import-daily", str(require_shared(SEED)), "--date", "2025-03-17"])
        == 0
    )
    assert "imported: 83 written" in capsys.readouterr().out
    checked = read_site(project.root)
    assert checked.problems == []
    papers = {paper.title: paper for paper in checked.papers}
    items = seed_items()
    assert len(papers) == len(items) == 83
    for title, abstract in items:
        paper = papers[title]
        assert paper.body == abstract
        assert paper.day == dt.date(2025, 3, 17)
        assert to_text(paper.title) == tex_rules(title)
        assert to_text(paper.body) == tex_rules(abstract)


def test_tex_in_the_seed_renders_as_a_reader_expects(project: Project) -> None:
    main(["--root", str(project.root), "import-daily", str(require_shared(SEED)), "--date", "2025-03-17"])
    texts = {to_text(p.title): to_text(p.body) for p in read_site(project.root).papers}
    assert any("Fréchet inception distance" in body for body in texts.values())
    assert any("Multi-modal Language Models\u00a0(MLMs)" in body for body in texts.values())
    assert any(title.startswith("Learning to Fly – a Gym Environment") for title in texts)


def test_second_import_changes_nothing(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    seed = str(require_shared(SEED))
    main(["--root", str(project.root), "import-daily", seed, "--date", "2025-03-17"])
    before = {p: p.read_bytes() for p in (project.root / "content").rglob("*.md")}
    capsys.readouterr()
    assert main(["--root", str(project.root), "import-daily", seed, "--date", "2025-03-17"]) == 0
    assert capsys.readouterr().out.strip() == "imported: 83 unchanged"
    assert {p: p.read_bytes() for p in (project.root / "content").rglob("*.md")} == before


def test_never_overwrites_an_edited_file_without_force(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = project.write("dump.txt", "Mar 17\n\nA Paper Title\n\nThe abstract as published.\n")
    main(["--root", str(project.root), "import-daily", str(dump), "--date", "2025-03-17"])
    path = project.root / "content/2025/2025-03-17/a-paper-title.md"
    edited = path.read_text(encoding="utf-8").replace("as published", "as corrected by a human")
    path.write_text(edited, encoding="utf-8")
    capsys.readouterr()
    main(["--root", str(project.root), "import-daily", str(dump), "--date", "2025-03-17"])
    assert "kept" in capsys.readouterr().out
    assert path.read_text(encoding="utf-8") == edited
    main(["--root", str(project.root), "import-daily", str(dump), "--date", "2025-03-17", "--force"])
    assert "as published" in path.read_text(encoding="utf-8")


def test_a_curator_s_tags_survive_a_re_import_forced_or_not(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """The dump has a title and an abstract, nothing else: tags someone added are the file's
    own. `--force` takes the dump's title and keeps them; a title edited since still finds
    its file (the abstract is the dump's), rather than a second copy."""
    dump = project.write("dump.txt", "Mar 17\n\nA Paper Title\n\nThe abstract as published.\n")
    import_daily = ["--root", str(project.root), "import-daily", str(dump), "--date", "2025-03-17"]
    main(import_daily)
    path = project.root / "content/2025/2025-03-17/a-paper-title.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("---\n\n", "tags: [llm]  # chosen by hand\n---\n\n"),
        encoding="utf-8",
    )
    capsys.readouterr()
    main(import_daily)
    assert capsys.readouterr().out.strip() == "imported: 1 unchanged"  # no `--force` to lose them
    path.write_text(
        path.read_text(encoding="utf-8").replace("A Paper Title", "A Title Edited"), encoding="utf-8"
    )
    main(import_daily)
    assert "(title differs from the import; --force takes the import's)" in capsys.readouterr().out
    main([*import_daily, "--force"])
    assert "(title from the import; the file's other lines kept)" in capsys.readouterr().out
    assert [p.name for p in path.parent.iterdir()] == ["a-paper-title.md"]
    text = path.read_text(encoding="utf-8")
    assert "title: A Paper Title\n" in text and "tags: [llm]  # chosen by hand\n" in text


def test_a_paper_retitled_by_hand_is_found_by_its_abstract_on_another_day(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    first = project.write("d1.txt", "Mar 17\n\nLearning Things\n\nThe abstract as published, long enough.\n")
    main(["--root", str(project.root), "import-daily", str(first), "--date", "2025-03-17"])
    path = project.root / "content/2025/2025-03-17/learning-things.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Learning Things", "Learning Many Things"), encoding="utf-8"
    )
    second = project.write("d2.txt", "Mar 18\n\nLearning Things\n\nThe abstract as published, long enough.\n")
    capsys.readouterr()
    main(["--root", str(project.root), "import-daily", str(second), "--date", "2025-03-18"])
    assert "already in content/2025/2025-03-17/learning-things.md" in capsys.readouterr().out
    assert not (project.root / "content/2025/2025-03-18").exists()


def test_same_title_on_another_day_is_skipped(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.paper("2025-03-10", "a-paper-title", body="Already here. " * 20)
    dump = project.write("dump.txt", "Mar 17\n\nA paper title\n\nThe abstract.\n")
    main(["--root", str(project.root), "import-daily", str(dump), "--date", "2025-03-17"])
    out = capsys.readouterr().out
    assert "skipped" in out and "already in content/2025/2025-03-10/a-paper-title.md" in out
    assert not (project.root / "content/2025/2025-03-17").exists()


def test_direction_characters_are_removed_and_said_with_their_line(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """The check refuses them in an abstract: the paper is written without them, not skipped."""
    abstract = "An abstract of a paper, \u202ereversed\u202c by a character pasted with it. " * 3
    dump = project.write("dump.txt", f"Mar 17\n\nA paper title\n\n{abstract}\n")
    assert main(["--root", str(project.root), "import-daily", str(dump), "--date", "2025-03-17"]) == 0
    assert "dump.txt:5: warning: control or invisible direction characters removed" in capsys.readouterr().err
    (paper,) = read_site(project.root).papers
    assert "\u202e" not in paper.body and "reversed by a character" in paper.body
    assert main(["--root", str(project.root), "check"]) == 0


def test_unpaired_lines_are_an_error_with_the_line() -> None:
    with pytest.raises(PapersError) as error:
        parse_daily_dump("dump.txt", "Mar 17\n\nTitle one\n\nAbstract one\n\nDangling title\n")
    assert error.value.problems[0].line == 7


def test_a_title_longer_than_its_abstract_names_both_lines() -> None:
    """Out of step, or an abstract cut short: the message says which two lines and both fixes."""
    dump = "Mar 17\n\nTitle one\n\nThe first abstract, long enough.\n\nAnother Real Title: Here\n\nShort.\n"
    with pytest.raises(PapersError) as error:
        parse_daily_dump("dump.txt", dump)
    (problem,) = error.value.problems
    assert (
        problem.line == 7
        and "read as a title, is longer than line 9, read as its abstract" in problem.message
    )
    assert "paste the whole of it" in (problem.hint or "")


def test_import_through_the_installed_entry_point(project: Project) -> None:
    dump = project.write("dump.txt", "Mar 17\n\nEntry Point Paper\n\nThe abstract, long enough.\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "--root",
            str(project.root),
            "import-daily",
            str(dump),
            "--date",
            "2025-03-17",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "written   content/2025/2025-03-17/entry-point-paper.md" in result.stdout


def test_a_dump_without_its_date_line_is_refused(project: Project, tmp_path: Path) -> None:
    """Its header lines ("Subscribe", "Get trending papers...") would have become papers."""
    lines = require_shared(SEED).read_text(encoding="utf-8").splitlines()
    dump = tmp_path / "nodate.txt"
    dump.write_text("\n".join(line for line in lines if line != "Mar 17") + "\n", encoding="utf-8")
    with pytest.raises(PapersError) as error:
        parse_daily_dump(str(dump), dump.read_text(encoding="utf-8"))
    assert "no date line like `Mar 17`" in str(error.value)
    assert main(["--root", str(project.root), "import-daily", str(dump), "--date", "2025-03-17"]) == 1
    assert not list((project.root / "content").rglob("*.md"))


def test_a_pairing_that_breaks_is_reported_where_it_breaks() -> None:
    lines = [line for line in require_shared(SEED).read_text(encoding="utf-8").splitlines()[9:] if line]
    del lines[10]  # the sixth paper's title: from there on, abstracts sit where titles should
    with pytest.raises(PapersError) as error:
        parse_daily_dump("dump.txt", "Mar 17\n" + "\n\n".join(lines))
    (problem,) = error.value.problems
    assert problem.line == 22 and "do not pair up from here on" in problem.message


def test_a_header_without_a_year_says_which_it_took(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = tmp_path / "page.txt"
    dump.write_text(
        "Jan 2\n\nA Title Of A Paper\n\n" + "An abstract sentence. " * 10 + "\n", encoding="utf-8"
    )
    assert main(["--root", str(project.root), "import-daily", str(dump)]) == 0
    out = capsys.readouterr().out
    assert "the dump says `Jan 2`, without a year: importing as " in out and "(--date chooses)" in out


def test_a_title_repeated_in_the_dump_keeps_its_first_item_even_with_force(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = tmp_path / "page.txt"
    first, second = "The first abstract, long enough to be one. " * 3, "Another abstract entirely. " * 5
    dump.write_text(
        f"Daily Papers\nMar 17, 2025\nAttention Is All You Need\n{first}\nattention is all you need!\n{second}\n",
        encoding="utf-8",
    )
    assert main(["--root", str(project.root), "import-daily", str(dump), "--force"]) == 0
    out = capsys.readouterr().out
    (written,) = (project.root / "content/2025/2025-03-17").glob("*.md")
    assert first.strip() in written.read_text(encoding="utf-8")
    assert "the same paper as an earlier item of this import" in out and "replaced" not in out


def test_a_draft_with_the_same_name_is_another_paper_and_never_replaced(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """A `papers new` draft the check still refuses (its abstract is the placeholder) is not
    listed by the site: a paper whose long title cuts to the draft's name is written beside
    it, not over it, forced or not."""
    words = "Scaling Laws for Sparse Attention in Long Document Transformers With Many Many Layers"
    assert (
        main(["--root", str(project.root), "new", "--title", f"{words} and Part Two", "--date", "2025-03-17"])
        == 0
    )
    (draft,) = (project.root / "content/2025/2025-03-17").iterdir()
    written = draft.read_bytes()
    abstract = "This abstract describes part three of the study, a different paper from part two. " * 3
    dump = project.write("dump.txt", f"Mar 17\n\n{words} and Part Three\n\n{abstract}\n")
    import_daily = ["--root", str(project.root), "import-daily", str(dump), "--date", "2025-03-17"]
    capsys.readouterr()
    main(import_daily)
    assert f"{draft.stem}-2.md" in capsys.readouterr().out
    main([*import_daily, "--force"])
    assert draft.read_bytes() == written
    assert {p.name for p in draft.parent.iterdir()} == {draft.name, f"{draft.stem}-2.md"}
    assert "Part Three" in (draft.parent / f"{draft.stem}-2.md").read_text(encoding="utf-8")


def test_a_dump_that_is_not_there_is_said_as_check_says_it(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "page.txt"
    assert main(["--root", str(project.root), "import-daily", str(missing)]) == 1
    err = capsys.readouterr().err
    assert f"{missing}: error: no such file or folder\n    hint: give the path of the text file" in err
    assert "Errno" not in err
    too_long = tmp_path / ("a" * 300)  # a name the system refuses to look up: said, not a traceback
    assert main(["--root", str(project.root), "import-daily", str(too_long)]) == 1
    assert "error: cannot read the dump: File name too long" in capsys.readouterr().err
    assert main(["--root", str(project.root), "import-daily", str(tmp_path)]) == 1
    assert "error: this is a folder, not the text of a page" in capsys.readouterr().err


def test_a_dump_that_is_not_utf8_says_where_and_how_to_fix_it(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = tmp_path / "page.txt"
    dump.write_bytes("Mar 17, 2025\n\nA Title\n\nAn abstract, caf\u00e9.\n".encode("latin-1"))
    assert main(["--root", str(project.root), "import-daily", str(dump)]) == 1
    err = capsys.readouterr().err
    assert f"{dump}:5: error: the dump is not UTF-8 text (byte 0xe9 at offset 39)" in err
    assert "hint: save the page's text with UTF-8 encoding" in err and "codec" not in err


def test_a_single_line_after_the_header_is_counted_in_the_singular() -> None:
    with pytest.raises(PapersError) as error:
        parse_daily_dump("dump.txt", "Mar 17\n\nA lone title\n")
    (problem,) = error.value.problems
    assert problem.message == (
        "1 non-empty line after the header, an odd number: titles and abstracts come in pairs, "
        "and the last line ('A lone title'...) is left without a partner"
    )
