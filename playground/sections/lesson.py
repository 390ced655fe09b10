"""Lesson links: ``?hide=optimizer,activation&lock=1`` narrows the page to what a lesson is about.

Modelled on TensorFlow Playground's ``*_hide`` flags. ``hide`` lists sidebar settings to hide (their
values still come from the link, so the teacher fixes them); ``lock=1`` makes every setting read-only.
Unknown names are ignored with a notice. The teacher leaves lesson mode with one button, which drops
both parameters from the URL. In a class whose task locks the settings, that button is the teacher's alone:
a student's page shows the lock without the way out (and the task's lesson wins over the student's link,
`classroom.link.enter`). Outside a class, whoever opened the link keeps the button.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from lab.experiment import FIELDS
from playground import state
from playground.sections.classroom.link import leaves_lesson


@dataclass(frozen=True)
class Lesson:
    hidden: frozenset[str] = frozenset()
    locked: bool = False
    notices: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.hidden) or self.locked

    def query(self) -> dict[str, str]:
        """The lesson's own URL parameters (for share links)."""
        q = {}
        if self.hidden:
            q[state.HIDE] = ",".join(n for n in FIELDS if n in self.hidden)
        if self.locked:
            q[state.LOCK] = "1"
        return q


def parse(hide: str | None, lock: str | None) -> Lesson:
    """Read the two parameters; bad parts are reported, never fatal."""
    names = [n.strip() for n in (hide or "").split(",") if n.strip()]
    unknown = [n for n in names if n not in FIELDS]
    notices = []
    if unknown:
        shown = ", ".join(repr(n[:30]) for n in unknown[:5])
        notices.append(f"hide: unknown setting(s) {shown} ignored; allowed: {', '.join(FIELDS)}.")
    locked = (lock or "").strip().lower() in ("1", "true", "yes")
    if lock is not None and not locked and lock.strip().lower() not in ("0", "false", "no", ""):
        notices.append(f"lock: {lock[:30]!r} is not 1 or 0 — the settings stay editable.")
    return Lesson(frozenset(n for n in names if n in FIELDS), locked, tuple(notices))


def current() -> Lesson:
    """The session's lesson, read from the URL once (it then survives reruns)."""
    lesson = state.get(state.LESSON)
    if lesson is None:
        lesson = parse(state.link_value(state.HIDE), state.link_value(state.LOCK))
        state.put(state.LESSON, lesson)
    return lesson


def leave() -> None:
    if not leaves_lesson():  # a student's page in a locked class: the button is not drawn there
        return
    state.put(state.LESSON, Lesson())
    state.drop_link(state.HIDE, state.LOCK)


def badge(lesson: Lesson) -> None:
    """The lesson badge in the sidebar, with the teacher's way out."""
    if not lesson.active:
        return
    what = []
    if lesson.hidden:
        what.append(f"{len(lesson.hidden)} setting{'s' if len(lesson.hidden) > 1 else ''} hidden")
    if lesson.locked:
        what.append("settings locked")
    st.sidebar.badge(f"Lesson · {' · '.join(what)}", icon=":material/school:", color="violet")
    if lesson.locked and not leaves_lesson():
        st.sidebar.caption("Your teacher set this lesson's settings for the class.")
        return
    st.sidebar.button("Leave lesson mode", key=state.LEAVE_LESSON, on_click=leave, help="For the teacher: show and unlock everything.")
