"""A lesson's record for the teacher: every run (with its round), every question with its counts, every backprop
check, as one CSV (a row per run, per option of a question, per check; a `kind` column says which) and as JSON;
**End the lesson**, after which the class is read-only; and the teacher's page of a class past its lesson.

Students appear by the name they sent runs under, or as "student 1", "student 2"… when they sent none: never by the
identity the server gave their browser."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime

import streamlit as st

from lab.experiment import FIELDS
from playground import shared, state
from playground.sections.classroom import lesson
from playground.sections.classroom.board import spreadsheet_text
from server.boards import BoardView
from server.lesson import LessonRecord
from server.store import Room, StoreError


def students(view: BoardView, record: LessonRecord) -> dict[str, str]:
    """identity → how the record names the student."""
    names = {p.owner: p.name for p in view.entries}
    unnamed = 0
    for owner in [c.owner for c in record.checks] + [o for v in record.votes for o in v.ballots]:
        if owner not in names:
            unnamed += 1
            names[owner] = f"student {unnamed}"
    return names


def as_dict(view: BoardView, record: LessonRecord) -> dict:
    """The lesson as plain data (what the JSON download holds)."""
    who = students(view, record)
    return {
        "class": record.code,
        "ended": record.ended,
        "rounds": [{"number": r.number, "started": r.started, "ends": r.ends, "revealed": r.revealed}
                   for r in record.rounds],
        "entries": [{"name": p.name, "round": p.round, "sent_at": p.created,
                     "settings": {k: FIELDS[k].format(getattr(p.record.exp, k)) for k in FIELDS},
                     "final_loss": p.record.last.loss, "accuracy": p.record.last.accuracy,
                     "test_accuracy": p.record.last.test_accuracy, "epochs_to_100": p.record.epochs_to_100,
                     "status": p.record.status} for p in view.entries],
        "votes": [{"question": v.question, "options": list(v.options), "counts": list(v.counts),
                   "preset": v.preset, "link": v.link, "opened": v.opened, "closed": v.closed} for v in record.votes],
        "checks": [{"student": who[c.owner], "all_right": c.ok, "mistakes": list(c.mistakes), "sent_at": c.at}
                   for c in record.checks],
    }


def as_csv(view: BoardView, record: LessonRecord) -> str:
    data = as_dict(view, record)
    head = ["kind", "round", "name", "sent_at", *FIELDS, "final_loss", "accuracy", "test_accuracy", "epochs_to_100",
            "status", "question", "option", "votes", "all_right", "mistakes"]
    out = io.StringIO()
    writer = csv.DictWriter(out, head, restval="", lineterminator="\n")
    writer.writeheader()
    for e in data["entries"]:
        writer.writerow({"kind": "run", "round": e["round"] or "", "name": spreadsheet_text(e["name"]),
                         "sent_at": f"{e['sent_at']:.0f}",
                         **e["settings"], **{k: "" if e[k] is None else repr(e[k]) if isinstance(e[k], float) else e[k]
                                             for k in ("final_loss", "accuracy", "test_accuracy", "epochs_to_100")},
                         "status": e["status"]})
    for v in data["votes"]:
        for option, n in zip(v["options"], v["counts"]):
            writer.writerow({"kind": "vote", "sent_at": f"{v['opened']:.0f}",
                             "question": spreadsheet_text(v["question"]), "option": spreadsheet_text(option), "votes": n})
    for c in data["checks"]:
        writer.writerow({"kind": "check", "name": spreadsheet_text(c["student"]), "sent_at": f"{c['sent_at']:.0f}",
                         "all_right": "yes" if c["all_right"] else "no", "mistakes": " ".join(c["mistakes"])})
    return out.getvalue()


def _made(room: Room, write: Callable[[BoardView, LessonRecord], str]) -> Callable[[], str]:
    """The file, made when clicked; a store that cannot answer then gives a one-line file saying so."""
    def make() -> str:
        try:
            return write(shared.reader().board(room.board), shared.lessons().record(room.code))
        except StoreError as exc:
            return f"The lesson's record could not be read: {exc}\n"

    return make


def downloads(room: Room) -> None:
    """The lesson's record, as CSV and as JSON."""
    left, right = st.columns(2)
    left.download_button("Download the lesson (CSV)", _made(room, as_csv), f"lesson-{room.code}.csv", "text/csv",
                         key=state.LESSON_CSV, icon=":material/download:")
    right.download_button("Download the lesson (JSON)", _made(room, lambda v, r: json.dumps(as_dict(v, r), indent=1)),
                          f"lesson-{room.code}.json", "application/json", key=state.LESSON_JSON,
                          icon=":material/download:")


def end_controls(room: Room) -> None:
    sure = st.checkbox("Yes, end this lesson: the class becomes read-only", key=state.END_SURE)
    st.button("End the lesson", key=state.END_LESSON, disabled=not sure, on_click=lesson.end, args=(room,),
              help="Closes the vote, reveals the round and stops every send; the board and the record stay.")


def read_only(room: Room, ended: float) -> None:
    """The teacher's page of a class past its lesson: what it was, and its record."""
    when = datetime.fromtimestamp(ended, UTC).strftime("%Y-%m-%d %H:%M UTC")
    st.info(f"Class **{room.code}**: this lesson ended on {when}. The class is read-only: its board and its "
            "record stay until 30 days after the end.", icon=":material/school:")
    downloads(room)
