"""Fixtures for the page's tests."""

import pytest

from playground import shared


@pytest.fixture
def fresh_store(tmp_path, monkeypatch):
    """The page's store on a new SQLite file for this test: the store's bounds per minute (new classes, new boards)
    count one test's work, not the whole session's. The process-wide store and reader are made again from it."""
    shared.restart_store()
    monkeypatch.setenv("PLAYGROUND_DB", f"sqlite:///{tmp_path / 'store.db'}")
    yield
    shared.restart_store()
