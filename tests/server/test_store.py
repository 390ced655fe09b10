"""The store on real databases (a SQLite file and Postgres, via the `store` fixture): every call, every error, the
limits under a hand-moved clock, hostile input, the migration from schema 1, and a database that cannot be reached."""

import dataclasses
import subprocess
import sys
import time
from pathlib import Path

import pgcluster
import pytest
from sqlalchemy import insert, inspect, select, text, update
from store_helpers import count, fill, new_room, student

from server import rooms
from server.store import (
    BOARDS,
    ENTRIES,
    MAX_RECORD,
    META,
    ROOMS,
    ROOT,
    SCHEMA_VERSION,
    SENDS,
    BoardNotFound,
    LimitError,
    RateLimited,
    RoomLocked,
    RoomNotFound,
    Store,
    StoreError,
    StoreUnavailable,
    UnknownStudent,
    make_engine,
    migrate,
    resolve_url,
)

RECORD = '{"settings": {"lr": 0.1}, "loss": [0.25, 0.01], "note": "it\'s \\"quoted\\" — ünïcødé 🧠"}'
HOSTILE = [
    "'; DROP TABLE entries; --",
    "' OR '1'='1",
    "<script>alert(1)</script>",
    "**bold** [x](javascript:alert(1))",
    "\x00",
    "A" * 10_000,
    "\\",
    "%s %(x)s :name ?",  # DBAPI parameter markers, as data
]


# --- where the store is ------------------------------------------------------------------------------------------


def test_resolve_url_prefers_the_environment_then_secrets_then_a_sqlite_file(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[connections.board]\nurl = "postgresql+psycopg://u:p@db/x"\n')
    env = {"PLAYGROUND_DB": "sqlite:////srv/x.db"}
    assert resolve_url(env, secrets, tmp_path / "data") == "sqlite:////srv/x.db"
    assert resolve_url({"PLAYGROUND_DB": "  "}, secrets, tmp_path / "data") == "postgresql+psycopg://u:p@db/x"
    secrets.write_text('[connections.other]\nurl = "sqlite:///elsewhere.db"\n')
    assert resolve_url({}, secrets, tmp_path / "data") == f"sqlite:///{tmp_path / 'data' / 'playground.db'}"
    assert (tmp_path / "data").is_dir()


def test_resolve_url_reads_relative_paths_from_the_repository_root_not_the_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_url({}, Path("no/such/secrets.toml"), Path("data")) == f"sqlite:///{ROOT / 'data' / 'playground.db'}"
    assert "/data/" in (ROOT / ".gitignore").read_text().splitlines()


@pytest.mark.parametrize(
    "content",
    ["[connections.board\nurl = 1", "connections = 3", '[connections]\nboard = "x"', "[connections.board]\nurl = 3",
     '[connections.board]\nurl = ""', b"\xff\xfe"],
)  # fmt: skip
def test_resolve_url_names_a_malformed_secrets_file(tmp_path, content):
    secrets = tmp_path / "secrets.toml"
    secrets.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(ValueError, match=str(secrets)):
        resolve_url({}, secrets, tmp_path)


@pytest.mark.parametrize(
    "url",
    ["not a url", "mysql://u@h/db", "oracle://x", "sqlite+nosuchdriver:///x.db", "sqlite://", "sqlite:///:memory:"],
)
def test_an_unsupported_url_is_a_value_error_saying_what_is_allowed(url):
    with pytest.raises(ValueError, match="sqlite"):
        Store.open(url)


# --- boards ------------------------------------------------------------------------------------------------------


def test_a_new_board_is_empty_and_hard_to_guess(store):
    board = store.new_board()
    assert len(board) >= 16 and store.new_board() != board
    assert store.has_board(board) and store.entries(board) == [] and store.board_version(board) == 1
    assert not store.has_board(board[:-1] + ("A" if board[-1] != "A" else "B"))


def test_add_and_entries_oldest_first(store, clock):
    board = store.new_board()
    first = store.add(board, "  lr 0.1  ", RECORD, owner="session-1")
    clock.advance(5)
    second = store.add(board, "lr 0.9", "{}")
    assert store.entries(board) == [first, second]
    assert first.name == "lr 0.1" and first.record == RECORD and first.owner == "session-1"
    assert first.board == board and first.created == clock.now - 5 and second.owner == ""
    assert second.id > first.id
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.name = "x"


def test_every_change_bumps_the_version_and_no_change_does_not(store):
    board, other = store.new_board(), store.new_board()
    a = store.add(board, "a", "{}")
    b = store.add(board, "b", "{}")
    assert store.board_version(board) == 3
    assert store.rename(board, a.id, "renamed") and store.board_version(board) == 4
    assert [e.name for e in store.entries(board)] == ["renamed", "b"]
    assert store.remove(board, a.id) and store.board_version(board) == 5
    assert store.entries(board) == [b]
    assert not store.remove(board, a.id) and not store.rename(board, a.id, "x")  # already gone
    assert not store.remove(other, b.id) and not store.rename(other, b.id, "x")  # another board's entry
    assert store.board_version(board) == 5 and store.board_version(other) == 1
    store.add(board, "c", "{}")
    assert store.clear(board) == 2 and store.entries(board) == [] and store.board_version(board) == 7
    assert store.clear(board) == 0 and store.board_version(board) == 7


def test_entry_ids_are_never_reused(store):
    board = store.new_board()
    last = store.add(board, "a", "{}")
    assert store.remove(board, last.id)
    assert store.add(board, "b", "{}").id > last.id  # a stale page's "remove" cannot hit the newer entry


@pytest.mark.parametrize("entry_id", [True, 0, -1, 2**63, 2**70, "1", 1.0, None])
def test_entry_ids_that_cannot_exist_change_nothing(store, entry_id):
    board = store.new_board()
    store.add(board, "a", "{}")
    assert not store.rename(board, entry_id, "x") and not store.remove(board, entry_id)
    assert len(store.entries(board)) == 1


@pytest.mark.parametrize("board", HOSTILE + ["", None, 42, "x" * 15])
def test_hostile_board_ids_are_unknown_boards(store, board):
    assert not store.has_board(board) and store.entries(board) == [] and store.board_version(board) == 0
    assert store.clear(board) == 0 and not store.remove(board, 1) and not store.rename(board, 1, "x")
    with pytest.raises(BoardNotFound, match="no board"):
        store.add(board, "x", "{}")


def test_add_to_an_unknown_board(store):
    with pytest.raises(BoardNotFound, match="no board with that id"):
        store.add("A" * 22, "x", "{}")


def test_a_board_holds_at_most_max_entries(store):
    board = store.new_board()
    fill(store, board, rooms.MAX_ENTRIES - 1)
    store.add(board, "last", "{}")
    with pytest.raises(LimitError, match="at most 1,000 runs"):
        store.add(board, "one too many", "{}")
    assert count(store, ENTRIES, ENTRIES.c.board == board) == rooms.MAX_ENTRIES
    store.remove(board, store.entries(board)[0].id)
    store.add(board, "fits again", "{}")


def test_records_up_to_64_kb_round_trip_exactly(store):
    board = store.new_board()
    big = '"' + "é" * ((MAX_RECORD - 2) // 2) + '"'  # 2 bytes a character in UTF-8
    assert len(big.encode()) == MAX_RECORD
    for record in (big, RECORD, *[h for h in HOSTILE if "\x00" not in h]):
        assert store.add(board, "r", record).record == record
    assert [e.record for e in store.entries(board)][:2] == [big, RECORD]
    with pytest.raises(LimitError, match="at most 65,536 bytes; this one has 65,537"):
        store.add(board, "r", big + " ")


@pytest.mark.parametrize("record", ["a\x00b", "\ud800", None, b"{}", {"a": 1}])
def test_records_the_databases_cannot_hold_are_value_errors(store, record):
    with pytest.raises(ValueError, match="record"):
        store.add(store.new_board(), "r", record)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_stored_as_plain_text_or_refused(store, name):
    board = store.new_board()
    try:
        cleaned = rooms.clean_name(name, rooms.MAX_RUN_NAME)  # a run's name on a board: up to 80 characters
    except ValueError:
        with pytest.raises(ValueError, match="80 characters"):
            store.add(board, name, "{}")
        return
    assert store.add(board, name, "{}").name == cleaned
    assert [e.name for e in store.entries(board)] == [cleaned]
    assert set(inspect(store.engine).get_table_names()) >= {"boards", "entries", "rooms", "sends", "meta"}


@pytest.mark.parametrize("owner", ["a b", "x" * 65, "\x00", "é", None])
def test_owner_tokens_are_short_printable_ascii(store, owner):
    with pytest.raises(ValueError, match="owner token"):
        store.add(store.new_board(), "x", "{}", owner=owner)


# --- rooms -------------------------------------------------------------------------------------------------------


def test_a_new_room_has_a_code_its_own_board_and_defaults(store, clock):
    key = rooms.new_key()
    room = store.new_room(rooms.key_hash(key))
    assert len(room.code) == 6 and set(room.code) <= set(rooms.ALPHABET)
    assert store.room(room.code) == room and rooms.key_matches(key, room.key_hash)
    assert store.has_board(room.board) and store.entries(room.board) == []
    assert (room.task, room.challenge, room.anonymous, room.locked) == ("", "", False, False)
    assert room.created == room.active == clock.now
    assert store.room(f" {room.code[:3].lower()} {room.code[3:].lower()} ") == room


@pytest.mark.parametrize("key_hash", ["", "abc", "G" * 64, "a-teacher-key-not-its-hash", None])
def test_new_room_wants_a_key_hash_not_a_key(store, key_hash):
    with pytest.raises(ValueError, match="64 hex digits"):
        store.new_room(key_hash)


def test_a_taken_code_is_drawn_again(store, monkeypatch):
    draws = iter(["AAAAAA", "AAAAAA", "AAAAAA", "BBBBBB"])
    monkeypatch.setattr(rooms, "new_code", lambda: next(draws))
    assert new_room(store).code == "AAAAAA"
    assert new_room(store).code == "BBBBBB"  # two collisions (IntegrityError, rolled back), then a free code
    assert store.room("AAAAAA").board != store.room("BBBBBB").board
    monkeypatch.setattr(rooms, "new_code", lambda: "AAAAAA")
    with pytest.raises(StoreError, match="No free room code"):
        new_room(store)


@pytest.mark.parametrize("code", HOSTILE + ["", "ABCDE", "ABCDEF0", "ABCDE0", None, 123456])
def test_hostile_codes_find_no_room_before_any_query(store, code):
    new_room(store)
    assert store.room(code) is None
    with pytest.raises(RoomNotFound, match="not a room code: a code is 6 letters and digits"):
        store.send(code, "x", "{}", "o")
    with pytest.raises(RoomNotFound, match="not a room code"):
        store.update_room(code, locked=True)


def test_unknown_codes(store):
    assert store.room("ZZZZZZ") is None
    with pytest.raises(RoomNotFound, match="no open room ZZZZZZ"):
        store.send("ZZZZZZ", "x", "{}", store.signer.student("ZZZZZZ"))
    with pytest.raises(RoomNotFound, match="no open room ZZZZZZ"):
        store.update_room("zzzzzz", task="x")


def test_update_room_sets_only_what_it_is_given(store, clock):
    room = new_room(store)
    clock.advance(60)
    changed = store.update_room(room.code, task="Reach 100% on XOR with **4** units", anonymous=True)
    assert changed == dataclasses.replace(
        room, task="Reach 100% on XOR with **4** units", anonymous=True, active=clock.now
    )
    assert store.room(room.code) == changed and store.board_version(room.board) == 2
    changed = store.update_room(room.code.lower(), challenge='{"dataset": "xor"}', locked=True, anonymous=False)
    assert (changed.task, changed.challenge, changed.anonymous, changed.locked) == (
        "Reach 100% on XOR with **4** units", '{"dataset": "xor"}', False, True)  # fmt: skip
    assert store.update_room(room.code) == dataclasses.replace(changed, active=clock.now)
    assert store.room(room.code) == changed


@pytest.mark.parametrize(
    "changes, error",
    [({"locked": 1}, ValueError), ({"anonymous": "yes"}, ValueError), ({"task": 3}, ValueError),
     ({"task": "a\x00"}, ValueError), ({"challenge": "x" * (rooms.MAX_TEXT + 1)}, LimitError)],
)  # fmt: skip
def test_update_room_refuses_bad_values(store, changes, error):
    room = new_room(store)
    with pytest.raises(error):
        store.update_room(room.code, **changes)
    assert store.room(room.code) == room


def test_send_puts_a_run_on_the_room_board_and_counts_as_activity(store, clock):
    room = new_room(store)
    clock.advance(120)
    me = student(store, room)
    entry = store.send(room.code.lower(), " Brave  Otter ", RECORD, me)
    assert entry.board == room.board and entry.name == "Brave Otter" and entry.owner == me
    assert store.entries(room.board) == [entry] and store.board_version(room.board) == 2
    assert store.room(room.code).active == clock.now


def test_a_locked_room_refuses_sends_until_unlocked(store):
    room = new_room(store)
    me = student(store, room)
    store.update_room(room.code, locked=True)
    with pytest.raises(RoomLocked, match="locked"):
        store.send(room.code, "x", "{}", me)
    store.update_room(room.code, locked=False)
    store.send(room.code, "x", "{}", me)
    assert count(store, SENDS) == 1  # the refused send was not counted


@pytest.mark.parametrize("owner", ["", None, "a b"])
def test_a_send_needs_an_owner_token(store, owner):
    with pytest.raises(ValueError, match="owner token"):
        store.send(new_room(store).code, "x", "{}", owner)


def test_twenty_sends_per_owner_per_room_per_ten_minutes(store, clock):
    room, other_room = new_room(store), new_room(store)
    me, you, me_there = student(store, room), student(store, room), student(store, other_room)
    for i in range(rooms.SEND_LIMIT):
        store.send(room.code, f"run {i}", "{}", me)
        clock.advance(10)  # sends at t = 0, 10, …, 190
    with pytest.raises(RateLimited, match="20 runs in the last 10 minutes.*again in 6 min 40 s") as refused:
        store.send(room.code, "one more", "{}", me)  # at t = 200: the send at t = 0 ages out at 600
    assert refused.value.retry_after == pytest.approx(400)
    store.send(room.code, "someone else", "{}", you)
    store.send(other_room.code, "another room", "{}", me_there)
    store.clear(room.board)  # the teacher removing runs does not reset anyone's count
    with pytest.raises(RateLimited):
        store.send(room.code, "one more", "{}", me)
    clock.advance(399)
    with pytest.raises(RateLimited, match="again in 1 s"):
        store.send(room.code, "one more", "{}", me)
    clock.advance(1)  # t = 600: the first send has left the window, the second (t = 10) has not
    store.send(room.code, "one more", "{}", me)
    with pytest.raises(RateLimited, match="again in 10 s"):
        store.send(room.code, "and another", "{}", me)
    assert count(store, SENDS, SENDS.c.owner == me, SENDS.c.room == room.code) <= rooms.SEND_LIMIT  # old pruned


def test_a_room_holds_at_most_max_entries(store):
    room = new_room(store)
    fill(store, room.board, rooms.MAX_ENTRIES - 1)
    store.send(room.code, "last", "{}", student(store, room))
    with pytest.raises(LimitError, match="full: it holds at most 1,000 runs"):
        store.send(room.code, "too many", "{}", student(store, room))
    assert count(store, SENDS) == 1 and len(store.entries(room.board)) == rooms.MAX_ENTRIES


def test_rooms_expire_thirty_days_after_their_last_activity(store, clock):
    idle, busy, kept = new_room(store), new_room(store), new_room(store)
    at_idle, at_busy = student(store, idle), student(store, busy)
    store.send(idle.code, "x", "{}", at_idle)
    clock.advance(20 * 86400)
    store.send(busy.code, "x", "{}", at_busy)
    store.update_room(kept.code, task="still here")
    clock.advance(10 * 86400)  # idle: exactly 30 days since its send, not yet more
    assert store.room(idle.code) is not None and store.expire() == 0
    clock.advance(1)
    with pytest.raises(RoomNotFound, match="rooms close 30 days after their last activity"):
        store.send(idle.code, "x", "{}", at_idle)
    with pytest.raises(RoomNotFound):
        store.update_room(idle.code, locked=True)
    assert store.room(idle.code) is None  # …and looking it up deletes it with its board, entries and sends
    assert not store.has_board(idle.board) and count(store, ENTRIES, ENTRIES.c.board == idle.board) == 0
    assert count(store, SENDS, SENDS.c.room == idle.code) == 0
    assert store.room(busy.code) is not None and store.room(kept.code) is not None
    clock.advance(20 * 86400)
    assert store.expire() == 2 and store.room(busy.code) is None and count(store, ENTRIES) == 0
    assert count(store, SENDS) == 0


# --- schema versions ---------------------------------------------------------------------------------------------


def test_open_creates_the_current_schema_and_reopening_changes_nothing(db_url):
    with Store.open(db_url) as store:
        board = store.new_board()
        store.add(board, "kept", "{}")
    with Store.open(db_url) as store:
        assert [e.name for e in store.entries(board)] == ["kept"]
        with store.engine.connect() as conn:
            assert conn.scalar(select(META.c.value)) == SCHEMA_VERSION == 4


def written_by_schema(engine, version: int) -> dict:
    """What the code of an older schema wrote, with its own statements (today's Store counts against tables those
    versions do not have): a personal board with an entry, and from version 2 a room with a send."""
    assert migrate(engine, target=version) == version
    board, room_board, code = "B" * 22, "R" * 22, "ABCDEF"
    with engine.begin() as conn:
        conn.execute(insert(BOARDS), [dict(id=b, created=1.0, updated=1.0, version=2) for b in (board, room_board)])
        conn.execute(insert(ENTRIES).values(board=board, name=f"from v{version}", owner="o", record=RECORD,
                                            created=1.0))
        if version >= 2:
            conn.execute(insert(ROOMS).values(code=code, board=room_board, key_hash=rooms.key_hash("k" * 22),
                                              task="dataset=xor", challenge="", anonymous=False, locked=False,
                                              created=1.0, active=1.0))
            conn.execute(insert(ENTRIES).values(board=room_board, name="Ann", owner="made-up", record=RECORD,
                                                created=1.0))
            conn.execute(insert(SENDS).values(room=code, owner="made-up", at=1.0))
    engine.dispose()
    return {"board": board, "room_board": room_board, "code": code}


@pytest.mark.parametrize("version", [1, 2])
def test_an_older_database_keeps_its_boards_and_rooms_and_gains_identities_and_lessons(db_url, clock, version):
    clock.now = 2.0  # just after the old code wrote
    old = written_by_schema(make_engine(db_url), version)
    with Store.open(db_url, clock=clock) as store:
        assert [(e.name, e.record) for e in store.entries(old["board"])] == [(f"from v{version}", RECORD)]
        if version >= 2:
            room = store.room(old["code"])
            assert room is not None and room.task == "dataset=xor" and rooms.key_matches("k" * 22, room.key_hash)
            assert [e.owner for e in store.entries(room.board)] == ["made-up"]  # kept; it could not send today
            with pytest.raises(UnknownStudent):
                store.send(room.code, "again", "{}", "made-up")
        room = store.room(old["code"]) or new_room(store)
        assert store.send(room.code, "v3", "{}", student(store, room)).board == room.board
        assert store.purge() == (0, 0) and store.has_board(old["board"])  # young: nothing to purge
        assert all(e.round is None for e in store.entries(old["board"]))  # sent before rounds existed
        with store.engine.connect() as conn:
            assert conn.scalar(select(META.c.value)) == SCHEMA_VERSION == 4
            assert {"students", "settings", "rounds", "votes", "ballots", "checks", "lessons"} <= set(
                inspect(conn).get_table_names())


def test_a_database_newer_than_the_code_is_refused_in_words(db_url):
    Store.open(db_url).close()
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(update(META).values(value=SCHEMA_VERSION + 1))
    engine.dispose()
    with pytest.raises(StoreError, match="schema version 5, but this app knows versions up to 4: update the app"):
        Store.open(db_url)


# --- a store that cannot be reached --------------------------------------------------------------------------------


def test_postgres_on_a_closed_port_is_unavailable_quickly():
    start = time.perf_counter()
    with pytest.raises(StoreUnavailable, match="cannot be reached right now; try again") as error:
        Store.open(f"postgresql+psycopg://nobody@127.0.0.1:{pgcluster.free_port()}/nothing")
    assert time.perf_counter() - start < 10
    assert error.value.detail and "Traceback" not in str(error.value)


def test_sqlite_in_a_missing_folder_is_unavailable(tmp_path):
    with pytest.raises(StoreUnavailable, match="cannot be reached"):
        Store.open(f"sqlite:///{tmp_path / 'missing' / 'x.db'}")


def test_the_drivers_words_go_to_the_log_not_to_the_page(tmp_path, caplog):
    with pytest.raises(StoreUnavailable) as error:
        Store.open(f"sqlite:///{tmp_path / 'missing' / 'x.db'}")
    logged = [r for r in caplog.records if r.name == "server.schema"]
    assert logged and error.value.detail in logged[0].getMessage() and error.value.detail not in str(error.value)


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)  # SQLite has no server to restart
def test_postgres_connections_cut_by_a_restart_are_replaced(store, db_url):
    board = store.new_board()
    with store.engine.connect() as conn:
        pid = conn.scalar(text("SELECT pg_backend_pid()"))  # the pooled connection the next call will reuse
    admin = make_engine(db_url)
    with admin.begin() as conn:  # what a database restart does to it
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()
    assert store.has_board(board)


def test_the_server_package_imports_no_streamlit_and_no_page():
    code = (
        "import sys, server.store; print(sorted({m.split('.')[0] for m in sys.modules} & {'streamlit', 'playground'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr
