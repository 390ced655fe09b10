"""A class through the page (AppTest): start, join, send, the board, the teacher's controls, wrong keys and
codes, hostile names, a store that cannot be reached, and a restart that loses nothing. Each test has a store of
its own (`fresh_store`)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest
from test_app import shown

from playground import shared
from playground.sections.classroom import actions
from server import rooms
from server.store import StoreUnavailable

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
pytestmark = pytest.mark.usefixtures("fresh_store")


def page(link: dict | None = None, **params) -> AppTest:
    """The page at ``link`` (by default a short XOR run), and ``params`` on top."""
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in ((({"dataset": "xor", "epochs": "200"}) if link is None else link) | params).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def start_class() -> tuple[AppTest, str, str]:
    """A teacher's page that started a class; the class's code and the key (from "Your teacher link": the key
    itself is never in the teacher's address bar)."""
    at = page(tab="Class")
    at.button(key="_start_class").click()
    rerun(at)
    return at, at.query_params["room"], teacher_key(at)


def teacher_key(at: AppTest) -> str:
    links = [c.value for c in at.code if "key=" in c.value]
    assert len(links) == 1, links
    return parse_qs(urlsplit(links[0]).query)["key"][0]


def has(widgets, key: str) -> bool:
    try:
        widgets(key=key)
    except KeyError:
        return False
    return True


def board_rows(at: AppTest) -> list[dict]:
    """The leaderboard (the Class tab's first table) as records."""
    tables = [d for d in at.dataframe if "run" in d.value.columns and "train loss" in d.value.columns]
    return tables[0].value.to_dict("records") if tables else []


def student(code: str, name: str | None = None, **params) -> AppTest:
    at = page(room=code, **params)
    if name is not None:
        at.text_input(key="_name").set_value(name)
    return at


def send(at: AppTest) -> AppTest:
    at.button(key="_send").click()
    return rerun(at)


def test_a_teacher_starts_a_class_with_a_code_a_join_link_and_a_qr_code():
    at, code, key = start_class()
    assert re.fullmatch(f"[{rooms.ALPHABET}]{{6}}", code) and len(key) >= 20
    assert any(f"Join class **{code}**" in m.value for m in at.markdown)
    assert any(c.value.endswith(f"?room={code}") for c in at.code)  # the join link
    assert at.get("imgs") or at.get("image")  # the QR code
    assert has(at.text_input, "_task_link") and has(at.toggle, "_locked")  # the teacher's controls
    assert any(f"key={key}" in c.value for c in at.code)  # the teacher's own link, to keep
    assert "key" not in at.query_params and at.query_params["teacher"]  # a teacher's pass in the address bar


def test_students_join_send_and_see_their_runs_marked():
    _, code, _ = start_class()
    ann = student(code)
    assert any(f"You are in class **{code}**" in m.value for m in ann.markdown)
    nickname = ann.text_input(key="_name").value
    assert re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", nickname)  # a random two-word nickname to start with
    assert "key" not in ann.query_params and not has(ann.text_input, "_task_link")  # no teacher controls
    send(ann)
    bob = student(code, "Bob", lr="0.9")
    send(bob)
    rows = board_rows(bob)
    assert {r["run"] for r in rows} == {nickname, "Bob"}
    assert [r[""] for r in rows if r["run"] == "Bob"] == ["★"] and [r[""] for r in rows if r["run"] != "Bob"] == [""]
    assert any("2 runs from 2 students" in h.value for h in bob.subheader)
    assert "lr" in rows[0]  # the settings that differ from the room's link
    x = landscape(bob)["encoding"]["x"]
    assert x["field"] == "x" and x["title"] == "lr" and x["scale"]["type"] == "log"  # 0.1 and 0.9, evenly apart


def landscape(at: AppTest) -> dict:
    """The class landscape's Vega-Lite spec."""
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    return next(s for s in specs if s.get("title") == "Class landscape")


def test_the_teacher_sees_every_run_and_controls_the_room():
    at, code, key = start_class()
    for name, lr in (("Ann", "0.1"), ("Bob", "0.3"), ("Cy", "0.9")):
        send(student(code, name, lr=lr))
    rerun(at)
    assert {r["run"] for r in board_rows(at)} == {"Ann", "Bob", "Cy"}
    # hide names
    at.toggle(key="_anonymous").set_value(True)
    rerun(at)
    assert {r["run"] for r in board_rows(at)} == {"Student 1", "Student 2", "Student 3"}
    # remove one entry (the first in the list)
    at.button(key="_remove_entry").click()
    rerun(at)
    assert len(board_rows(at)) == 2
    # lock sending: a student's Send is disabled and the store refuses it anyway
    at.toggle(key="_locked").set_value(True)
    rerun(at)
    locked = student(code, "Dee")
    assert locked.button(key="_send").disabled and any("locked" in i.value for i in locked.info)
    actions.send(shared.reader().room(code), "someone")  # the callback itself, as a forged click would run it
    # clear the room, after saying yes
    assert at.button(key="_clear_room").disabled
    at.checkbox(key="_clear_sure").check()
    rerun(at)
    at.button(key="_clear_room").click()
    rerun(at)
    assert board_rows(at) == [] and any("0 runs from 0 students" in h.value for h in at.subheader)


def test_the_task_sets_what_students_start_from_and_the_challenge_is_plain_text():
    at, code, _ = start_class()
    at.text_input(key="_task_link").set_value(
        "http://host/?dataset=circle&hidden=5,3&hide=optimizer&lock=1&room=XXXXXX&bogus=1")
    at.text_input(key="_task_challenge").set_value("**reach** 100% <script>x</script>")
    at.button(key="FormSubmitter:_task_form-Set the task").click()
    rerun(at)
    assert any("bogus" in e for e in shown(at.error))  # what was left out of the task is said
    room = shared.reader().room(code)
    assert "dataset=circle" in room.task and "room=" not in room.task and "bogus" not in room.task
    joined = page({"room": code, "epochs": "200"})  # the join link: the task fills in the rest
    run = joined.session_state["run"]
    assert run.exp.dataset == "circle" and run.exp.hidden == (5, 3)
    assert "optimizer" not in {s.key for s in joined.selectbox} and joined.selectbox(key="dataset").disabled
    assert any(t.value == "Challenge: **reach** 100% <script>x</script>" for t in joined.text)  # as typed
    explicit = page({"room": code, "epochs": "200", "dataset": "xor"})  # what the link itself sets wins
    assert explicit.session_state["run"].exp.dataset == "xor"


@pytest.mark.parametrize("name", ["<script>x</script>", "**bold** :red[x] $x$", "Zoë 🙂", "'; DROP TABLE x; --"])
def test_hostile_names_are_stored_and_shown_as_typed(name):
    _, code, _ = start_class()
    at = send(student(code, name))
    assert [r["run"] for r in board_rows(at)] == [rooms.clean_name(name)]


def test_names_are_at_most_24_characters_and_an_empty_one_is_refused_with_a_message():
    _, code, _ = start_class()
    at = student(code)
    assert at.text_input(key="_name").max_chars == 24  # the field stops there (the store refuses more: test_store)
    at.text_input(key="_name").set_value("   ")
    send(at)
    assert any("Not sent" in e and "at least one letter" in e for e in shown(at.error)) and board_rows(at) == []


def test_more_than_20_sends_in_ten_minutes_are_refused_and_nothing_else_is_lost():
    _, code, _ = start_class()
    at = student(code, "Eager")
    for _ in range(20):
        send(at)
    send(at)
    assert any("Not sent" in e and "again in" in e for e in shown(at.error))
    assert len(board_rows(at)) == 20 and at.session_state["run"].epoch == 200


@pytest.mark.parametrize("link, words", [
    ({"room": "ZZZZZZ"}, "there is no class ZZZZZZ"),
    ({"room": "<b>hi"}, "is not a class code"),
    ({"room": "OOOOOO"}, "is not a class code"),
])
def test_bad_class_links_get_a_notice_and_the_page_works_without_the_class(link, words):
    at = page(**link)
    assert any(words in w for w in shown(at.warning))
    assert "room" not in at.query_params and at.session_state["run"].epoch == 200


def test_a_wrong_key_never_opens_the_controls_and_leaves_the_link():
    _, code, _ = start_class()
    at = page(room=code, key="guessed-" + "x" * 16, tab="Class")
    assert any("not the teacher's key" in w for w in shown(at.warning))
    assert "key" not in at.query_params and not has(at.text_input, "_task_link")
    assert not any("key=" in c.value for c in at.code)  # never on a student's page
    assert "key=" not in at.text_input(key="_share_link").value


def test_a_store_that_cannot_be_reached_costs_the_class_not_the_page(monkeypatch):
    _, code, _ = start_class()

    def down(*_args, **_kwargs):
        raise StoreUnavailable("connection refused")

    monkeypatch.setattr(shared.reader(), "room", down)
    monkeypatch.setattr(shared.reader(), "board", down)
    at = page(room=code)
    assert any("cannot be opened" in w and "without the class" in w for w in shown(at.warning))
    assert at.session_state["run"].epoch == 200 and not at.exception
    at = page(tab="Compare", board="x" * 22)
    assert any("cannot be read right now" in w for w in shown(at.warning))


def test_a_restart_loses_no_class_and_no_board():
    _, code, _ = start_class()
    send(student(code, "Ann"))
    pinned = page(tab="Compare")
    pinned.button(key="_pin").click()
    rerun(pinned)
    board = pinned.query_params["board"]
    # a restart: every process-wide object is made again, from the database alone
    shared.restart_store()
    assert [r["run"] for r in board_rows(page(room=code, tab="Class"))] == ["Ann"]
    again = page(tab="Compare", board=board)
    assert any("1 run." in c.value for c in again.caption)


def test_the_projector_shows_the_board_and_nothing_else():
    _, code, _ = start_class()
    send(student(code, "Ann"))
    at = page(room=code, view="board")
    assert any(f"Join class **{code}**" in m.value for m in at.markdown)
    assert [r["run"] for r in board_rows(at)] == ["Ann"]
    assert not at.sidebar.selectbox and not at.tabs  # no controls, no tabs: only the board
