"""Where the store is, and the secret it signs identities with: what a host configures (docs/hosting.md).

The environment wins (``PLAYGROUND_DB``, ``PLAYGROUND_SECRET``), so a host can point every process at one Postgres
without editing files; then Streamlit's secrets file, where ``st.connection`` and Streamlit Community Cloud keep
theirs; then a SQLite file beside the code, and a secret the store makes once and keeps in its database.
"""

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from server.identity import check_secret

ROOT = Path(__file__).resolve().parent.parent  # the folder holding streamlit_app.py


def resolve_url(
    env: Mapping[str, str] = os.environ,
    secrets: Path = Path(".streamlit/secrets.toml"),
    data_dir: Path = Path("data"),
) -> str:
    """The store's SQLAlchemy URL: $PLAYGROUND_DB, else `[connections.board] url` in the secrets file, else a
    SQLite file in `data_dir` (created). The environment wins so a host can point every process at one Postgres
    without editing files; the secrets file is where Streamlit's own `st.connection` looks. Relative paths are
    taken from the repository root, not the current directory, so `streamlit run` from anywhere finds one store.
    """
    url = env.get("PLAYGROUND_DB", "").strip()
    if url:
        return url
    path = ROOT / secrets
    if path.is_file():
        try:
            url = _secrets_file(path).get("connections", {}).get("board", {}).get("url")
        except AttributeError as error:
            raise ValueError(f"{path} is not valid TOML with a [connections.board] table ({error}).") from None
        if url is not None:
            if not isinstance(url, str) or not url.strip():
                raise ValueError(
                    f'{path}: [connections.board] url must be a database URL in quotes, e.g. "sqlite:///…".'
                )
            return url.strip()
    folder = ROOT / data_dir
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'playground.db'}"


def resolve_secret(env: Mapping[str, str] = os.environ, secrets: Path = Path(".streamlit/secrets.toml")) -> str | None:
    """The secret identities are signed with: $PLAYGROUND_SECRET, else a top-level PLAYGROUND_SECRET in the secrets
    file (where Streamlit Community Cloud keeps secrets), else None: the store then makes one and keeps it in the
    database, which every server on that database reads. ValueError for a secret under 32 characters."""
    value = env.get("PLAYGROUND_SECRET", "").strip()
    if value:
        return check_secret(value, "PLAYGROUND_SECRET")
    path = ROOT / secrets
    value = _secrets_file(path).get("PLAYGROUND_SECRET") if path.is_file() else None
    return None if value is None else check_secret(value, f"{path}: PLAYGROUND_SECRET")


def _secrets_file(path: Path) -> dict:
    """Streamlit's secrets file, read; ValueError naming it when it is not TOML."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path} is not valid TOML ({error}).") from None
