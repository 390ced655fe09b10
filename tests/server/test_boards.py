"""The process-wide board reader on a real store: bounded caches that keep only what exists, one read for pages
asking at once, no page waiting on another board's slow read, and entries that cannot be read counted, not fatal;
and the purge thread doing its work on its own."""

import threading
import time

import pytest
from store_helpers import new_room, student

from lab.experiment import Experiment
from lab.record import Record
from lab.run import finish, new_run
from server import boards, rooms
from server.boards import BoardReader
from server.purge import Purger
from server.store import Store, StoreUnavailable


@pytest.fixture(scope="module")
def record_json() -> str:
    return finish(new_run(Experiment(dataset="xor", epochs=20, hidden=(3, 2)))).record().thinned().to_json()


def reader_of(store: Store, ttl: float = 60.0) -> BoardReader:
    return BoardReader(lambda: store, ttl=ttl)


def test_junk_board_ids_and_codes_leave_nothing_cached(store):
    reader = reader_of(store)
    for i in range(2000):
        view = reader.board(f"junk-{i:05d}-" + "x" * 16)
        assert view.version == 0 and view.entries == ()
    for code in ("ZZZZZZ", "ABCDEF", "not a code"):
        assert reader.room(code) is None
    assert reader.sizes() == {"boards": 0, "rooms": 0, "records": 0}


def test_the_caches_keep_the_most_recently_used(store, monkeypatch):
    monkeypatch.setattr(boards, "MAX_BOARDS", 3)
    monkeypatch.setattr(boards, "MAX_ROOMS", 2)
    reader = reader_of(store)
    ids = [store.new_board() for _ in range(5)]
    for board in ids:
        assert reader.board(board).version == 1
    reader.board(ids[2])  # kept are ids[2:], ids[2] the least recently used: now the most
    reads = reader.reads
    for board in ids[2:]:
        reader.board(board)  # the last three are kept: no query
    assert reader.reads == reads and reader.sizes()["boards"] == 3
    reader.board(ids[0])
    assert reader.reads == reads + 2  # evicted: read again (version and entries)
    codes = [new_room(store).code for _ in range(3)]
    for code in codes:
        reader.room(code)
    assert reader.sizes()["rooms"] == 2


def test_pages_asking_for_one_board_at_once_cost_one_read(db_url):
    gate = threading.Event()

    class Slow(Store):
        def board_version(self, board: str) -> int:
            gate.wait(10)
            return super().board_version(board)

    with Slow.open(db_url) as store:
        board = store.new_board()
        reader = reader_of(store)
        views = []
        threads = [threading.Thread(target=lambda: views.append(reader.board(board))) for _ in range(8)]
        for thread in threads:
            thread.start()
        time.sleep(0.3)  # every thread has asked; one reads, seven wait for it
        gate.set()
        for thread in threads:
            thread.join(10)
        assert len(views) == 8 and len({id(v) for v in views}) == 1
        assert reader.reads == 2  # one version read and one entries read, for the eight of them


def test_a_slow_read_of_one_board_holds_up_no_other(db_url):
    slow_board, release = [], threading.Event()

    class Slow(Store):
        def entries(self, board: str):
            if slow_board and board == slow_board[0]:
                release.wait(10)
            return super().entries(board)

    with Slow.open(db_url) as store:
        slow, quick = store.new_board(), store.new_board()
        slow_board.append(slow)
        reader = reader_of(store)
        stuck = threading.Thread(target=reader.board, args=(slow,))
        stuck.start()
        time.sleep(0.2)  # the slow read is under way
        started = time.monotonic()
        assert reader.board(quick).version == 1 and reader.room("ZZZZZZ") is None
        waited = time.monotonic() - started
        release.set()
        stuck.join(10)
        assert waited < 5  # it would be 10 s (the slow read's wait) behind a process-wide lock


def test_forget_during_a_read_makes_the_next_page_read_again(db_url):
    """A page that changed a board forgets it and reads it back: a read already under way (begun before the
    change) must neither answer it nor stay in the cache."""
    release, calls = threading.Event(), []

    class Slow(Store):
        def entries(self, board: str):
            rows = super().entries(board)  # what the board held when this read began
            calls.append(len(rows))
            if len(calls) == 1:
                release.wait(10)
            return rows

    with Slow.open(db_url) as store:
        board = store.new_board()
        store.add(board, "before", "{}")
        reader = reader_of(store)
        early = []
        stuck = threading.Thread(target=lambda: early.append(reader.board(board)))
        stuck.start()
        while not calls:
            time.sleep(0.01)
        store.add(board, "after", "{}")
        reader.forget(board=board)
        assert reader.board(board).version == 3  # a read of its own, not the one under way
        release.set()
        stuck.join(10)
        assert early[0].version == 2 and reader.board(board).version == 3  # the early answer was not kept


def test_a_failed_read_reaches_everyone_waiting_and_is_not_kept(store, monkeypatch):
    reader = reader_of(store)
    board = store.new_board()

    def down(_board):
        raise StoreUnavailable("connection refused")

    monkeypatch.setattr(store, "board_version", down)
    with pytest.raises(StoreUnavailable):
        reader.board(board)
    monkeypatch.undo()
    assert reader.board(board).version == 1


@pytest.mark.parametrize("error", [OverflowError, RecursionError, TypeError, KeyError, ValueError, AttributeError])
def test_an_entry_whose_parse_raises_anything_is_unreadable_and_removable(store, monkeypatch, record_json, error):
    room = new_room(store)
    good = store.send(room.code, "good", record_json, student(store, room))
    bad = store.send(room.code, "bad", record_json.replace('"', "'", 1) + "!", student(store, room))
    parse = Record.from_json

    def fragile(text):
        if text.endswith("!"):
            raise error("boom")
        return parse(text)

    monkeypatch.setattr(Record, "from_json", fragile)
    view = reader_of(store, ttl=0).board(room.board)
    assert [p.id for p in view.entries] == [good.id] and view.unreadable == (bad.id,)
    assert store.remove(room.board, bad.id)
    view = reader_of(store, ttl=0).board(room.board)
    assert view.unreadable == () and [p.name for p in view.entries] == ["good"]


def test_a_number_too_large_for_a_float_in_a_stored_record_is_unreadable(store, record_json):
    board = store.new_board()
    store.add(board, "fine", record_json)
    huge = record_json.replace('"seconds":', '"seconds":1' + "0" * 400 + ',"was":', 1)  # float() overflows
    assert huge != record_json
    store.add(board, "huge", huge)
    view = reader_of(store).board(board)
    assert [p.name for p in view.entries] == ["fine"] and len(view.unreadable) == 1


def test_the_purge_thread_removes_an_idle_board_and_an_expired_room_on_its_own(store, clock):
    idle = store.new_board()
    room = new_room(store)
    kept = store.new_board()
    purger = Purger(store, every=3600, check=0.05).start()
    try:
        deadline = time.monotonic() + 10
        while purger.purges < 1 and time.monotonic() < deadline:  # the first look purges: none ran before
            time.sleep(0.05)
        clock.advance(rooms.BOARD_TTL + 1)
        store.add(kept, "changed today", "{}")
        while (store.has_board(idle) or store.room(room.code)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not store.has_board(idle) and store.room(room.code) is None and store.has_board(kept)
        assert purger.purges == 2 and purger.alive  # an hour had passed on the store's clock: one more purge
    finally:
        purger.stop()
    assert not purger.alive


def test_the_purge_thread_ends_when_its_store_is_dropped(db_url):
    store = Store.open(db_url)
    purger = Purger(store, every=3600, check=0.05).start()
    store.close()
    del store
    deadline = time.monotonic() + 10
    while purger.alive and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not purger.alive
