"""Real databases for the store's tests: a temp SQLite file, and Postgres from $PLAYGROUND_TEST_PG or a throwaway
cluster started here from Debian's binaries. Without either the Postgres cases skip with a reason, unless
PG_REQUIRED=1 (CI), where they fail."""

import os
import uuid
from contextlib import ExitStack

import pgcluster
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from server.store import Store, make_engine


def _unavailable(reason: str):
    if os.environ.get("PG_REQUIRED") == "1":
        pytest.fail(f"{reason} (PG_REQUIRED=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_base_url():
    """A Postgres URL whose user may create schemas; the cluster, if started here, lives for the session."""
    url = os.environ.get("PLAYGROUND_TEST_PG", "").strip()
    if url:
        yield url
        return
    bin_dir = pgcluster.binaries()
    if bin_dir is None:
        _unavailable("Postgres: set PLAYGROUND_TEST_PG or install Debian's postgresql (no /usr/lib/postgresql/*/bin)")
    with ExitStack() as stack:
        try:
            url = stack.enter_context(pgcluster.cluster(bin_dir))
        except (RuntimeError, OSError) as error:
            _unavailable(f"Postgres: the throwaway cluster did not start: {error}")
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """A fresh, empty database: a new SQLite file, or a new Postgres schema (set as the search path in the URL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    base = request.getfixturevalue("pg_base_url")
    schema = f"test_{uuid.uuid4().hex}"
    admin = make_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    finally:
        admin.dispose()


class Clock:
    """A clock the test moves by hand, so rate windows and expiry are tested without sleeping."""

    def __init__(self, now: float = 1_700_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(db_url, clock):
    with Store.open(db_url, clock=clock) as opened:
        yield opened
