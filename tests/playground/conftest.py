"""Fixtures for the page's tests."""

import pytest

from playground import shared
from server.store import StoreError


def _drop_store() -> None:
    """Close the process's store (its connections) and forget it and the reader: the next page makes them again."""
    try:
        shared.store().close()
    except StoreError:
        pass
    shared._store.clear()
    shared.reader.clear()


@pytest.fixture
def fresh_store(tmp_path, monkeypatch):
    """The page's store on a new SQLite file for this test: the store's bounds per minute (new classes, new boards)
    count one test's work, not the whole session's. The process-wide store and reader are made again from it."""
    _drop_store()
    monkeypatch.setenv("PLAYGROUND_DB", f"sqlite:///{tmp_path / 'store.db'}")
    yield
    _drop_store()
