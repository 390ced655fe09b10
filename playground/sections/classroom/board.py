"""The class board, as the Class tab and the projector show it: counts, the leaderboard (best first), the
losses, the best runs' decision regions and the class landscape, drawn with the Compare tab's pieces
(`playground.sections.board`); and every entry as CSV for the teacher."""

from __future__ import annotations

import re
from dataclasses import replace

import streamlit as st

from lab.compare import score, unique_name
from lab.experiment import FIELDS
from playground import shared, state
from playground.sections import Display
from playground.sections.board import landscape, losses, maps_caption, maps_title, regions, settings_table
from playground.sections.classroom.link import reference
from playground.sections.classroom.status import lesson_board
from server.boards import BoardView, Posted
from server.store import Room, StoreError

REFRESH = 2.5  # s between two refreshes of a board on screen
TOP = 6  # decision regions of the best runs side by side
_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may read as the start of a formula (OWASP)
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|nan)")


def ranked(view: BoardView) -> list[Posted]:
    """Best first (`lab.compare.score`): by accuracy, then loss; regression runs by loss."""
    return sorted(view.entries, key=lambda p: score(p.record))


def ranking(pairs: list) -> str:
    """How the board is ordered, in words for the runs on it (`lab.compare.score`)."""
    tasks = {r.exp.task for _, r in pairs}
    classes = "best first: test accuracy (or training accuracy), then the lower final loss"
    values = "the lower test loss (or training loss)"
    if tasks == {"regression"}:
        return "best first: " + values + "."
    return classes + ("; regression runs after them, by " + values + "." if "regression" in tasks else ".")


def display_names(entries: list[Posted], anonymous: bool) -> list[str]:
    """Unique names for the board: the names given, or "Student 1", "Student 2"… per sender when hidden."""
    seen: dict[str, int] = {}
    names: list[str] = []
    taken: set[str] = set()
    for p in entries:
        name = unique_name(f"Student {seen.setdefault(p.owner, len(seen) + 1)}" if anonymous else p.name, taken)
        taken.add(name)
        names.append(name)
    return names


def class_board(room: Room, me: str, display: Display, projector: bool = False, teacher: bool = False) -> None:
    """The class's board: the lesson's state, counts, the leaderboard, the losses, the best runs' regions and the
    landscape (during a hidden round, only how many have sent)."""
    try:
        room = shared.reader().room(room.code) or room  # the teacher may have changed a flag
        view = shared.reader().board(room.board)
    except StoreError as exc:
        st.warning(f"The class board cannot be read right now: {exc}", icon=":material/cloud_off:")
        return
    if room.challenge:
        st.text(f"Challenge: {room.challenge}")
    shown = lesson_board(room, view, teacher, projector)
    if shown is None:
        return
    entries, chosen = ranked(replace(view, entries=shown[0])), shown[1]
    students = len({p.owner for p in entries})  # identities the store issued: a send under any other is refused
    st.subheader(f"{len(entries)} run{'s' if len(entries) != 1 else ''} from {students} "
                 f"student{'s' if students != 1 else ''}" + (" · sending is locked" if room.locked else ""))
    if view.unreadable:
        st.caption(f"Entries that cannot be read, left out: {len(view.unreadable)} (the teacher can remove them).")
    if not entries:
        st.caption("No runs yet: students press **Send to class** on their page.")
        return
    names = display_names(entries, room.anonymous)
    pairs = list(zip(names, (p.record for p in entries)))
    origin = ("board", view.board, view.version, room.anonymous, chosen)  # the same for everyone at this version
    settings_table(pairs, reference(room), marks=["★" if p.owner == me else "" for p in entries])
    if any(p.owner == me for p in entries) and not projector:
        st.caption("★ your runs · " + ranking(pairs))
    losses(pairs, display, title="Loss per run (click a name to highlight it)", origin=origin)
    best = min(TOP, len(pairs))
    st.subheader(f"The best {best} runs' {maps_title(pairs[:TOP])}" if best > 1 else f"The run's {maps_title(pairs)}")
    st.caption(maps_caption(pairs[:TOP]))
    regions(pairs[:TOP], display, columns=3, origin=origin)
    st.subheader("Class landscape")
    landscape(pairs, key=state.LANDSCAPE, origin=origin)


live_board = st.fragment(run_every=REFRESH)(class_board)  # reruns alone, without reloading the page


def spreadsheet_text(text: str) -> str:
    """Text a spreadsheet shows as text, never runs: one that starts like a formula gets a leading ' (OWASP's rule
    for CSV injection; a plain number stays a number). Every CSV a class downloads writes its cells through it."""
    return "'" + text if text.startswith(_FORMULA) and not _NUMBER.fullmatch(text) else text


def csv_cell(text: str) -> str:
    """A CSV cell of `spreadsheet_text`, quoted when it holds a comma, quote or line break."""
    text = spreadsheet_text(text)
    return '"' + text.replace('"', '""') + '"' if any(x in text for x in ',"\n\r') else text


def csv_of(view: BoardView) -> str:
    """Every entry, one row each: name, when, every setting, the final figures; every cell through `csv_cell`."""
    head = ["name", "sent_at", *FIELDS, "final_loss", "accuracy", "test_accuracy", "epochs_to_100", "status"]
    lines = [",".join(head)]
    for p in view.entries:
        r, last = p.record, p.record.last
        cells = [p.name, f"{p.created:.0f}", *(FIELDS[k].format(getattr(r.exp, k)) for k in FIELDS),
                 repr(last.loss), "" if last.accuracy is None else repr(last.accuracy),
                 "" if last.test_accuracy is None else repr(last.test_accuracy),
                 "" if r.epochs_to_100 is None else str(r.epochs_to_100), r.status]
        lines.append(",".join(csv_cell(c) for c in cells))
    return "\n".join(lines) + "\n"
