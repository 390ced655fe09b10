"""Real databases for the store's tests: a temp SQLite file, and Postgres from $PLAYGROUND_TEST_PG or a throwaway
cluster started here from Debian's binaries. Without either the Postgres cases skip with a reason, unless
PG_REQUIRED=1 (CI), where they fail."""

import pgcluster
import pytest

from server.store import Store


@pytest.fixture(scope="session")
def pg_base_url():
    """A Postgres URL whose user may create schemas; the cluster, if started here, lives for the session."""
    with pgcluster.postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """A fresh, empty database: a new SQLite file, or a new Postgres schema (set as the search path in the URL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    with pgcluster.fresh_schema(request.getfixturevalue("pg_base_url")) as url:
        yield url


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
