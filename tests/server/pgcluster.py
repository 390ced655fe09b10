"""A throwaway Postgres cluster for the tests: Debian's binaries, a temporary data folder owned by `postgres`
(initdb and pg_ctl refuse to run as root), trust authentication, loopback only, durability off for speed."""

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url


def binaries() -> Path | None:
    """The newest /usr/lib/postgresql/<major>/bin that has initdb, or None."""
    found = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    return max(found, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, default=None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def cluster(bin_dir: Path) -> Iterator[str]:
    """Starts a cluster, yields its SQLAlchemy URL, and always stops it and deletes its folder."""
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    home = Path(tempfile.mkdtemp(prefix="playground-pg-"))
    data, log, port = home / "data", home / "log", free_port()

    def run(*args: object, check: bool = True) -> None:
        done = subprocess.run([*as_postgres, *map(str, args)], capture_output=True, text=True, timeout=120)
        if check and done.returncode != 0:
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{Path(str(args[0])).name} failed: {done.stderr.strip()} {tail}".strip())

    try:
        if as_postgres:
            shutil.chown(home, "postgres", "postgres")
        run(bin_dir / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync")
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {home} -c fsync=off -c synchronous_commit=off"
        try:
            run(bin_dir / "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "-t", "60", "start")
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        finally:
            run(bin_dir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop", check=False)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def unavailable(reason: str) -> None:
    """Skip a Postgres case with the reason, or fail it when PG_REQUIRED=1 (CI)."""
    if os.environ.get("PG_REQUIRED") == "1":
        pytest.fail(f"{reason} (PG_REQUIRED=1)")
    pytest.skip(reason)


@contextmanager
def postgres() -> Iterator[str]:
    """A Postgres URL whose user may create schemas: $PLAYGROUND_TEST_PG, or a throwaway cluster started here
    from Debian's binaries (stopped on exit); skips (or fails, PG_REQUIRED=1) without either."""
    url = os.environ.get("PLAYGROUND_TEST_PG", "").strip()
    if url:
        yield url
        return
    bin_dir = binaries()
    if bin_dir is None:
        unavailable("Postgres: set PLAYGROUND_TEST_PG or install Debian's postgresql (no /usr/lib/postgresql/*/bin)")
    with ExitStack() as stack:
        try:
            url = stack.enter_context(cluster(bin_dir))
        except (RuntimeError, OSError) as error:
            unavailable(f"Postgres: the throwaway cluster did not start: {error}")
        yield url


@contextmanager
def fresh_schema(base: str) -> Iterator[str]:
    """A new, empty Postgres schema, as a URL that makes it the search path; dropped on exit."""
    from server.store import make_engine

    schema = f"test_{uuid.uuid4().hex}"
    admin = make_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        yield make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    finally:
        admin.dispose()
