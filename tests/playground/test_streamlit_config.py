"""The hosted page's Streamlit settings stay hardened, and every one is an option Streamlit knows."""

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".streamlit" / "config.toml"

EXPECTED = {
    "global.developmentMode": False,
    "server.enableXsrfProtection": True,
    "server.enableCORS": True,
    "server.maxUploadSize": 1,
    "server.fileWatcherType": "none",
    "browser.gatherUsageStats": False,
    "client.showErrorDetails": "none",  # the strictest: a generic message, no type, message or traceback
    "runner.magicEnabled": False,
}


def settings() -> dict[str, object]:
    """The file's options as Streamlit names them: section.option."""
    data = tomllib.loads(CONFIG.read_text())
    return {f"{section}.{k}": v for section, table in data.items() for k, v in table.items()}


@pytest.mark.parametrize("key, value", EXPECTED.items())
def test_hardened_setting(key, value):
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
