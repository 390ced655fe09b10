"""The class's backprop checks on the page: **Send my check to class** under a student's check report (in a
class), which sends the verdict and the recognised mistakes' names, never the student's numbers; and, on the
teacher's board and the projector, how many checked, how many are all right, and a bar per recognised mistake,
without names."""

from __future__ import annotations

import streamlit as st

from companion.gradcheck import Report
from companion.mistakes import MISTAKES
from playground import state
from playground.sections.classroom import lesson
from playground.sections.classroom.link import place
from server.lesson import Checks


def verdict(report: Report) -> tuple[bool, tuple[str, ...]]:
    """What a check sends: all right or not, and the mistakes its diagnoses recognise (by `MISTAKES` name; where
    the file cannot tell several explanations apart, each of them)."""
    names = {m for d in report.diagnoses for m in d.mistakes if m in MISTAKES}
    return report.ok, tuple(m for m in MISTAKES if m in names)


def send_button(report: Report) -> None:
    """Under a check's report, on a class page: send its verdict to the class."""
    if not state.link_value(state.ROOM):
        return
    where, _ = place()
    if where is None or where.teacher:
        return
    ok, mistakes = verdict(report)
    st.button("Send my check to class", key=state.SEND_CHECK, icon=":material/send:", on_click=lesson.send_check,
              args=(where.room, ok, mistakes),
              help="Your teacher sees whether it is all right and which mistakes were recognised, never your numbers.")


def counts(checks: Checks) -> None:
    """How many checked, how many are all right, and a bar per recognised mistake (each student's last check)."""
    if not checks.checked:
        return
    st.markdown(f"**Backprop checks:** {checks.checked} student{'s' if checks.checked != 1 else ''} checked · "
                f"{checks.correct} all right")
    for name, n in checks.mistakes:
        st.progress(n / checks.checked, text=f"{name.replace('_', ' ')} — {n} student{'s' if n != 1 else ''}")
    if checks.unrecognised:
        n = checks.unrecognised
        st.progress(n / checks.checked, text=f"wrong, no classic mistake recognised — {n} student{'s' if n != 1 else ''}")
