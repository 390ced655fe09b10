"""The hosted page's Streamlit settings: every one is an option Streamlit knows, of its type (a misspelt option is
silently ignored, and a protection with it), and the ones that protect a public page's visitors and server are set.
Preferences (usage statistics, magic, the file watcher) are the file's business, not restated here."""

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".streamlit" / "config.toml"

PROTECTIONS = {
    "client.showErrorDetails": "none",  # no traceback, type or message of an error reaches a browser
    "server.enableXsrfProtection": True,  # uploads and widget changes carry the session's token
    "server.enableCORS": True,  # no other site's script may call the server
    "server.maxUploadSize": 1,  # MB Streamlit takes in before the page's own checks (CSVs, gradient files) run
    "global.developmentMode": False,  # no development server, no reloads from the visitor's side
}


def settings() -> dict[str, object]:
    """The file's options as Streamlit names them: section.option."""
    data = tomllib.loads(CONFIG.read_text())
    return {f"{section}.{k}": v for section, table in data.items() for k, v in table.items()}


@pytest.mark.parametrize("key, value", PROTECTIONS.items())
def test_a_protection_is_set(key, value):
    assert settings().get(key) == value
    assert type(settings()[key]) is type(value)


def test_toolbar_hides_developer_options():
    assert settings()["client.toolbarMode"] in ("viewer", "minimal")


def test_every_setting_is_a_streamlit_option_of_the_right_type():
    from streamlit import config

    options = config.get_config_options()
    for key, value in settings().items():
        assert key in options, f"{key} is not a Streamlit option"
        if options[key].type is not None and not options[key].multiple:
            assert isinstance(value, options[key].type), (key, value, options[key].type)
    assert settings()["client.showErrorDetails"] in {v.value for v in config.ShowErrorDetailsConfigOptions}
