"""A class through the page as a prankster student tries it (AppTest, a store of its own per test): identities
made up or carried from another class, a refresh, the teacher's key in the address bar and a rotated one, what a
page may create, a sweep link, a student's entries removed at once, an entry that cannot be read, the CSV, the
lesson lock, and where classes are kept."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qsl, urlsplit

import pytest
from test_app import share_link, shown
from test_app_class import board_rows, has, page, rerun, send, start_class, student, teacher_key

from lab import points
from lab.experiment import Experiment
from lab.record import Record
from lab.run import finish, new_run
from playground import shared
from playground.sections.classroom.board import csv_cell, csv_of
from playground.sections.log import history_csv, predictions_csv
from server import rooms

pytestmark = pytest.mark.usefixtures("fresh_store")
MADE_UP = "AAAAAAAAAAAAAAAA"


def test_a_made_up_token_is_replaced_by_one_the_store_issued_and_a_refresh_keeps_it():
    _, code, _ = start_class()
    forged = student(code, me=MADE_UP)
    token = forged.query_params["me"]
    assert token != MADE_UP and shared.store().student(code, token) is not None
    forged.text_input(key="_name").set_value("Ann")
    send(forged)
    again = student(code, me=token)  # a refresh: a new session on the same address
    assert again.query_params["me"] == token and again.text_input(key="_name").value == "Ann"  # the name kept
    assert [r[""] for r in board_rows(again)] == ["★"]
    other = student(code)  # another browser: another student, whose board has no star
    assert other.query_params["me"] != token and [r[""] for r in board_rows(other)] == [""]


def test_a_token_of_another_class_is_not_honoured():
    _, here, _ = start_class()
    _, there, _ = start_class()
    theirs = student(there).query_params["me"]
    send(student(there, "Victim", me=theirs))
    carried = student(here, me=theirs)
    assert carried.query_params["me"] != theirs and shared.store().student(here, carried.query_params["me"])
    assert board_rows(carried) == []  # nothing here is theirs, and they are no one here but a new student


def test_a_student_that_sends_twice_is_one_student():
    _, code, _ = start_class()
    ann = send(student(code, "Ann"))
    send(ann)
    assert any("2 runs from 1 student" in h.value for h in ann.subheader)


def test_a_students_share_link_carries_no_identity():
    _, code, _ = start_class()
    ann = send(student(code, "Ann", tab="Class"))
    params = dict(parse_qsl(urlsplit(share_link(ann)).query))
    assert {"me", "key", "teacher", "room"}.isdisjoint(params) and ann.query_params["me"]


def test_a_class_taking_no_new_students_right_now_says_so():
    _, code, _ = start_class()
    for _ in range(rooms.JOIN_LIMIT):
        shared.store().join(code)
    late = student(code)
    assert "me" not in late.query_params and not has(late.button, "_send")
    assert any("has taken 100 new students in the last 10 minutes" in w for w in shown(late.warning))
    assert late.session_state["run"].epoch == 200  # the page goes on


# --- the teacher's key ------------------------------------------------------------------------------------------------


def test_the_key_leaves_the_address_bar_and_a_refresh_is_still_the_teachers():
    _, code, key = start_class()
    opened = page(room=code, key=key, tab="Class")  # the teacher link, on another device
    assert "key" not in opened.query_params and has(opened.toggle, "_locked")
    assert teacher_key(opened) == key  # the session keeps it, for "Your teacher link"
    ticket = opened.query_params["teacher"]
    refreshed = page(room=code, teacher=ticket, tab="Class")
    assert has(refreshed.toggle, "_locked") and "key" not in refreshed.query_params
    assert not [c for c in refreshed.code if "key=" in c.value]  # a pass cannot show the key
    assert any("cannot show the link" in c.value for c in refreshed.caption)


def test_a_new_teacher_link_refuses_the_old_key_and_its_passes_at_once():
    teacher, code, old = start_class()
    stale = page(room=code, key=old, tab="Class")  # a second page of the teacher's, on the old key
    old_ticket = teacher.query_params["teacher"]
    teacher.button(key="_new_teacher_link").click()
    rerun(teacher)
    new = teacher_key(teacher)
    assert new != old and teacher.query_params["teacher"] != old_ticket and has(teacher.toggle, "_locked")
    refused = page(room=code, key=old, tab="Class")
    assert any("not the teacher's key" in w for w in shown(refused.warning)) and not has(refused.toggle, "_locked")
    ended = page(room=code, teacher=old_ticket, tab="Class")
    assert any("pass of class" in w and "has ended" in w for w in shown(ended.warning))
    assert "teacher" not in ended.query_params and not has(ended.toggle, "_locked")
    stale.toggle(key="_locked").set_value(True)  # a control drawn before the rotation: its callback checks again
    rerun(stale)
    assert any("no longer opens" in e for e in shown(stale.error)) and not shared.store().room(code).locked
    assert has(page(room=code, key=new, tab="Class").toggle, "_locked")


# --- what a page may create --------------------------------------------------------------------------------------------


def test_a_page_starts_at_most_three_classes():
    at = page(tab="Class")
    for _ in range(3):
        at.button(key="_start_class").click()
        rerun(at)
        assert at.query_params["room"]
        at.query_params.pop("room")
        at.query_params.pop("teacher")
        rerun(at)
    at.button(key="_start_class").click()
    rerun(at)
    assert "room" not in at.query_params
    assert any("this page has started 3 classes already" in e for e in shown(at.error))


def test_a_page_makes_at_most_ten_boards():
    at = page(dataset="xor", epochs="200", tab="Compare")
    for _ in range(10):
        at.button(key="_pin").click()
        rerun(at)
        assert at.query_params["board"]
        at.query_params.pop("board")
    at.button(key="_pin").click()
    rerun(at)
    assert "board" not in at.query_params
    assert any("made 10 boards already" in t.value for t in at.toast)


def test_a_sweep_link_makes_no_board_until_it_is_run():
    at = page(dataset="xor", epochs="200", sweep="lr", values="0.1;0.9")
    assert "board" not in at.query_params and at.session_state["tab"] == "Compare"
    assert any("lr = 0.1, 0.9" in i and "Nothing is trained" in i for i in shown(at.info))
    at.button(key="_sweep_from_link").click()
    rerun(at)
    entries = shared.reader().board(at.query_params["board"]).entries
    assert [p.record.exp.lr for p in entries] == [0.1, 0.9]
    assert not any("Nothing is trained" in i.value for i in at.info)


# --- the teacher's removals, and what leaves the server --------------------------------------------------------------


def test_the_teacher_removes_every_entry_of_one_student_at_once():
    teacher, code, _ = start_class()
    mallory = send(student(code, "Mallory"))
    send(mallory)
    send(student(code, "Ann"))
    rerun(teacher)
    assert set(teacher.selectbox(key="_student_pick").options) == {"Mallory · 2 runs", "Ann · 1 run"}
    teacher.selectbox(key="_student_pick").set_value(mallory.query_params["me"])
    rerun(teacher)
    assert teacher.button(key="_remove_student").label == "Remove every entry of Mallory"
    teacher.button(key="_remove_student").click()
    rerun(teacher)
    assert [r["run"] for r in board_rows(teacher)] == ["Ann"]


def test_an_entry_that_cannot_be_read_is_counted_and_removable_and_the_board_goes_on(monkeypatch):
    teacher, code, _ = start_class()
    ann = send(student(code, "Ann"))
    room = shared.store().room(code)
    good = shared.store().entries(room.board)[0].record
    shared.store().add(room.board, "broken", good.replace('"seconds":', '"seconds":1' + "0" * 400 + ',"was":', 1))
    shared.reader().forget(board=room.board)
    rerun(teacher)
    assert any("cannot be read (a stored record this version cannot parse): 1." in w for w in shown(teacher.warning))
    assert [r["run"] for r in board_rows(teacher)] == ["Ann"]
    assert any("cannot be read, left out: 1" in c.value for c in rerun(ann).caption)
    teacher.button(key="_remove_unreadable").click()
    rerun(teacher)
    assert not has(teacher.button, "_remove_unreadable") and len(shared.store().entries(room.board)) == 1

    def fails(_text: str) -> Record:
        raise RecursionError("maximum recursion depth exceeded")  # whatever a parse raises

    monkeypatch.setattr(Record, "from_json", fails)
    send(ann)  # a new entry, parsed now: it cannot be read
    assert not rerun(teacher).exception and [r["run"] for r in board_rows(teacher)] == ["Ann"]
    assert any("cannot be read (a stored record this version cannot parse): 1." in w for w in shown(teacher.warning))


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "=1,2"])
def test_the_class_csv_neutralises_formulas(name):
    _, code, _ = start_class()
    send(student(code, name))
    rows = list(csv.reader(io.StringIO(csv_of(shared.reader().board(shared.store().room(code).board)))))
    assert rows[1][0] == "'" + rooms.clean_name(name)
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_the_pages_other_csvs_hold_only_numbers_under_fixed_headers():
    """The Log tab's loss history and predictions and the Data tab's points: nothing a visitor typed, so no cell
    can start a formula (a negative number is a number)."""
    run = finish(new_run(Experiment(dataset="xor", epochs=30, test=0.2, hidden=(3, 2))))
    for text in (history_csv(run), predictions_csv(run), points.to_csv(run.data)):
        header, *rows = list(csv.reader(io.StringIO(text)))
        assert all(h.replace("_", "").isalnum() for h in header) and rows
        for row in rows:
            assert [float(cell) for cell in row]  # ValueError for anything but a number


@pytest.mark.parametrize("cell, out", [
    ("\tcmd", "'\tcmd"), ("\rcmd", "\"'\rcmd\""), ("-0.5", "-0.5"), ("1e-3", "1e-3"), ("-inf", "-inf"),
    ("Ann", "Ann"), ("a,b", '"a,b"'), ('say "hi"', '"say ""hi"""'), ("-", "'-"), ("--1", "'--1")])
def test_csv_cells(cell, out):
    assert csv_cell(cell) == out


# --- the lesson lock, and where classes are kept ------------------------------------------------------------------


def test_in_a_locked_class_leaving_lesson_mode_is_the_teachers_alone():
    teacher, code, key = start_class()
    teacher.text_input(key="_task_link").set_value("dataset=xor&lock=1")
    teacher.button(key="FormSubmitter:_task_form-Set the task").click()
    rerun(teacher)
    pupil = page({"room": code, "epochs": "200", "lock": "0"})  # a student's own lock=0 does not unlock it
    assert pupil.selectbox(key="dataset").disabled and not has(pupil.sidebar.button, "_leave_lesson")
    assert any("Your teacher set" in c.value for c in pupil.sidebar.caption)
    assert has(page({"room": code, "key": key, "epochs": "200"}).sidebar.button, "_leave_lesson")
    assert has(page({"epochs": "200", "lock": "1"}).sidebar.button, "_leave_lesson")  # outside a class


def test_the_teacher_is_told_where_classes_are_kept():
    at = page(tab="Class")
    path = shared.store().engine.url.database
    assert any(path in c.value.replace("\\", "") and "Streamlit Community Cloud" in c.value for c in at.caption)
    at.button(key="_start_class").click()
    rerun(at)
    assert any("Postgres URL" in c.value for c in at.caption)


def test_a_comparison_board_with_a_run_that_cannot_be_read_goes_on_and_can_drop_it():
    at = page(dataset="xor", epochs="200", tab="Compare")
    at.button(key="_pin").click()
    rerun(at)
    board = at.query_params["board"]
    good = shared.store().entries(board)[0].record
    shared.store().add(board, "broken", good.replace('"seconds":', '"seconds":1' + "0" * 400 + ',"was":', 1))
    shared.reader().forget(board=board)
    rerun(at)
    assert any("cannot be read (a stored record this version cannot parse): 1." in w for w in shown(at.warning))
    assert any("1 run." in c.value for c in at.caption)
    at.button(key="_pins_unreadable").click()
    rerun(at)
    assert len(shared.store().entries(board)) == 1 and not has(at.button, "_pins_unreadable")


@pytest.mark.parametrize("value", ["", " ", "\x00", "🙂" * 40, "a" * 5000, "9" * 30 + ".x", "<script>x</script>",
                                   "AAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA", "99999999999.AAAAAAAAAAAAAAAAAAAAAA"])
def test_hostile_identities_keys_and_passes_in_the_link_open_nothing(value):
    _, code, _ = start_class()
    at = page(room=code, me=value, key=value, teacher=value, tab="Class")
    assert not has(at.toggle, "_locked") and {"key", "teacher"}.isdisjoint(at.query_params)
    assert at.query_params["me"] != value and shared.store().student(code, at.query_params["me"]) is not None
