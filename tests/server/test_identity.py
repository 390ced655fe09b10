"""Identities the server issued, as a prankster tries them: made-up, altered, stolen from another class, a victim's
token without its signature; the secret every server on one store agrees on; the names kept with identities; and
the room-wide bounds that keep a script minting identities from filling a room (a hand-moved clock)."""

import base64

import pytest
from sqlalchemy import select
from store_helpers import count, new_room, student

from server import identity, rooms
from server.identity import Signer
from server.store import (
    ENTRIES,
    SENDS,
    SETTINGS,
    STUDENTS,
    RateLimited,
    RoomNotFound,
    Store,
    UnknownStudent,
    resolve_secret,
)

SECRET = "s" * identity.MIN_SECRET


# --- tokens, without a database ------------------------------------------------------------------------------------


def flip(text: str, at: int) -> str:
    """`text` with one character at `at` changed to another URL-safe one."""
    return text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1:]


def test_a_student_token_is_signed_for_its_room_only():
    signer = Signer(SECRET)
    token = signer.student("ABCDEF")
    assert len(token) == 35 and signer.is_student("ABCDEF", token)
    assert not signer.is_student("ABCDEG", token)  # another room's
    assert not Signer("t" * identity.MIN_SECRET).is_student("ABCDEF", token)  # another server's secret
    assert signer.student("ABCDEF") != token  # a new id every time


@pytest.mark.parametrize("at", [0, 11, 13, 34])
def test_an_altered_token_is_refused(at):
    signer = Signer(SECRET)
    token = signer.student("ABCDEF")
    assert not signer.is_student("ABCDEF", flip(token, at))


@pytest.mark.parametrize(
    "token",
    ["", "AAAAAAAAAAAAAAAA", "AAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA", "x" * 35, None, 42, b"AAAAAAAAAAAA.AAAA",
     "AAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA\n", "é" * 35, "AAAAAAAAAAAA." + "é" * 22],
)  # fmt: skip
def test_made_up_tokens_are_refused(token):
    assert not Signer(SECRET).is_student("ABCDEF", token)


def test_a_teacher_pass_ends_with_its_time_and_its_key():
    signer, key_hash = Signer(SECRET), rooms.key_hash("k" * 22)
    ticket = signer.teacher_pass("ABCDEF", key_hash, now=1000.0)
    assert signer.is_teacher_pass("ABCDEF", key_hash, ticket, now=1000.0 + identity.TEACHER_PASS_TTL - 1)
    assert not signer.is_teacher_pass("ABCDEF", key_hash, ticket, now=1000.0 + identity.TEACHER_PASS_TTL)
    assert not signer.is_teacher_pass("ABCDEF", rooms.key_hash("other key"), ticket, now=1000.0)  # rotated
    assert not signer.is_teacher_pass("ABCDEG", key_hash, ticket, now=1000.0)
    later = str(int(ticket.split(".")[0]) + 10**6)  # a prankster moving the expiry breaks the signature
    assert not signer.is_teacher_pass("ABCDEF", key_hash, f"{later}.{ticket.split('.')[1]}", now=1000.0)
    assert not signer.is_teacher_pass("ABCDEF", key_hash, None, now=1000.0)


@pytest.mark.parametrize("secret", ["", "short", " " * 40, None, 12345])
def test_a_weak_secret_is_refused_in_words(secret):
    with pytest.raises(ValueError, match="at least 32 characters"):
        Signer(secret)


def test_resolve_secret_prefers_the_environment_then_the_secrets_file(tmp_path):
    secrets = tmp_path / "secrets.toml"
    assert resolve_secret({}, secrets) is None  # no file: the store makes and keeps one
    secrets.write_text(f'PLAYGROUND_SECRET = "{"f" * 40}"\n[connections.board]\nurl = "sqlite:///x.db"\n')
    assert resolve_secret({}, secrets) == "f" * 40
    assert resolve_secret({"PLAYGROUND_SECRET": "e" * 40}, secrets) == "e" * 40
    with pytest.raises(ValueError, match="PLAYGROUND_SECRET must be a random string of at least 32"):
        resolve_secret({"PLAYGROUND_SECRET": "too short"}, secrets)
    secrets.write_text('PLAYGROUND_SECRET = "short"\n')
    with pytest.raises(ValueError, match=f"{secrets}: PLAYGROUND_SECRET"):
        resolve_secret({}, secrets)


# --- the secret, in the store --------------------------------------------------------------------------------------


def test_servers_on_one_store_agree_on_the_secret_it_keeps(db_url):
    with Store.open(db_url) as one, Store.open(db_url) as two:
        room = new_room(one)
        token = student(one, room)
        assert two.student(room.code, token) is not None and two.send(room.code, "x", "{}", token)
        assert count(one, SETTINGS, SETTINGS.c.name == "secret") == 1
        with one.engine.connect() as conn:
            kept = conn.scalar(select(SETTINGS.c.value).where(SETTINGS.c.name == "secret"))
        assert len(kept) >= identity.MIN_SECRET
    with Store.open(db_url, secret="h" * 40) as host:  # a host's secret wins: the store's tokens are not its own
        assert host.student(room.code, token) is None
        assert host.student(room.code, student(host, room)) is not None


def test_a_store_without_a_secret_makes_none_until_one_is_needed(store):
    new_room(store)
    assert count(store, SETTINGS, SETTINGS.c.name == "secret") == 0
    store.signer.student("ABCDEF")
    assert count(store, SETTINGS, SETTINGS.c.name == "secret") == 1


# --- students: issued, found, renamed --------------------------------------------------------------------------------


def test_join_issues_a_signed_token_and_a_nickname_the_store_records(store):
    room = new_room(store)
    ann = store.join(room.code)
    assert store.signer.is_student(room.code, ann.token) and len(ann.name.split()) == 2
    assert store.student(room.code.lower(), ann.token) == ann
    assert store.student(room.code, store.join(room.code).token) != ann
    assert count(store, STUDENTS, STUDENTS.c.room == room.code) == 2


def test_a_token_of_another_room_is_not_a_student_here(store):
    here, there = new_room(store), new_room(store)
    theirs = student(store, there)
    assert store.student(here.code, theirs) is None
    with pytest.raises(UnknownStudent, match=f"not issued for class {here.code}"):
        store.send(here.code, "x", "{}", theirs)


def test_a_signed_token_the_store_no_longer_records_is_not_a_student(store):
    room = new_room(store)
    assert store.student(room.code, store.signer.student(room.code)) is None  # signed, never issued by join


def test_the_name_stays_with_the_identity(store):
    room = new_room(store)
    me = student(store, room)
    assert store.rename_student(room.code, me, "  Zoë  <b>  ")
    assert store.student(room.code, me).name == "Zoë <b>"
    store.send(room.code, "Zoë again", "{}", me)
    assert store.student(room.code, me).name == "Zoë again"  # the name of the last send
    assert not store.rename_student(room.code, "AAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA", "Mallory")
    with pytest.raises(ValueError, match="at most 24 characters"):
        store.rename_student(room.code, me, "x" * 25)


def test_25_sends_with_made_up_tokens_are_refused_before_any_work(store):
    room = new_room(store)
    made_up = [base64.urlsafe_b64encode(bytes([i]) * 12).decode() for i in range(25)]
    made_up += [f"{m[:12]}.{m[:22].ljust(22, 'A')}" for m in made_up[:5]]  # shaped like a token, unsigned
    for token in made_up:
        with pytest.raises(UnknownStudent, match="open the class's join link again"):
            store.send(room.code, "prank", "{}", token)
    assert count(store, SENDS) == 0 and store.entries(room.board) == [] and store.board_version(room.board) == 1


def test_a_victims_token_cannot_be_used_without_its_signature(store):
    room = new_room(store)
    victim = student(store, room)
    ident, signature = victim.split(".")
    forged = [ident, f"{ident}.{'A' * 22}", flip(victim, 20), f"{ident}.{signature[:-1]}",
              f"{ident}.{student(store, room).split('.')[1]}", f"{ident}.{student(store, new_room(store)).split('.')[1]}"]
    for token in forged * 4:  # 24 tries: more than the victim's whole allowance
        with pytest.raises((UnknownStudent, ValueError)):
            store.send(room.code, "prank", "{}", token)
    for i in range(rooms.SEND_LIMIT):  # the victim's allowance is untouched
        store.send(room.code, f"mine {i}", "{}", victim)
    assert count(store, SENDS, SENDS.c.owner == victim) == rooms.SEND_LIMIT


def test_remove_by_removes_one_students_entries_only(store):
    room = new_room(store)
    ann, bob = student(store, room), student(store, room)
    for i in range(3):
        store.send(room.code, f"ann {i}", "{}", ann)
    store.send(room.code, "bob", "{}", bob)
    assert store.remove_by(room.board, ann) == 3
    assert [e.name for e in store.entries(room.board)] == ["bob"]
    assert store.remove_by(room.board, ann) == 0 and store.remove_by(room.board, "") == 0
    assert store.remove_by(new_room(store).board, bob) == 0  # another room's board: nothing of bob's there
    with pytest.raises(ValueError, match="owner token"):
        store.remove_by(room.board, "a b")


def test_rotating_the_key_stops_the_old_key_and_its_passes(store, clock):
    old_key, new_key = rooms.new_key(), rooms.new_key()
    room = store.new_room(rooms.key_hash(old_key))
    ticket = store.signer.teacher_pass(room.code, room.key_hash, clock())
    rotated = store.rotate_key(room.code, rooms.key_hash(new_key))
    assert store.room(room.code) == rotated and rotated.active == clock()
    assert rooms.key_matches(new_key, rotated.key_hash) and not rooms.key_matches(old_key, rotated.key_hash)
    assert not store.signer.is_teacher_pass(room.code, rotated.key_hash, ticket, clock())
    with pytest.raises(ValueError, match="64 hex digits"):
        store.rotate_key(room.code, new_key)
    with pytest.raises(RoomNotFound):
        store.rotate_key("ZZZZZZ", rooms.key_hash(new_key))


# --- the room-wide bounds -------------------------------------------------------------------------------------------


def test_forty_fresh_students_sending_at_once_all_get_through(store):
    room = new_room(store)
    sent = [store.send(room.code, f"student {i}", "{}", student(store, room)) for i in range(40)]
    assert len(store.entries(room.board)) == 40 == len({e.owner for e in sent})


def test_a_room_takes_at_most_room_send_limit_sends_a_window(store, clock):
    room = new_room(store)
    students = [student(store, room) for _ in range(rooms.ROOM_SEND_LIMIT + 1)]
    for i, token in enumerate(students[:-1]):
        store.send(room.code, f"s{i}", "{}", token)
        clock.advance(1)  # sends at t = 0 … 79
    with pytest.raises(RateLimited, match=f"Class {room.code} has taken 80 runs in the last 10 minutes.*in 8 min 40 s") \
            as refused:
        store.send(room.code, "one too many", "{}", students[-1])  # at t = 80: the first leaves at t = 600
    assert refused.value.retry_after == pytest.approx(520) and count(store, SENDS) == rooms.ROOM_SEND_LIMIT
    clock.advance(520)
    store.send(room.code, "fits again", "{}", students[-1])


def test_a_room_takes_at_most_join_limit_new_students_a_window(store, clock):
    room = new_room(store)
    for _ in range(rooms.JOIN_LIMIT):
        store.join(room.code)
    with pytest.raises(RateLimited, match="has taken 100 new students in the last 10 minutes.*join in 10 min"):
        store.join(room.code)
    assert count(store, STUDENTS) == rooms.JOIN_LIMIT
    clock.advance(rooms.SEND_WINDOW)
    store.join(room.code)
    with pytest.raises(RoomNotFound):
        store.join("ZZZZZZ")


def test_a_script_minting_students_as_fast_as_they_are_issued_cannot_fill_a_room_within_a_lesson(store, clock):
    """The fastest script there is: a new student as soon as the last one has sent its SEND_LIMIT (so no student's
    own limit ever binds), and the clock moved straight to the moment the store says the next send is possible."""
    room, start, landed, tokens = new_room(store), clock(), [], []
    while len(landed) < rooms.MAX_ENTRIES:
        try:
            if len(landed) == len(tokens) * rooms.SEND_LIMIT:
                tokens.append(store.join(room.code).token)
            store.send(room.code, "flood", "{}", tokens[-1])
            landed.append(clock() - start)
        except RateLimited as refused:
            assert refused.retry_after > 0
            clock.advance(refused.retry_after)
    assert landed[rooms.ROOM_SEND_LIMIT - 1] == 0 and landed[rooms.ROOM_SEND_LIMIT] == rooms.SEND_WINDOW
    assert landed[-1] == rooms.fill_time() == 2 * 3600  # the worst case docs/reliability.md states
    assert count(store, ENTRIES, ENTRIES.c.board == room.board) == rooms.MAX_ENTRIES


# --- creation and cleanup -------------------------------------------------------------------------------------------


def test_the_store_makes_at_most_so_many_boards_and_rooms_a_minute(store, clock):
    for _ in range(rooms.NEW_ROOMS_PER_MINUTE):
        new_room(store)
    with pytest.raises(RateLimited, match="made 20 new classes in the last minute, the most it makes; try again in 1 min"):
        new_room(store)
    for _ in range(rooms.NEW_BOARDS_PER_MINUTE - rooms.NEW_ROOMS_PER_MINUTE):  # a room's board counts
        store.new_board()
    with pytest.raises(RateLimited, match="made 120 new boards in the last minute") as refused:
        store.new_board()
    assert refused.value.retry_after == pytest.approx(60)
    clock.advance(60)
    store.new_board()
    new_room(store)


def test_purge_removes_idle_personal_boards_and_expired_rooms_and_keeps_the_rest(store, clock):
    idle, busy = store.new_board(), store.new_board()
    store.add(idle, "old", "{}")
    gone, open_room = new_room(store), new_room(store)
    store.send(gone.code, "x", "{}", student(store, gone))
    clock.advance(rooms.BOARD_TTL - 10)
    store.add(busy, "recent", "{}")  # changed: its 30 days start again
    store.update_room(open_room.code, task="still used")
    assert store.purge() == (0, 0)
    clock.advance(11)
    assert store.purge() == (1, 1)
    assert not store.has_board(idle) and store.has_board(busy) and count(store, ENTRIES, ENTRIES.c.board == idle) == 0
    assert not store.has_board(gone.board) and count(store, STUDENTS, STUDENTS.c.room == gone.code) == 0
    assert store.room(open_room.code) is not None and store.has_board(open_room.board)  # a room's board is the room's


def test_servers_purging_at_once_purge_once_an_hour(db_url, clock):
    with Store.open(db_url, clock=clock) as one, Store.open(db_url, clock=clock) as two:
        board = one.new_board()
        clock.advance(rooms.BOARD_TTL + 1)
        assert one.purge_if_due(3600) == (0, 1) and two.purge_if_due(3600) is None
        clock.advance(3599)
        assert two.purge_if_due(3600) is None
        clock.advance(1)
        assert two.purge_if_due(3600) == (0, 0) and one.purge_if_due(3600) is None
        assert not one.has_board(board)
