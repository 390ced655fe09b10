"""Several server processes on one database at the same moment (real processes, spawn context, a barrier to line
them up): no entry lost or duplicated, every limit exact, and a new database migrated once however many open it."""

import multiprocessing
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import store_workers
from sqlalchemy import select
from store_helpers import count, fill, new_room, student

from server import rooms
from server.store import BOARDS, META, SENDS, SETTINGS, Store


def run_together(target, worker_args: list[tuple]) -> list:
    """Runs target(*args, start, results) in one process per args, all released together; returns their reports."""
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(len(worker_args)), ctx.Queue()
    processes = [ctx.Process(target=target, args=(*args, start, results)) for args in worker_args]
    for process in processes:
        process.start()
    try:
        reports = [results.get(timeout=120) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    crashes = [report for kind, report in reports if kind == "crash"]
    assert not crashes, crashes[0]
    return [report for _, report in reports]


@pytest.fixture
def live(db_url):
    """A store on the real clock: the workers use it too, so a room made here is open for them."""
    with Store.open(db_url) as store:
        yield store


def outcomes(reports: list) -> Counter:
    return Counter(outcome for report in reports for _, outcome in report)


def test_concurrent_senders_all_arrive_once(live, db_url):
    room = new_room(live)
    names = {student(live, room): [f"w{w} run {i}" for i in range(10)] for w in range(4)}
    reports = run_together(store_workers.send_many, [(db_url, room.code, w, n) for w, n in names.items()])
    assert outcomes(reports) == {"sent": 40}
    entries = live.entries(room.board)
    assert sorted(e.name for e in entries) == sorted(sum(names.values(), []))
    assert len({e.id for e in entries}) == 40 and live.board_version(room.board) == 1 + 40
    for owner, sent in names.items():  # each process's entries arrive in the order it sent them
        assert [e.name for e in entries if e.owner == owner] == sent


def test_one_owner_sending_from_many_processes_gets_exactly_the_limit(live, db_url):
    room = new_room(live)
    same = student(live, room)
    workers = [(db_url, room.code, same, [f"p{w} run {i}" for i in range(5)]) for w in range(5)]
    assert outcomes(run_together(store_workers.send_many, workers)) == {"sent": 20, "RateLimited": 5}
    assert len(live.entries(room.board)) == rooms.SEND_LIMIT == count(live, SENDS)


def test_the_entry_limit_holds_under_concurrent_senders(live, db_url):
    room = new_room(live)
    fill(live, room.board, rooms.MAX_ENTRIES - 5)
    workers = [(db_url, room.code, student(live, room), [f"o{w} run {i}" for i in range(3)]) for w in range(4)]
    assert outcomes(run_together(store_workers.send_many, workers)) == {"sent": 5, "LimitError": 7}
    assert len(live.entries(room.board)) == rooms.MAX_ENTRIES and count(live, SENDS) == 5


def test_forty_new_students_joining_and_sending_at_once_all_arrive(live, db_url):
    """A class: forty students open the join link and send at one moment, from eight server processes."""
    room = new_room(live)
    names = [[f"p{w} student {i}" for i in range(5)] for w in range(8)]
    assert outcomes(run_together(store_workers.send_many, [(db_url, room.code, "", n) for n in names])) == {"sent": 40}
    entries = live.entries(room.board)
    assert sorted(e.name for e in entries) == sorted(sum(names, [])) and len({e.owner for e in entries}) == 40


def test_the_bound_on_new_boards_holds_across_servers(live, db_url):
    workers = [(db_url, 40) for _ in range(4)]  # 160 asked for in the same moment, from four servers
    made = outcomes(run_together(store_workers.new_boards, workers))
    assert made == {"made": rooms.NEW_BOARDS_PER_MINUTE, "RateLimited": 160 - rooms.NEW_BOARDS_PER_MINUTE}
    assert count(live, BOARDS) == rooms.NEW_BOARDS_PER_MINUTE


def test_servers_making_the_secret_at_once_end_with_one(live, db_url):
    room = new_room(live)  # the store has no secret yet: making a room needs none
    assert count(live, SETTINGS, SETTINGS.c.name == "secret") == 0
    tokens = run_together(store_workers.first_token, [(db_url, room.code) for _ in range(4)])
    assert count(live, SETTINGS, SETTINGS.c.name == "secret") == 1
    assert all(live.student(room.code, token) is not None for token in tokens)  # every server signed alike


def test_processes_opening_a_new_database_together_migrate_it_once(db_url):
    boards = run_together(store_workers.open_store, [(db_url,) for _ in range(4)])
    with Store.open(db_url) as store:
        assert all(len(store.entries(board)) == 1 for board in boards)
        with store.engine.connect() as conn:
            assert conn.execute(select(META.c.name, META.c.value)).all() == [("schema_version", 4)]


def test_threads_of_one_process_share_one_store(live):
    """What one Streamlit process does: every session's script thread calls the same Store."""
    room = new_room(live)
    sessions = [student(live, room) for _ in range(4)]
    with ThreadPoolExecutor(8) as pool:
        sent = list(pool.map(lambda i: live.send(room.code, f"t{i}", "{}", sessions[i % 4]), range(40)))
    assert sorted(sent, key=lambda e: e.id) == live.entries(room.board) and len({e.id for e in sent}) == 40


def test_processes_connecting_to_new_sqlite_files_together_all_switch_them_to_wal(tmp_path):
    """Without sqlite_setup's retry, one round in four or five failed at once with "database is locked"
    (SQLite skips the busy wait when two connections switch a file to WAL together): 40 rounds of 8 make that
    near certain to show."""
    paths = [str(tmp_path / f"round{i}.db") for i in range(40)]
    assert run_together(store_workers.switch_to_wal, [(paths,) for _ in range(8)]) == [len(paths)] * 8
