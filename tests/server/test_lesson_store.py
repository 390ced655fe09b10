"""A live lesson in the store, on SQLite and Postgres: rounds and their reveal, votes and ballots, the class's checks,
a lesson's end and its record, every bound, the page's cached reader, many students at one moment, and a database
written by schema version 2 upgrading itself."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import insert, select, text
from store_helpers import count, new_room

from server import rooms
from server.boards import BoardReader
from server.lesson import (
    MAX_BALLOTS,
    MAX_CHANGES,
    MAX_CHECKS,
    MAX_ROOM_CHECKS,
    MAX_ROUNDS,
    MAX_VOTES,
    LessonReader,
    Lessons,
    RoundRunning,
    VoteClosed,
    parse_options,
)
from server.rounds import SendingClosed
from server.schema import BALLOTS, CHECKS, ROUNDS, VOTES
from server.store import META, SCHEMA_VERSION, LimitError, RoomNotFound, Store, UnknownStudent, make_engine


@pytest.fixture
def lessons(store):
    return Lessons(store)


@pytest.fixture
def room(store):
    return new_room(store)


class Students(dict):
    """Student tokens the store issued for the room, one per name, issued when first asked for."""

    def __init__(self, store, room):
        super().__init__()
        self.store, self.room = store, room

    def __missing__(self, name: str) -> str:
        token = self[name] = self.store.join(self.room.code).token
        return token


@pytest.fixture
def who(store, room):
    return Students(store, room)


# --- rounds --------------------------------------------------------------------------------------------------------


def test_a_round_tags_its_runs_closes_on_time_and_opens_again_at_the_reveal(store, lessons, room, clock, who):
    store.send(room.code, "before", "{}", who["a"])
    first = lessons.start_round(room.code, 60)
    assert (first.number, first.ends - first.started, first.revealed) == (1, 60, False)
    version = store.board_version(room.board)
    in_round = store.send(room.code, "in round", "{}", who["a"])
    assert in_round.round == 1 and store.board_version(room.board) == version + 1
    clock.advance(60)  # the time is up: a late send is refused, in words, and not counted
    with pytest.raises(SendingClosed, match="Round 1's time is up: this run was not sent"):
        store.send(room.code, "late", "{}", who["a"])
    with pytest.raises(RoundRunning, match="Round 1 is over but not revealed: reveal the board"):
        lessons.start_round(room.code, 30)
    assert lessons.reveal(room.code).revealed and lessons.reveal(room.code) is None  # once
    after = store.send(room.code, "after", "{}", who["a"])
    second = lessons.start_round(room.code, 30)
    assert second.number == 2 and store.send(room.code, "second", "{}", who["b"]).round == 2
    assert [(e.name, e.round) for e in store.entries(room.board)] == [
        ("before", None), ("in round", 1), ("after", None), ("second", 2)]
    assert after.round is None
    with pytest.raises(RoundRunning, match="Round 2 is still running"):
        lessons.start_round(room.code, 30)
    clock.advance(10)
    assert lessons.reveal(room.code).ends == clock.now  # revealed early: its sending closes now
    assert [r.number for r in lessons.view(room.code).rounds] == [1, 2]


@pytest.mark.parametrize("seconds", [9, 3601, -5, float("nan"), "60", True, None])
def test_a_round_lasts_10_seconds_to_an_hour(lessons, room, seconds):
    with pytest.raises(ValueError, match="10 to 3600"):
        lessons.start_round(room.code, seconds)
    assert count(lessons.store, ROUNDS) == 0


def test_a_class_holds_at_most_max_rounds(store, lessons, room):
    with store.engine.begin() as conn:
        conn.execute(insert(ROUNDS), [dict(room=room.code, number=k, started=0.0, ends=1.0, revealed=True)
                                      for k in range(1, MAX_ROUNDS + 1)])
    with pytest.raises(LimitError, match=f"at most {MAX_ROUNDS} rounds"):
        lessons.start_round(room.code, 60)


def test_rounds_of_an_unknown_room_are_refused_before_any_query(lessons):
    for code in ("ZZZZZZ", "<b>", ""):
        with pytest.raises(RoomNotFound):
            lessons.start_round(code, 60)


# --- votes ---------------------------------------------------------------------------------------------------------


def test_one_ballot_a_student_changeable_until_the_vote_closes(store, lessons, room, who):
    vote = lessons.ask(room.code, "What will lr 0.9 do on XOR?", parse_options("converge; oscillate; diverge"),
                       preset="lr")
    assert vote.open and vote.options == ("converge", "oscillate", "diverge") and vote.preset == "lr"
    for owner, choice in (("a", 0), ("b", 1), ("c", 1)):
        lessons.vote(room.code, vote.id, who[owner], choice)
    version = store.board_version(room.board)
    lessons.vote(room.code, vote.id, who["a"], 0)  # the same ballot again changes nothing
    assert store.board_version(room.board) == version
    lessons.vote(room.code, vote.id, who["a"], 2)  # a changed mind replaces the ballot
    seen = lessons.view(room.code).vote
    assert seen.counts == (0, 2, 1) and seen.total == 3 and seen.ballots == {who["a"]: 2, who["b"]: 1, who["c"]: 1}
    assert lessons.close_vote(room.code) and not lessons.close_vote(room.code)
    with pytest.raises(VoteClosed, match="closed"):
        lessons.vote(room.code, vote.id, who["d"], 0)
    assert lessons.view(room.code).vote.counts == (0, 2, 1) and not lessons.view(room.code).vote.open


def test_a_new_question_closes_the_open_one(lessons, room, who):
    first = lessons.ask(room.code, "One?", ("a", "b"))
    second = lessons.ask(room.code, "Two?", ("c", "d"))
    with pytest.raises(VoteClosed):
        lessons.vote(room.code, first.id, who["a"], 0)
    lessons.vote(room.code, second.id, who["a"], 1)
    assert lessons.view(room.code).vote.question == "Two?"


def test_a_ballot_for_another_rooms_vote_or_option_is_refused(store, lessons, room, who):
    other = new_room(store)
    theirs = lessons.ask(other.code, "Theirs?", ("a", "b"))
    lessons.ask(room.code, "Ours?", ("a", "b"))
    with pytest.raises(VoteClosed, match="not counted"):
        lessons.vote(room.code, theirs.id, who["a"], 0)
    for vote_id, choice in ((theirs.id, True), ("1", 0), (0, 0), (2**63, 0)):
        with pytest.raises(VoteClosed, match="not a question"):
            lessons.vote(room.code, vote_id, who["a"], choice)
    ours = lessons.view(room.code).vote
    for choice in (-1, 2):
        with pytest.raises(ValueError, match="not one of the vote's options"):
            lessons.vote(room.code, ours.id, who["a"], choice)
    with pytest.raises(ValueError, match="identity"):
        lessons.vote(room.code, ours.id, "", 0)
    assert count(store, BALLOTS) == 0


@pytest.mark.parametrize("question, options, kw, words", [
    ("", "a; b", {}, "1 to 200 characters"),
    ("x" * 201, "a; b", {}, "1 to 200 characters"),
    ("Q?", "only one", {}, "2 to 6 options"),
    ("Q?", "a;b;c;d;e;f;g", {}, "2 to 6 options"),
    ("Q?", "a; " + "b" * 61, {}, "1 to 60 characters"),
    ("Q?", "same; same", {}, "Two options are the same"),
    ("Q?", "a; b", {"preset": "nope"}, "one of the presets"),
    ("Q?", "a; b", {"preset": "lr", "link": "lr=0.9"}, "not both"),
    ("Q?\x00", "a; b", {}, "NUL"),
])  # fmt: skip
def test_a_question_is_bounded_before_any_query(store, lessons, room, question, options, kw, words):
    with pytest.raises(ValueError, match=words):
        lessons.ask(room.code, question, parse_options(options) if ";" in options else (options,), **kw)
    assert count(store, VOTES) == 0


def test_a_vote_holds_max_ballots_and_a_student_changes_at_most_max_changes_times(store, lessons, room, who):
    vote = lessons.ask(room.code, "Q?", ("a", "b"))
    for k in range(MAX_CHANGES):
        lessons.vote(room.code, vote.id, who["fickle"], k % 2)
    with pytest.raises(LimitError, match=f"changed your vote {MAX_CHANGES} times"):
        lessons.vote(room.code, vote.id, who["fickle"], MAX_CHANGES % 2)
    with store.engine.begin() as conn:
        conn.execute(insert(BALLOTS), [dict(vote=vote.id, owner=who["o1"] if k == 1 else f"o{k}", choice=0, changes=1, at=0.0)
                                       for k in range(MAX_BALLOTS - 1)])
    with pytest.raises(LimitError, match=f"its {MAX_BALLOTS} ballots"):
        lessons.vote(room.code, vote.id, who["one-too-many"], 0)
    lessons.vote(room.code, vote.id, who["o1"], 1)  # a ballot already cast can still change
    assert lessons.view(room.code).vote.total == MAX_BALLOTS


def test_a_class_holds_at_most_max_votes(store, lessons, room):
    with store.engine.begin() as conn:
        conn.execute(insert(VOTES), [dict(room=room.code, question="q", options='["a","b"]', preset="", link="",
                                          opened=0.0, closed=0.0) for _ in range(MAX_VOTES)])
    with pytest.raises(LimitError, match=f"at most {MAX_VOTES} questions"):
        lessons.ask(room.code, "Q?", ("a", "b"))


# --- checks --------------------------------------------------------------------------------------------------------


def test_the_class_checks_count_each_students_last_check(store, lessons, room, who):
    lessons.send_check(room.code, who["a"], False, ["half"])
    lessons.send_check(room.code, who["a"], True)  # fixed: a's last check is right
    lessons.send_check(room.code, who["b"], False, ["sign", "half"])
    lessons.send_check(room.code, who["c"], False, [])  # wrong, no mistake recognised
    lessons.send_check(room.code, who["d"], False, ["half"])
    checks = lessons.view(room.code).checks
    assert (checks.checked, checks.correct) == (4, 1)
    assert checks.mistakes == (("half", 2), ("sign", 1)) and checks.unrecognised == 1
    assert [c.mistakes for c in lessons.record(room.code).checks] == [("half",), (), ("half", "sign"), (), ("half",)]


@pytest.mark.parametrize("ok, mistakes, words", [
    (True, ["half"], "all right"),
    ("yes", [], "all right"),
    (False, ["not a mistake"], "names among"),
    (False, "half", "names among"),
    (False, [1], "names among"),
])  # fmt: skip
def test_a_check_is_a_verdict_and_known_mistake_names_only(store, lessons, room, ok, mistakes, words, who):
    with pytest.raises(ValueError, match=words):
        lessons.send_check(room.code, who["a"], ok, mistakes)
    assert count(store, CHECKS) == 0


def test_a_student_sends_at_most_max_checks_and_a_room_holds_at_most_max_room_checks(store, lessons, room, who):
    for _ in range(MAX_CHECKS):
        lessons.send_check(room.code, who["keen"], True)
    with pytest.raises(LimitError, match=f"sent {MAX_CHECKS} checks"):
        lessons.send_check(room.code, who["keen"], True)
    with store.engine.begin() as conn:
        conn.execute(insert(CHECKS), [dict(room=room.code, owner=f"o{k}", ok=True, mistakes="", at=0.0)
                                      for k in range(MAX_ROOM_CHECKS - MAX_CHECKS)])
    with pytest.raises(LimitError, match=f"holds {MAX_ROOM_CHECKS} checks"):
        lessons.send_check(room.code, who["new"], True)


# --- a lesson's end and its record ---------------------------------------------------------------------------------


def test_an_ended_lesson_is_read_only_and_its_record_keeps_everything(store, lessons, room, clock, who):
    lessons.start_round(room.code, 60)
    store.send(room.code, "Ann", "{}", who["a"])
    vote = lessons.ask(room.code, "Q?", ("yes", "no"), link="dataset=xor&lr=0.9")
    lessons.vote(room.code, vote.id, who["a"], 1)
    lessons.send_check(room.code, who["a"], False, ["sign"])
    assert lessons.end(room.code) and not lessons.end(room.code)
    view = lessons.view(room.code)
    assert view.ended == clock.now and view.round.revealed and not view.vote.open
    for refused in (lambda: store.send(room.code, "late", "{}", who["b"]), lambda: lessons.start_round(room.code, 60),
                    lambda: lessons.ask(room.code, "Q2?", ("a", "b")), lambda: lessons.vote(room.code, vote.id, who["b"], 0),
                    lambda: lessons.send_check(room.code, who["b"], True)):
        with pytest.raises(SendingClosed, match="This lesson has ended"):
            refused()
    record = lessons.record(room.code)
    assert [(e.name, e.round) for e in store.entries(room.board)] == [("Ann", 1)]
    assert [(v.question, v.counts, v.link) for v in record.votes] == [("Q?", (0, 1), "dataset=xor&lr=0.9")]
    assert [(c.owner, c.ok, c.mistakes) for c in record.checks] == [(who["a"], False, ("sign",))]
    assert record.ended == clock.now and [r.number for r in record.rounds] == [1]


def test_an_expired_room_takes_its_lesson_with_it(store, lessons, room, clock, who):
    lessons.start_round(room.code, 60)
    vote = lessons.ask(room.code, "Q?", ("a", "b"))
    lessons.vote(room.code, vote.id, who["a"], 0)
    lessons.send_check(room.code, who["a"], True)
    lessons.end(room.code)
    clock.advance(rooms.ROOM_TTL + 1)
    assert store.expire() == 1
    assert [count(store, t) for t in (ROUNDS, VOTES, BALLOTS, CHECKS)] == [0, 0, 0, 0]


# --- what pages read -----------------------------------------------------------------------------------------------


class Tick:
    """The reader's clock: moved by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_reader_reads_a_lesson_again_only_when_the_board_version_moved(store, lessons, room):
    tick = Tick()
    boards = BoardReader(lambda: store, clock=tick)
    reader = LessonReader(lambda: boards, lambda: lessons)
    first = reader.view(room.code, room.board)
    assert first.vote is None and reader.reads == 1
    lessons.ask(room.code, "Q?", ("a", "b"))
    assert reader.view(room.code, room.board) is first  # within the board cache's second: as it was
    tick.now += 2
    for _ in range(5):
        assert reader.view(room.code, room.board).vote.question == "Q?"
    assert reader.reads == 2
    tick.now += 2
    reader.view(room.code, room.board)
    assert reader.reads == 2  # nothing changed: the version said so


# --- many students at one moment ----------------------------------------------------------------------------------


def test_forty_students_voting_and_sending_in_a_round_at_once_all_count_once(store, lessons, room, who):
    lessons.start_round(room.code, 600)
    vote = lessons.ask(room.code, "Q?", ("a", "b", "c"))
    owners = [f"student-{k}" for k in range(40)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda o: lessons.vote(room.code, vote.id, who[o], int(o.split("-")[1]) % 3), owners))
        sent = list(pool.map(lambda o: store.send(room.code, o, "{}", who[o]), owners))
    assert lessons.view(room.code).vote.counts == (14, 13, 13)
    entries = store.entries(room.board)
    assert sorted(e.name for e in entries) == sorted(owners) and {e.round for e in entries} == {1}
    assert len({e.id for e in sent}) == 40


# --- the schema: a database written by version 2 upgrades itself --------------------------------------------------


def v2_database(url: str) -> None:
    """Today's version 2 schema written out as its own DDL (not through the migration steps), with a room, an entry
    and a send in it."""
    engine = make_engine(url)
    serial = "SERIAL PRIMARY KEY" if engine.dialect.name == "postgresql" else "INTEGER PRIMARY KEY AUTOINCREMENT"
    ddl = [
        "CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
        "CREATE TABLE boards (id TEXT PRIMARY KEY, created FLOAT NOT NULL, updated FLOAT NOT NULL, "
        "version INTEGER NOT NULL)",
        f"CREATE TABLE entries (id {serial}, board TEXT NOT NULL REFERENCES boards (id) ON DELETE CASCADE, "
        "name TEXT NOT NULL, owner TEXT NOT NULL, record TEXT NOT NULL, created FLOAT NOT NULL)",
        "CREATE INDEX ix_entries_board ON entries (board)",
        "CREATE TABLE rooms (code TEXT PRIMARY KEY, board TEXT NOT NULL UNIQUE REFERENCES boards (id) ON DELETE "
        "CASCADE, key_hash TEXT NOT NULL, task TEXT NOT NULL, challenge TEXT NOT NULL, anonymous BOOLEAN NOT NULL, "
        "locked BOOLEAN NOT NULL, created FLOAT NOT NULL, active FLOAT NOT NULL)",
        "CREATE INDEX ix_rooms_active ON rooms (active)",
        f"CREATE TABLE sends (id {serial}, room TEXT NOT NULL REFERENCES rooms (code) ON DELETE CASCADE, "
        "owner TEXT NOT NULL, at FLOAT NOT NULL)",
        "CREATE INDEX ix_sends_room_owner_at ON sends (room, owner, at)",
        "INSERT INTO meta (name, value) VALUES ('schema_version', 2)",
        "INSERT INTO boards VALUES ('b0ard-of-version-two', 1.0, 1.0, 2)",
        "INSERT INTO rooms VALUES ('ABCDEF', 'b0ard-of-version-two', :hash, 'lr=0.3', 'go', :no, :no, 1.0, :now)",
        "INSERT INTO entries (board, name, owner, record, created) VALUES ('b0ard-of-version-two', 'Ann', 'a', "
        "'{}', 1.0)",
        "INSERT INTO sends (room, owner, at) VALUES ('ABCDEF', 'a', 1.0)",
    ]
    with engine.begin() as conn:
        for statement in ddl:
            conn.execute(text(statement), {"hash": rooms.key_hash("k"), "no": False, "now": 1_700_000_000.0})
    engine.dispose()


def test_a_version_2_database_upgrades_itself_and_keeps_its_class(db_url, clock):
    v2_database(db_url)
    with Store.open(db_url, clock=clock) as store:
        with store.engine.connect() as conn:
            assert conn.scalar(select(META.c.value)) == SCHEMA_VERSION  # every step since 2, the lesson's included
        room = store.room("ABCDEF")
        assert (room.task, room.challenge) == ("lr=0.3", "go")
        assert [(e.name, e.owner, e.round) for e in store.entries(room.board)] == [("Ann", "a", None)]
        lessons, bob = Lessons(store), Students(store, room)["Bob"]
        lessons.start_round(room.code, 60)
        assert store.send(room.code, "Bob", "{}", bob).round == 1
        vote = lessons.ask(room.code, "Q?", ("a", "b"))
        lessons.vote(room.code, vote.id, bob, 1)
        assert lessons.view(room.code).vote.counts == (0, 1)
    with Store.open(db_url) as again:  # opening again changes nothing
        assert [e.name for e in again.entries(room.board)] == ["Ann", "Bob"]


def test_a_made_up_or_another_rooms_token_cannot_vote_or_count_a_check(store, lessons, room, who):
    other = new_room(store)
    theirs = store.join(other.code).token  # issued, but for another class
    vote = lessons.ask(room.code, "Q?", ("a", "b"))
    for token in ("AAAAAAAAAAAAAAAA", theirs, who["Ann"] + "x"):
        with pytest.raises(UnknownStudent, match="not issued for class"):
            lessons.vote(room.code, vote.id, token, 0)
        with pytest.raises(UnknownStudent, match="not issued for class"):
            lessons.send_check(room.code, token, True)
    assert count(store, BALLOTS) == 0 and count(store, CHECKS) == 0
    lessons.vote(room.code, vote.id, who["Ann"], 1)
    assert lessons.view(room.code).vote.counts == (0, 1)
