"""A class's timed rounds and a lesson's end, as a send sees them: inside the send's write transaction, with the
room's row locked, which round a run belongs to, or why sending is closed.

A round runs from `started` to `ends`. Runs sent meanwhile carry its number and stay off the board (pages show
how many have sent) until the teacher reveals it; after `ends` and before the reveal a send is refused, so the
round's board is the same for everyone. Once revealed the room takes runs outside rounds again, until the next
round starts. A lesson that has ended takes nothing any more: its board is read-only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from server.schema import LESSONS, ROUNDS, StoreError


class SendingClosed(StoreError):
    """No sends now: a round's time is up and the board is not revealed yet, or the lesson has ended."""


@dataclass(frozen=True)
class Round:
    """One round of a room: its number (1, 2, … per room), when it started and ends (seconds since the epoch),
    and whether the teacher has revealed its entries."""

    number: int
    started: float
    ends: float
    revealed: bool

    def running(self, now: float) -> bool:
        """Sending is open for this round."""
        return not self.revealed and now < self.ends

    def left(self, now: float) -> float:
        """Seconds until sending closes (0 once it has)."""
        return max(0.0, self.ends - now) if not self.revealed else 0.0


def rounds(conn: Connection, code: str) -> tuple[Round, ...]:
    """The room's rounds, oldest first."""
    rows = conn.execute(select(ROUNDS).where(ROUNDS.c.room == code).order_by(ROUNDS.c.number))
    return tuple(Round(r.number, r.started, r.ends, bool(r.revealed)) for r in rows)


def latest(conn: Connection, code: str) -> Round | None:
    """The room's last round (None before the first)."""
    row = conn.execute(
        select(ROUNDS).where(ROUNDS.c.room == code).order_by(ROUNDS.c.number.desc()).limit(1)
    ).first()
    return None if row is None else Round(row.number, row.started, row.ends, bool(row.revealed))


def ended(conn: Connection, code: str) -> float | None:
    """When the room's lesson ended (None: it has not)."""
    return conn.scalar(select(LESSONS.c.ended).where(LESSONS.c.room == code))


def still_open(conn: Connection, code: str) -> None:
    """SendingClosed when the room's lesson has ended (every change to a lesson checks this first)."""
    if ended(conn, code) is not None:
        raise SendingClosed("This lesson has ended: its board is read-only now.")


def sending_round(conn: Connection, code: str, now: float) -> int | None:
    """The number of the round a run sent now belongs to (None: outside rounds); SendingClosed when a round's time
    is up and its board not revealed yet, or the lesson has ended. The caller holds the room's row locked."""
    still_open(conn, code)
    last = latest(conn, code)
    if last is None or last.revealed:
        return None
    if last.running(now):
        return last.number
    raise SendingClosed(
        f"Round {last.number}'s time is up: this run was not sent. Sending opens again when the teacher reveals "
        "the board."
    )
