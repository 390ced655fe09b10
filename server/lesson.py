"""A live lesson in a class room, in SQL: timed rounds and their reveal, votes (one ballot a student, changeable
until the vote closes), the class's backprop checks (a verdict and the recognised mistakes' names, never a
student's numbers), the lesson's end (its room read-only from then on) and the whole lesson as a record.

The same rules as `server.store`: parameterized statements only; every bound checked before any work where it
needs no database, and inside the write transaction, with the room's row locked first, where it counts rows;
every change counts as the room's activity and bumps its board's version, so a page polling that one number sees
votes, rounds and checks as it sees new runs. `LessonReader` is what pages read: one database read per room a
board version, through the process's `server.boards.BoardReader`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from sqlalchemy import Connection, func, insert, select, update

from companion.mistakes import MISTAKES
from lab.presets import PRESETS
from server.boards import BoardReader
from server.rooms import MAX_TEXT
from server.rounds import Round, SendingClosed, latest, rounds, still_open
from server.rows import LimitError
from server.schema import BALLOTS, CHECKS, LESSONS, ROOMS, ROUNDS, VOTES, StoreError, transaction
from server.statements import check_text, open_room, room_code, touch
from server.store import Store

MIN_ROUND, MAX_ROUND = 10, 3600  # seconds a round may last
MAX_ROUNDS = 50  # rounds in one room
MAX_QUESTION = 200  # characters of a vote's question
MAX_OPTION = 60  # characters of one option
MIN_OPTIONS, MAX_OPTIONS = 2, 6
MAX_VOTES = 50  # questions asked in one room
MAX_BALLOTS = 500  # students voting on one question
MAX_CHANGES = 20  # times one student may cast (or change) a ballot on one question
MAX_CHECKS = 20  # checks one student may send to one room
MAX_ROOM_CHECKS = 2000  # checks one room holds
OPTION_SEP = ";"  # how the teacher types the options


class VoteClosed(StoreError):
    """The vote is closed (or is not the room's question on screen): no ballot."""


class RoundRunning(StoreError):
    """A new round cannot start while the last one is not revealed."""


# --- values ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vote:
    """A question put to the class: its options, what runs after it (a preset's name or a task link's query, or
    neither), when it opened and closed (None: open), the ballots per option and who chose what (identity → the
    option's index; kept on the server, never shown)."""

    id: int
    question: str
    options: tuple[str, ...]
    preset: str
    link: str
    opened: float
    closed: float | None
    counts: tuple[int, ...]
    ballots: Mapping[str, int] = field(default_factory=dict, compare=False)

    @property
    def open(self) -> bool:
        return self.closed is None

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Checks:
    """The class's backprop checks, each student's last one: how many checked, how many all right, how many
    students' checks recognised each mistake (by `companion.mistakes.MISTAKES` name, most first), and how many are
    wrong with no mistake recognised."""

    checked: int = 0
    correct: int = 0
    mistakes: tuple[tuple[str, int], ...] = ()
    unrecognised: int = 0


@dataclass(frozen=True)
class LessonView:
    """A room's lesson at one board version: its rounds (oldest first), the latest question, the checks, and when
    the lesson ended (None: it goes on)."""

    version: int = 0
    rounds: tuple[Round, ...] = ()
    vote: Vote | None = None
    checks: Checks = Checks()
    ended: float | None = None

    @property
    def round(self) -> Round | None:
        """The last round (None before the first)."""
        return self.rounds[-1] if self.rounds else None


@dataclass(frozen=True)
class CheckRow:
    owner: str
    ok: bool
    mistakes: tuple[str, ...]
    at: float


@dataclass(frozen=True)
class LessonRecord:
    """What a lesson left besides its entries (which carry their rounds: `Store.entries`): the rounds, every question
    with its counts, and every check sent (owners are identities: the page names them, never shows them)."""

    code: str
    rounds: tuple[Round, ...]
    votes: tuple[Vote, ...]
    checks: tuple[CheckRow, ...]
    ended: float | None


# --- checks before any query (bounds that need no database) -----------------------------------------------------


def parse_options(text: object) -> tuple[str, ...]:
    """The options as the teacher typed them ("fast; slow; never"), trimmed; ValueError saying what is allowed."""
    if not isinstance(text, str):
        raise ValueError("Options are text, separated by ';'.")
    return check_options(tuple(part.strip() for part in text.split(OPTION_SEP) if part.strip()))


def check_options(options: object) -> tuple[str, ...]:
    if not isinstance(options, (tuple, list)) or not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise ValueError(f"A vote has {MIN_OPTIONS} to {MAX_OPTIONS} options, separated by '{OPTION_SEP}'.")
    kept = []
    for option in options:
        text = check_text(option, "vote option", 4 * MAX_OPTION).strip()
        if not text or len(text) > MAX_OPTION:
            raise ValueError(f"Each option is 1 to {MAX_OPTION} characters; {text[:20]!r}… is {len(text)}.")
        kept.append(" ".join(text.split()))
    if len(set(kept)) != len(kept):
        raise ValueError("Two options are the same: each option must differ from the others.")
    return tuple(kept)


def check_question(question: object) -> str:
    text = " ".join(check_text(question, "question", 4 * MAX_QUESTION).split())
    if not text or len(text) > MAX_QUESTION:
        raise ValueError(f"A question is 1 to {MAX_QUESTION} characters; this one has {len(text)}.")
    return text


def check_seconds(seconds: object) -> int:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds != seconds:
        raise ValueError(f"A round lasts a number of seconds, {MIN_ROUND} to {MAX_ROUND}.")
    if not MIN_ROUND <= seconds <= MAX_ROUND:
        raise ValueError(f"A round lasts {MIN_ROUND} to {MAX_ROUND} seconds, not {seconds:g}.")
    return int(seconds)


def check_mistakes(names: object) -> tuple[str, ...]:
    if not isinstance(names, (tuple, list)) or len(names) > len(MISTAKES) or not all(n in MISTAKES for n in names):
        raise ValueError(f"A check's mistakes are names among {', '.join(MISTAKES)}, each once.")
    return tuple(sorted(set(names), key=list(MISTAKES).index))


# --- the store's lesson operations ---------------------------------------------------------------------------------


class Lessons:
    """A room's lesson in the store's database (the store's engine and clock)."""

    def __init__(self, store: Store):
        self.store = store

    def _tx(self, write: bool = False):
        return transaction(self.store.engine, write)

    def _open(self, conn: Connection, code: str) -> tuple[str, float]:
        """Locks the room's row (RoomNotFound when gone), refuses an ended lesson; the board and the time."""
        now = self.store.clock()
        room = open_room(conn, code, now)
        still_open(conn, code)
        return room.board, now

    def _changed(self, conn: Connection, code: str, board: str, now: float) -> None:
        conn.execute(update(ROOMS).where(ROOMS.c.code == code).values(active=now))
        touch(conn, board, now)

    # --- rounds ---

    def start_round(self, code: str, seconds: object) -> Round:
        """A new round of `seconds`; RoundRunning while the last is not revealed, LimitError past MAX_ROUNDS."""
        code, seconds = room_code(code), check_seconds(seconds)
        with self._tx(write=True) as conn:
            board, now = self._open(conn, code)
            last = latest(conn, code)
            if last is not None and not last.revealed:
                what = "is still running" if last.running(now) else "is over but not revealed"
                raise RoundRunning(f"Round {last.number} {what}: reveal the board before the next round.")
            if last is not None and last.number >= MAX_ROUNDS:
                raise LimitError(f"A class holds at most {MAX_ROUNDS} rounds.")
            new = Round((last.number if last else 0) + 1, now, now + seconds, False)
            conn.execute(insert(ROUNDS).values(room=code, **new.__dict__))
            self._changed(conn, code, board, now)
        return new

    def reveal(self, code: str) -> Round | None:
        """Shows the last round's entries (and closes its sending, if still open); None when there is none to."""
        code = room_code(code)
        with self._tx(write=True) as conn:
            board, now = self._open(conn, code)
            last = latest(conn, code)
            if last is None or last.revealed:
                return None
            ends = min(last.ends, now)
            conn.execute(update(ROUNDS).where(ROUNDS.c.room == code, ROUNDS.c.number == last.number)
                         .values(revealed=True, ends=ends))
            self._changed(conn, code, board, now)
        return Round(last.number, last.started, ends, True)

    # --- votes ---

    def ask(self, code: str, question: object, options: object, preset: str = "", link: str = "") -> Vote:
        """Puts a question to the class (closing the one open before); `preset` (a lab.presets name) or `link` (a
        task link's query) is what runs once it closes."""
        code, question, options = room_code(code), check_question(question), check_options(options)
        if preset and preset not in PRESETS:
            raise ValueError(f"A vote runs one of the presets {', '.join(PRESETS)}, or a link.")
        link = check_text(link, "link", MAX_TEXT)
        if preset and link:
            raise ValueError("A vote runs a preset or a link, not both.")
        with self._tx(write=True) as conn:
            board, now = self._open(conn, code)
            asked = conn.scalar(select(func.count()).select_from(VOTES).where(VOTES.c.room == code))
            if asked >= MAX_VOTES:
                raise LimitError(f"A class holds at most {MAX_VOTES} questions.")
            conn.execute(update(VOTES).where(VOTES.c.room == code, VOTES.c.closed.is_(None)).values(closed=now))
            values = dict(room=code, question=question, options=json.dumps(options), preset=preset, link=link,
                          opened=now, closed=None)
            vote_id = conn.execute(insert(VOTES).values(**values)).inserted_primary_key[0]
            self._changed(conn, code, board, now)
        return Vote(vote_id, question, options, preset, link, now, None, (0,) * len(options))

    def vote(self, code: str, vote_id: object, owner: object, choice: object) -> None:
        """One student's ballot (a second one replaces the first) while the vote is open."""
        code = room_code(code)
        owner = self.store.issued(code, owner)
        if not _is_id(vote_id) or isinstance(choice, bool) or not isinstance(choice, int):
            raise VoteClosed("That is not a question of this class.")
        with self._tx(write=True) as conn:
            board, now = self._open(conn, code)
            row = conn.execute(select(VOTES).where(VOTES.c.id == vote_id, VOTES.c.room == code)).first()
            if row is None or row.closed is not None:
                raise VoteClosed("This vote is closed: your ballot was not counted.")
            if not 0 <= choice < len(json.loads(row.options)):
                raise ValueError("That is not one of the vote's options.")
            mine = (BALLOTS.c.vote == vote_id) & (BALLOTS.c.owner == owner)
            before = conn.execute(select(BALLOTS.c.choice, BALLOTS.c.changes).where(mine)).first()
            if before is None:
                cast = conn.scalar(select(func.count()).select_from(BALLOTS).where(BALLOTS.c.vote == vote_id))
                if cast >= MAX_BALLOTS:
                    raise LimitError(f"This vote has its {MAX_BALLOTS} ballots, the most one vote holds.")
                conn.execute(insert(BALLOTS).values(vote=vote_id, owner=owner, choice=choice, changes=1, at=now))
            elif before.choice == choice:
                return
            elif before.changes >= MAX_CHANGES:
                raise LimitError(f"You have changed your vote {MAX_CHANGES} times, the most allowed.")
            else:
                conn.execute(update(BALLOTS).where(mine).values(choice=choice, changes=before.changes + 1, at=now))
            self._changed(conn, code, board, now)

    def close_vote(self, code: str) -> bool:
        """Closes the room's open vote; False when none was open."""
        code = room_code(code)
        with self._tx(write=True) as conn:
            board, now = self._open(conn, code)
            closed = conn.execute(
                update(VOTES).where(VOTES.c.room == code, VOTES.c.closed.is_(None)).values(closed=now)
            ).rowcount
            if closed:
                self._changed(conn, code, board, now)
        return bool(closed)

    # --- checks ---

    def send_check(self, code: str, owner: object, ok: object, mistakes: object = ()) -> None:
        """A student's backprop check: the verdict and the recognised mistakes' names, nothing else."""
        code, mistakes = room_code(code), check_mistakes(mistakes)
        owner = self.store.issued(code, owner)
        if not isinstance(ok, bool) or (ok and mistakes):
            raise ValueError("A check is all right (no mistakes) or not (with the mistakes recognised, if any).")
        with self._tx(write=True) as conn:
            board, now = self._open(conn, code)
            mine = conn.scalar(select(func.count()).select_from(CHECKS)
                               .where(CHECKS.c.room == code, CHECKS.c.owner == owner))
            if mine >= MAX_CHECKS:
                raise LimitError(f"You have sent {MAX_CHECKS} checks to this class, the most allowed.")
            if conn.scalar(select(func.count()).select_from(CHECKS).where(CHECKS.c.room == code)) >= MAX_ROOM_CHECKS:
                raise LimitError(f"This class holds {MAX_ROOM_CHECKS} checks, the most it takes.")
            conn.execute(insert(CHECKS).values(room=code, owner=owner, ok=ok, mistakes=",".join(mistakes), at=now))
            self._changed(conn, code, board, now)

    # --- the lesson's end, and what it left ---

    def end(self, code: str) -> bool:
        """Ends the lesson: the open vote closes, the last round is revealed, and the room takes nothing more.
        False when it had ended already."""
        code = room_code(code)
        with self._tx(write=True) as conn:
            try:
                board, now = self._open(conn, code)
            except SendingClosed:
                return False
            conn.execute(update(VOTES).where(VOTES.c.room == code, VOTES.c.closed.is_(None)).values(closed=now))
            conn.execute(update(ROUNDS).where(ROUNDS.c.room == code, ROUNDS.c.revealed.is_(False))
                         .values(revealed=True))
            conn.execute(insert(LESSONS).values(room=code, ended=now))
            self._changed(conn, code, board, now)
        return True

    def view(self, code: str) -> LessonView:
        """The room's lesson now (an empty one for an unknown code)."""
        code = room_code(code)
        with self._tx() as conn:
            row = conn.execute(select(VOTES).where(VOTES.c.room == code).order_by(VOTES.c.id.desc()).limit(1)).first()
            vote = None if row is None else _vote(row, _ballots(conn, (row.id,)).get(row.id, {}))
            return LessonView(0, rounds(conn, code), vote, _summary(_checks(conn, code)),
                              conn.scalar(select(LESSONS.c.ended).where(LESSONS.c.room == code)))

    def record(self, code: str) -> LessonRecord:
        """The lesson's rounds, questions and checks, for the teacher's download."""
        code = room_code(code)
        with self._tx() as conn:
            rows = conn.execute(select(VOTES).where(VOTES.c.room == code).order_by(VOTES.c.id)).all()
            ballots = _ballots(conn, tuple(r.id for r in rows))
            votes = tuple(_vote(r, ballots.get(r.id, {})) for r in rows)
            return LessonRecord(code, rounds(conn, code), votes, _checks(conn, code),
                                conn.scalar(select(LESSONS.c.ended).where(LESSONS.c.room == code)))


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def _ballots(conn: Connection, vote_ids: tuple[int, ...]) -> dict[int, dict[str, int]]:
    found: dict[int, dict[str, int]] = {}
    if vote_ids:
        for b in conn.execute(select(BALLOTS).where(BALLOTS.c.vote.in_(vote_ids))):
            found.setdefault(b.vote, {})[b.owner] = b.choice
    return found


def _vote(row, ballots: dict[str, int]) -> Vote:  # noqa: ANN001 (a VOTES row)
    options = tuple(json.loads(row.options))
    tally = Counter(ballots.values())
    return Vote(row.id, row.question, options, row.preset, row.link, row.opened, row.closed,
                tuple(tally[i] for i in range(len(options))), ballots)


def _checks(conn: Connection, code: str) -> tuple[CheckRow, ...]:
    rows = conn.execute(select(CHECKS).where(CHECKS.c.room == code).order_by(CHECKS.c.id))
    return tuple(CheckRow(r.owner, bool(r.ok), tuple(m for m in r.mistakes.split(",") if m), r.at) for r in rows)


def _summary(checks: tuple[CheckRow, ...]) -> Checks:
    """Each student's last check, counted."""
    last = {c.owner: c for c in checks}
    mistakes = Counter(m for c in last.values() for m in c.mistakes)
    return Checks(len(last), sum(c.ok for c in last.values()),
                  tuple(sorted(mistakes.items(), key=lambda kv: (-kv[1], list(MISTAKES).index(kv[0])))),
                  sum(not c.ok and not c.mistakes for c in last.values()))


# --- what pages read ------------------------------------------------------------------------------------------------


class LessonReader:
    """Each room's lesson as pages read it: read again only when the room's board version (from the process's
    `BoardReader`, at most its ttl old) has moved, so forty pages polling a lesson cost about one read a second."""

    MAX_ROOMS = 256  # rooms whose lesson is kept; the oldest read goes first

    def __init__(self, boards: Callable[[], BoardReader], lessons: Callable[[], Lessons]):
        self._boards, self._lessons = boards, lessons
        self._views: dict[str, LessonView] = {}
        self.reads = 0

    def view(self, code: str, board: str) -> LessonView:
        """The lesson of room `code` (whose board is `board`); StoreError when the store cannot answer."""
        version = self._boards().board(board).version
        cached = self._views.get(code)
        if cached is not None and cached.version == version:
            return cached
        view = replace(self._lessons().view(code), version=version)
        self.reads += 1
        self._views.pop(code, None)
        self._views[code] = view  # no lock: two pages reading at once at worst both read
        while len(self._views) > self.MAX_ROOMS:
            try:
                self._views.pop(next(iter(self._views)), None)
            except (RuntimeError, StopIteration):  # another thread changed it meanwhile
                break
        return view

