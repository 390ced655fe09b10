"""A class's votes on the page: the teacher's **Question**, **Options**, what runs after the vote, **Ask the
class** and **Close the vote**; "N votes" while it is open; a bar per option, with its count written next to it,
once closed; and on the projector, predict then run: the vote's preset or link trained by the service (within
`lab.budget`'s bound) beside the class's prediction."""

from __future__ import annotations

from urllib.parse import parse_qsl

import streamlit as st

from lab.experiment import Experiment, from_query
from lab.presets import PRESETS
from lab.record import Record
from playground import shared, state
from playground.sections import Display, plain
from playground.sections.board import losses, settings_table
from playground.sections.classroom import lesson
from playground.sections.classroom.link import reference
from server.lesson import MAX_OPTION, MAX_OPTIONS, MAX_QUESTION, OPTION_SEP, Vote
from server.store import Room

RUNS = {"": "Nothing", lesson.LINK: "A link (below)", **{k: f"The sweep: {p.title}" for k, p in PRESETS.items()}}


def controls(room: Room, vote: Vote | None) -> None:
    """The teacher's question: asked, then closed (a new question closes the open one)."""
    with st.form(state.ASK, border=True, enter_to_submit=False):
        st.markdown("**Ask the class first**: a question with a few options; the class votes, you close the vote, "
                    "and the projector runs what you tie to it beside the class's prediction.")
        st.text_input("Question", key=state.QUESTION, max_chars=MAX_QUESTION,
                      placeholder="e.g. What will lr 0.9 do on XOR?")
        st.text_input("Options", key=state.OPTIONS, max_chars=MAX_OPTIONS * (MAX_OPTION + 2),
                      placeholder="e.g. converge faster; oscillate; never learn",
                      help=f"{2} to {MAX_OPTIONS} options separated by '{OPTION_SEP}', each at most {MAX_OPTION} "
                           "characters.")
        cols = st.columns([1, 2])
        cols[0].selectbox("Then run", list(RUNS), format_func=RUNS.get, key=state.VOTE_RUN,
                          help="After you close the vote, the projector runs it and shows the result beside the "
                               "votes (predict, then run). A sweep starts from the task's settings.")
        cols[1].text_input("Link to run", key=state.VOTE_LINK, max_chars=2000,
                           placeholder="e.g. dataset=xor&lr=0.9 (when 'A link' is chosen)")
        st.form_submit_button("Ask the class", on_click=lesson.ask, args=(room,), type="primary",
                              icon=":material/quiz:")
    if vote is not None and vote.open:
        st.button("Close the vote", key=state.CLOSE_VOTE, icon=":material/how_to_vote:", on_click=lesson.close_vote,
                  args=(room,), help="Stop taking votes and show a bar per option.")


def status(vote: Vote) -> None:
    """The question, and "N votes" while open or a bar per option (its count as text too) once closed."""
    st.markdown(f"**Question:** {plain(vote.question)}")
    if vote.open:
        st.subheader(f"{vote.total} vote{'s' if vote.total != 1 else ''}")
        st.caption("The vote is open: the counts show when the teacher closes it.")
        return
    bars(vote)


def bars(vote: Vote) -> None:
    total = max(vote.total, 1)
    for option, n in zip(vote.options, vote.counts):
        st.progress(n / total, text=plain(f"{option} — {n} vote{'s' if n != 1 else ''} ({100 * n / total:.0f}%)"))
    st.caption(f"{vote.total} vote{'s' if vote.total != 1 else ''} in all; the vote is closed.")


# ----- predict, then run --------------------------------------------------------------------------------------------
def to_run(room: Room, vote: Vote) -> list[tuple[str, Experiment]]:
    """What the vote runs: each run's name and experiment (none when it runs nothing)."""
    if vote.preset in PRESETS:
        sweep = PRESETS[vote.preset].sweep
        runs = sweep.experiments(reference(room))
        return [(f"{sweep.setting} = {label}", e) for label, e in zip(sweep.labels, runs)]
    if vote.link:
        return [("the run", from_query(dict(parse_qsl(vote.link)))[0])]
    return []


def predict_then_run(room: Room, vote: Vote) -> None:
    """The class's prediction (the bars) beside what the vote's preset or link does, once the vote is closed."""
    runs = to_run(room, vote)
    if vote.open or not runs:
        status(vote)
        return
    left, right = st.columns(2)
    with left:
        st.markdown("**The class predicted**")
        status(vote)
    with right:
        st.markdown("**What it does**")
        result(room, vote, runs)


def result(room: Room, vote: Vote, runs: list[tuple[str, Experiment]]) -> None:
    """The vote's runs, each a link's shared finished run (the service trains it once for everyone): their progress
    until all are done, then their losses and final figures."""
    try:
        lesson.vote_run(room, vote.preset or lesson.LINK, vote.link)  # still within the bound (the task may move)
    except ValueError as exc:
        st.info(plain(f"It is not run: {exc}"), icon=":material/block:")
        return
    started = [(name, *shared.finished_run(exp)) for name, exp in runs]
    if not all(following.finished for _, _, following in started):
        done = sum(following.finished for _, _, following in started)
        share = sum(run.epoch for _, run, _ in started) / sum(exp.epochs for _, exp in runs)
        st.progress(min(1.0, share), text=f"Training {len(runs)} run{'s' if len(runs) > 1 else ''}… ({done} of "
                                          f"{len(runs)} done)")
        return
    failed = [following.job.error for _, _, following in started if following.job.status != "done"]
    if failed:
        st.info(plain(f"The run failed: {failed[0]}"), icon=":material/error:")
        return
    pairs: list[tuple[str, Record]] = [(name, run.record()) for name, run, _ in started]
    losses(pairs, Display(), title="Loss", origin=("vote", room.code, vote.id))
    settings_table(pairs, reference(room))
