"""The repository keeps its promises: README's test command is what CI runs, and the documentation's links lead
somewhere."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return [ln.strip() for ln in section.splitlines() if ln.startswith("    ")]


def test_readme_has_two_commands_and_ci_runs_the_test_one():
    app, tests = readme_commands()
    assert "streamlit run streamlit_app.py" in app and "requirements.txt" in app
    assert "pytest" in tests
    ci = (ROOT / ".ci" / "run").read_text()
    assert tests in ci.splitlines()


def test_requirements_have_lower_bounds_and_no_pins():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for ln in (ROOT / name).read_text().splitlines():
            ln = ln.split("#")[0].strip()
            if ln and not ln.startswith("-r"):
                assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+>=[\d.]+", ln), ln


# ----- the documentation's links lead somewhere ----------------------------------------------------------------
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def prose(text: str) -> str:
    """``text`` without fenced code blocks and inline code, where brackets are code, not links."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    return re.sub(r"`[^`\n]*`", "", text)


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {anchor(m.group(1)) for m in re.finditer(r"^#+ (.+)$", prose(path.read_text()), flags=re.M)}


def relative_links(path: Path) -> list[str]:
    return [t for t in LINK.findall(prose(path.read_text())) if not re.match(r"[a-z][a-z0-9+.-]*:", t)]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_finds_its_file_and_heading(doc: Path):
    for target in relative_links(doc):
        file, _, fragment = target.partition("#")
        dest = (doc.parent / file).resolve() if file else doc
        assert dest.exists(), f"{doc.relative_to(ROOT)}: {target} — no file {file}"
        if fragment:
            assert dest.suffix == ".md" and fragment in anchors(dest), \
                f"{doc.relative_to(ROOT)}: {target} — no heading #{fragment} in {dest.relative_to(ROOT)}"


def test_the_link_check_sees_links_and_anchors():
    assert anchor("Dumping the file from your solution") == "dumping-the-file-from-your-solution"
    assert anchor("The engine: `mlp`") == "the-engine-mlp" and anchor("How to add…") == "how-to-add"
    text = "See [a](docs/x.md#y), ![pic](p.png), [web](https://e.org) and `[not](code.md)`.\n```\n[no](z.md)\n```\n"
    assert [t for t in LINK.findall(prose(text)) if not re.match(r"[a-z][a-z0-9+.-]*:", t)] == ["docs/x.md#y", "p.png"]


def test_readme_stays_one_screen_of_what_and_how():
    assert len((ROOT / "README.md").read_text().splitlines()) <= 250


def test_streamlit_secrets_are_ignored_by_git():
    # .streamlit/secrets.toml holds a server's database URL with its password (docs/hosting.md)
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    done = subprocess.run(["git", "check-ignore", "--quiet", "--no-index", ".streamlit/secrets.toml"], cwd=ROOT)
    assert done.returncode == 0, ".streamlit/secrets.toml is not ignored by git (.gitignore)"
