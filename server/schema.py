"""The store's database: its tables, the steps that build them (with a version number), and engines set up so
that concurrent writers queue instead of failing (SQLite on one machine, Postgres across several).

SQLAlchemy Core only. `migrate` brings an older database up to date when a store opens; `make_engine` picks the
set-up for a URL from `ENGINES`; `transaction` turns any database failure into `StoreUnavailable`.
"""

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    create_engine,
    event,
    exc,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import URL, make_url

log = logging.getLogger(__name__)

# --- errors: str(error) is plain words a page can show as is -----------------------------------------------------


class StoreError(Exception):
    """Base of the store's errors."""


class StoreUnavailable(StoreError):
    """The database cannot be reached or failed; `detail` keeps the driver's words for the log, not for visitors."""

    def __init__(self, detail: str = ""):
        super().__init__("The board store cannot be reached right now; try again in a moment.")
        self.detail = detail


# --- schema: tables as the latest version has them, and the steps that build them ---------------------------------

metadata = MetaData()
META = Table("meta", metadata, Column("name", Text, primary_key=True), Column("value", Integer, nullable=False))
BOARDS = Table(
    "boards",
    metadata,
    Column("id", Text, primary_key=True),
    Column("created", Float, nullable=False),
    Column("updated", Float, nullable=False),
    Column("version", Integer, nullable=False),  # bumped on every change, so a page can poll one number
)
ENTRIES = Table(
    "entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("board", Text, ForeignKey("boards.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("owner", Text, nullable=False),
    Column("record", Text, nullable=False),
    Column("created", Float, nullable=False),
    Column("round", Integer),  # the class round it was sent in (NULL: outside a round, or a personal board)
    sqlite_autoincrement=True,  # ids are never reused: a stale page's "remove 7" cannot hit a newer entry
)
ROOMS = Table(
    "rooms",
    metadata,
    Column("code", Text, primary_key=True),
    Column("board", Text, ForeignKey("boards.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("key_hash", Text, nullable=False),
    Column("task", Text, nullable=False),
    Column("challenge", Text, nullable=False),
    Column("anonymous", Boolean, nullable=False),
    Column("locked", Boolean, nullable=False),
    Column("created", Float, nullable=False),
    Column("active", Float, nullable=False, index=True),
)
SENDS = Table(  # every accepted send, kept for the rate window even when the teacher removes the entry
    "sends",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("room", Text, ForeignKey("rooms.code", ondelete="CASCADE"), nullable=False),
    Column("owner", Text, nullable=False),
    Column("at", Float, nullable=False),
    Index("ix_sends_room_owner_at", "room", "owner", "at"),
    sqlite_autoincrement=True,
)
STUDENTS = Table(  # the identities a room issued (a signed token each, `server.identity`) and their names
    "students",
    metadata,
    Column("room", Text, ForeignKey("rooms.code", ondelete="CASCADE"), primary_key=True),
    Column("token", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("created", Float, nullable=False),
    Index("ix_students_room_created", "room", "created"),
)
SETTINGS = Table(  # what every server on one database shares: the signing secret, the last purge, a lock row
    "settings",
    metadata,
    Column("name", Text, primary_key=True),
    Column("value", Text, nullable=False),
)
CREATIONS = "creations"  # the SETTINGS row locked while a new board or room is counted against its bound
PURGED = "purged"  # the SETTINGS row holding when the last purge ran (seconds since the epoch)
SECRET = "secret"  # the SETTINGS row holding the signing secret, when the environment gives none


# --- a live lesson (version 4): rounds, votes and their ballots, the class's backprop checks, a lesson's end -------
ROUNDS = Table(  # a room's timed rounds: entries sent between started and ends carry the number
    "rounds",
    metadata,
    Column("room", Text, ForeignKey("rooms.code", ondelete="CASCADE"), primary_key=True),
    Column("number", Integer, primary_key=True),  # 1, 2, … per room
    Column("started", Float, nullable=False),
    Column("ends", Float, nullable=False),
    Column("revealed", Boolean, nullable=False),  # the board shows the round's entries
)
VOTES = Table(  # a question put to the class; the latest of a room is the one on screen
    "votes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("room", Text, ForeignKey("rooms.code", ondelete="CASCADE"), nullable=False, index=True),
    Column("question", Text, nullable=False),
    Column("options", Text, nullable=False),  # a JSON list of the option texts
    Column("preset", Text, nullable=False),  # what runs after the vote: a lab.presets name, or ""
    Column("link", Text, nullable=False),  # ... or a task link's query, or ""
    Column("opened", Float, nullable=False),
    Column("closed", Float),  # NULL while open
    sqlite_autoincrement=True,
)
BALLOTS = Table(  # one a student (identity) a vote, changeable until the vote closes
    "ballots",
    metadata,
    Column("vote", Integer, ForeignKey("votes.id", ondelete="CASCADE"), primary_key=True),
    Column("owner", Text, primary_key=True),
    Column("choice", Integer, nullable=False),  # index into the vote's options
    Column("changes", Integer, nullable=False),  # times cast, bounded
    Column("at", Float, nullable=False),
)
CHECKS = Table(  # "Send my check to class": the verdict and the recognised mistakes, never a student's numbers
    "checks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("room", Text, ForeignKey("rooms.code", ondelete="CASCADE"), nullable=False),
    Column("owner", Text, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("mistakes", Text, nullable=False),  # companion.mistakes.MISTAKES names, comma-separated
    Column("at", Float, nullable=False),
    Index("ix_checks_room_owner", "room", "owner"),
    sqlite_autoincrement=True,
)
LESSONS = Table(  # a lesson that has ended: its room is read-only from then on
    "lessons",
    metadata,
    Column("room", Text, ForeignKey("rooms.code", ondelete="CASCADE"), primary_key=True),
    Column("ended", Float, nullable=False),
)


def _v1_boards(conn: Connection) -> None:
    """Personal comparison boards, with entries as version 1 made them (step 4 adds their round)."""
    frozen = MetaData()
    BOARDS.to_metadata(frozen)
    Table(
        "entries",
        frozen,
        Column("id", Integer, primary_key=True),
        Column("board", Text, ForeignKey("boards.id", ondelete="CASCADE"), nullable=False, index=True),
        Column("name", Text, nullable=False),
        Column("owner", Text, nullable=False),
        Column("record", Text, nullable=False),
        Column("created", Float, nullable=False),
        sqlite_autoincrement=True,
    )
    frozen.create_all(conn)


def _v2_rooms(conn: Connection) -> None:
    """Class rooms and their send log."""
    for table in (ROOMS, SENDS):
        table.create(conn)


def _v3_identities(conn: Connection) -> None:
    """Identities the server issues (students, settings), and the indexes the bounds and the purge count with."""
    for table in (STUDENTS, SETTINGS):
        table.create(conn)
    for name, table, columns in (("ix_boards_created", "boards", "created"), ("ix_boards_updated", "boards", "updated"),
                                 ("ix_rooms_created", "rooms", "created"), ("ix_sends_room_at", "sends", "room, at")):
        conn.execute(text(f"CREATE INDEX {name} ON {table} ({columns})"))
    conn.execute(insert(SETTINGS), [{"name": CREATIONS, "value": ""}, {"name": PURGED, "value": "0"}])


def _v4_lesson(conn: Connection) -> None:
    """A live lesson: rounds (and each entry's round), votes and ballots, the class's checks, a lesson's end."""
    conn.execute(text("ALTER TABLE entries ADD COLUMN round INTEGER"))
    for table in (ROUNDS, VOTES, BALLOTS, CHECKS, LESSONS):
        table.create(conn)


# Step i brings the schema from version i to i + 1, and a released step must keep building what it built. Steps 2
# to 4 create their Tables as they stand (step 3 adds indexes to older tables by name, outside their Table
# definitions, so that steps 1 and 2 keep building what they built); a table that a later step changes is frozen,
# as it was, inside the step that created it (step 1's entries, which step 4 gives a round), and the later step
# alters it (ALTER TABLE …).
MIGRATIONS: tuple[Callable[[Connection], None], ...] = (_v1_boards, _v2_rooms, _v3_identities, _v4_lesson)
SCHEMA_VERSION = len(MIGRATIONS)
# Serializes two processes migrating one database at once. SQLite needs nothing: BEGIN IMMEDIATE already does it.
_MIGRATION_LOCK = {"postgresql": "SELECT pg_advisory_xact_lock(7106151)"}


def migrate(engine: Engine, target: int = SCHEMA_VERSION) -> int:
    """Applies the missing steps up to `target` in one transaction and returns the schema version now in force.

    A database newer than this code is refused with a StoreError rather than read with the wrong idea of its tables.
    """
    with transaction(engine, write=True) as conn:
        if lock := _MIGRATION_LOCK.get(engine.dialect.name):
            conn.execute(text(lock))
        META.create(conn, checkfirst=True)
        version = conn.scalar(select(META.c.value).where(META.c.name == "schema_version"))
        if version is not None and version > SCHEMA_VERSION:
            raise StoreError(
                f"The board store's database has schema version {version}, but this app knows versions up to "
                f"{SCHEMA_VERSION}: update the app (or point it at another database)."
            )
        for step in MIGRATIONS[version or 0 : target]:
            step(conn)
        if version is None:
            conn.execute(insert(META).values(name="schema_version", value=target))
        elif target > version:
            conn.execute(update(META).where(META.c.name == "schema_version").values(value=target))
        return max(version or 0, target)


# --- engines: what each database needs so that concurrent writers queue instead of failing -------------------------


def _sqlite(url: URL) -> Engine:
    """WAL (readers never block the writer), a 10 s busy wait and foreign keys on every connection; write
    transactions start with BEGIN IMMEDIATE, so a writer takes the lock before it reads what it checks (SQLAlchemy's
    pysqlite recipe: the driver's own BEGIN off, ours in the "begin" event)."""
    if url.database in (None, "", ":memory:"):
        raise ValueError("The store needs a SQLite file (sqlite:///path/to/file.db): memory is not shared.")
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        sqlite_setup(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("store_write") else "BEGIN")

    return engine


SQLITE_PATIENCE = 10.0  # seconds a connection waits for another's lock: the busy timeout, and the WAL switch's retries


def sqlite_setup(connection: sqlite3.Connection) -> None:
    """What every SQLite connection of the store runs first: autocommit off in the driver (BEGIN is ours), the busy
    wait, foreign keys, and WAL.

    Switching a new database to WAL can fail at once with "database is locked" when several processes open it at
    the same moment: SQLite skips the busy handler where waiting could deadlock (one connection holds a read lock
    it wants to upgrade while another waits for it to let go). That is retried for as long as the busy wait would
    have waited; by then another connection has switched the file, and the pragma has nothing left to do.
    """
    connection.isolation_level = None
    connection.execute(f"PRAGMA busy_timeout = {int(SQLITE_PATIENCE * 1000)}")
    connection.execute("PRAGMA foreign_keys = ON")
    deadline = time.monotonic() + SQLITE_PATIENCE
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _postgresql(url: URL) -> Engine:
    """psycopg 3 (a bare postgresql:// means it too), a 5 s connect timeout unless the URL sets one, and a ping
    before reusing a pooled connection so a restarted database server costs no visitor an error."""
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    connect_args = {} if "connect_timeout" in url.query else {"connect_timeout": 5}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


ENGINES: dict[str, Callable[[URL], Engine]] = {"sqlite": _sqlite, "postgresql": _postgresql}


def make_engine(url: str) -> Engine:
    """An engine for a sqlite:/// or postgresql:// URL, set up as ENGINES says; ValueError for anything else."""
    try:
        parsed = make_url(url)
    except exc.ArgumentError:
        raise ValueError("The store URL is not a database URL: use sqlite:///path or postgresql+psycopg://…") from None
    backend = ENGINES.get(parsed.get_backend_name())
    if backend is None:
        raise ValueError(f"The store supports {' and '.join(ENGINES)} URLs, not {parsed.get_backend_name()!r}.")
    try:
        return backend(parsed)
    except (exc.ArgumentError, ImportError) as error:
        raise ValueError(f"The store URL's driver cannot be loaded ({error}).") from None


@contextmanager
def transaction(engine: Engine, write: bool = False) -> Iterator[Connection]:
    """One transaction (a write one takes SQLite's lock at BEGIN); database failures become StoreUnavailable.

    IntegrityError passes through: it means a unique key was taken, which new_room answers by drawing again.
    """
    try:
        with engine.connect() as conn:
            conn.execution_options(store_write=write)
            with conn.begin():
                yield conn
    except exc.IntegrityError:
        raise
    except (exc.DBAPIError, exc.TimeoutError) as error:  # TimeoutError: every pooled connection busy for 30 s
        detail = str(getattr(error, "orig", None) or error).strip()
        log.error("the store is unavailable: %s", detail or type(error).__name__)  # the page says it in plain words
        raise StoreUnavailable(detail.splitlines()[0][:200] if detail else type(error).__name__) from error


