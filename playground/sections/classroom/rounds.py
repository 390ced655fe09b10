"""A class's timed rounds on the page: the teacher's **Round (seconds)**, **Start a round** and **Reveal the
board**; the countdown every page shows; the board while a round is hidden (how many have sent, never what); and,
once revealed, which round the board shows, with the rounds side by side.

What is drawn from a board is cached per board version (`playground.sections.board`): a hidden round draws
nothing of its entries, and the round picked is part of the drawings' cache key."""

from __future__ import annotations

import math
import statistics
from collections.abc import Hashable

import pandas as pd
import streamlit as st

from playground import state
from playground.sections.classroom import lesson
from server.boards import BoardView, Posted
from server.lesson import MAX_ROUND, MIN_ROUND, LessonView
from server.rounds import Round
from server.store import Room

DEFAULT_SECONDS = 120
ALL, OUTSIDE = "all", "outside"  # the board's choices besides a round's number: every run, the runs outside rounds


def clock(seconds: float) -> str:
    """'1:05' for 65 s."""
    whole = max(0, math.ceil(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def sent_in(view: BoardView, number: int) -> tuple[int, int]:
    """(runs, students) sent in round `number`."""
    entries = [p for p in view.entries if p.round == number]
    return len(entries), len({p.owner for p in entries})


def countdown(view: LessonView, now: float) -> None:
    """The last round's state, on every page: time left, or time up and waiting for the reveal."""
    last = view.round
    if last is None or last.revealed:
        return
    if last.running(now):
        st.info(f"**Round {last.number}** · {clock(last.left(now))} left · send your best run before the time "
                "is up.", icon=":material/timer:")
    else:
        st.info(f"**Round {last.number}**: time is up. Sending is closed until the teacher reveals the board.",
                icon=":material/timer_off:")


def controls(room: Room, view: LessonView | None) -> None:
    """The teacher's round controls."""
    last = view.round if view is not None else None
    hidden = last is not None and not last.revealed
    left, mid, right = st.columns([1, 1, 1], vertical_alignment="bottom")
    left.number_input("Round (seconds)", MIN_ROUND, MAX_ROUND, DEFAULT_SECONDS, step=10, key=state.ROUND_SECONDS,
                      help=f"How long students may send in a round ({MIN_ROUND} s to {MAX_ROUND // 60} min). The "
                           "board hides the round's runs until you reveal it.")
    mid.button("Start a round", key=state.START_ROUND, icon=":material/timer:", disabled=hidden,
               on_click=lesson.start_round, args=(room,),
               help="Reveal the last round first." if hidden else "Students' runs are hidden until you reveal them.")
    right.button("Reveal the board", key=state.REVEAL, icon=":material/visibility:", disabled=not hidden,
                 type="primary" if hidden else "secondary", on_click=lesson.reveal, args=(room,),
                 help="Show the round's runs to everyone (and close its sending, if time is left).")


def hidden_board(view: BoardView, last: Round) -> None:
    """The board during a hidden round: how many have sent, not who or what."""
    runs, students = sent_in(view, last.number)
    st.subheader(f"Round {last.number}: {runs} run{'s' if runs != 1 else ''} from {students} "
                 f"student{'s' if students != 1 else ''} so far")
    st.caption("The board shows them when the teacher reveals it.")


def hides(view: LessonView | None) -> Round | None:
    """The round whose runs the board hides now (None: it hides nothing)."""
    last = view.round if view is not None else None
    return last if last is not None and not last.revealed else None


def pick(view: BoardView) -> tuple[tuple[Posted, ...], Hashable]:
    """The runs the board shows (every run, or one round's, as the visitor chooses) and what names that choice,
    for the drawings' cache key; with rounds, the rounds side by side first."""
    numbers = sorted({p.round for p in view.entries if p.round is not None})
    if not numbers:
        return view.entries, ALL
    outside = [OUTSIDE] if any(p.round is None for p in view.entries) else []
    labels = {ALL: "All runs", OUTSIDE: "Outside rounds", **{n: f"Round {n}" for n in numbers}}
    side_by_side(view, [*numbers, *outside], labels)
    choices = [ALL, *numbers, *outside]
    chosen = st.segmented_control("Show", choices, format_func=labels.get, key=state.ROUND_PICK, default=ALL)
    if chosen not in choices or chosen == ALL:  # None: the visitor unselected the choice
        return view.entries, ALL
    number = None if chosen == OUTSIDE else chosen
    return tuple(p for p in view.entries if p.round == number), ("round", chosen)


def side_by_side(view: BoardView, rounds: list[int | str], labels: dict) -> None:
    """Per round: runs, students, the best accuracy, the median final loss."""
    rows = []
    for label in rounds:
        number = None if label == OUTSIDE else label
        entries = [p for p in view.entries if p.round == number]
        losses = [p.record.last.loss for p in entries if p.record.last.loss == p.record.last.loss]
        rows.append({"round": labels[label], "runs": len(entries), "students": len({p.owner for p in entries}),
                     "best accuracy": 100 * max(_accuracy(p) for p in entries) if entries else None,
                     "median final loss": statistics.median(losses) if losses else None})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="content", column_config={
        "best accuracy": st.column_config.NumberColumn(format="%.1f%%"),
        "median final loss": st.column_config.NumberColumn(format="%.3g")})


def _accuracy(p: Posted) -> float:
    last = p.record.last
    return last.test_accuracy if last.test_accuracy is not None else last.accuracy
