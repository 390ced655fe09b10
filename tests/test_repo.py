"""The repository keeps its promises: README's test command is what CI runs."""

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


def test_streamlit_secrets_are_ignored_by_git():
    # .streamlit/secrets.toml holds a server's database URL with its password (docs/hosting.md)
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    done = subprocess.run(["git", "check-ignore", "--quiet", "--no-index", ".streamlit/secrets.toml"], cwd=ROOT)
    assert done.returncode == 0, ".streamlit/secrets.toml is not ignored by git (.gitignore)"
