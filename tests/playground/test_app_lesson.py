"""A live lesson through the page (AppTest), on a SQLite file and on Postgres: a new task reaching a student's open
page and "Load the task", a round that hides the board and refuses a late send until the reveal, votes (one a
student, changeable, "N votes", then counts per option), predict then run on the projector, the class's backprop
checks, the lesson's record and a class past its lesson. Pages are rerun, never opened again, where the issue says
"without a reload"."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest
from sqlalchemy import update
from test_app import shown
from test_app_check import chart_data, student_file, upload
from test_app_class import board_rows, has, page, rerun, send, start_class, student

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
import pgcluster  # noqa: E402

from playground import shared, state  # noqa: E402
from playground.sections import plain  # noqa: E402
from playground.sections.classroom import record as lesson_record  # noqa: E402
from server.lesson import RoundRunning, VoteClosed  # noqa: E402
from server.schema import ROUNDS  # noqa: E402


@pytest.fixture(scope="module")
def pg_base():
    with pgcluster.postgres() as url:
        yield url


def fresh_page_store() -> None:
    """What a restart does: the page's store and readers are made again (from $PLAYGROUND_DB)."""
    shared.restart_store()


@pytest.fixture(params=["sqlite", "postgres"])
def kind(request, monkeypatch, tmp_path):
    """The page's store for this test: a fresh SQLite file, or a fresh Postgres schema."""
    if request.param == "sqlite":
        monkeypatch.setenv("PLAYGROUND_DB", f"sqlite:///{tmp_path / 'lesson.db'}")
        fresh_page_store()
        yield request.param
    else:
        with pgcluster.fresh_schema(request.getfixturevalue("pg_base")) as url:
            monkeypatch.setenv("PLAYGROUND_DB", url)
            fresh_page_store()
            yield request.param
    fresh_page_store()


def texts(at, *kinds: str) -> list[str]:
    return shown([e for k in kinds for e in getattr(at, k)])


def progress_texts(at) -> list[str]:
    return [p.proto.text for p in at.get("progress")]


def set_task(teacher, link: str, challenge: str = "") -> None:
    teacher.text_input(key=state.TASK_LINK).set_value(link)
    teacher.text_input(key=state.TASK_CHALLENGE).set_value(challenge)
    teacher.button(key=f"FormSubmitter:{state.TASK_FORM}-Set the task").click()
    rerun(teacher)


def ask(teacher, question: str, options: str, then: str = "", link: str = "") -> None:
    teacher.text_input(key=state.QUESTION).set_value(question)
    teacher.text_input(key=state.OPTIONS).set_value(options)
    teacher.selectbox(key=state.VOTE_RUN).set_value(then)
    teacher.text_input(key=state.VOTE_LINK).set_value(link)
    teacher.button(key=f"FormSubmitter:{state.ASK}-Ask the class").click()
    rerun(teacher)


def vote(at, option: str) -> None:
    (radio,) = [r for r in at.radio if r.key.startswith("_ballot_")]
    radio.set_value(option)
    at.button(key=state.CAST).click()
    rerun(at)


def click(at, key: str):
    at.button(key=key).click()
    return rerun(at)


# ----- a live task ------------------------------------------------------------------------------------------------
def test_a_new_task_reaches_an_open_student_page_and_load_the_task_applies_it(kind):
    teacher, code, _ = start_class()
    ann = student(code, lr="0.9", tab="Data")  # her own learning rate, on another tab than Class
    assert not any("New task" in m for m in texts(ann, "markdown"))
    set_task(teacher, "dataset=circle&hidden=5,3&lr=0.3&hide=optimizer", "reach 100% <b>fast</b>")
    rerun(ann)  # her page checks again, without a reload
    assert any("New task" in m and "reach 100% <b>fast</b>" in m for m in texts(ann, "markdown"))
    assert ann.session_state["run"].exp.lr == 0.9  # nothing changed yet
    click(ann, state.LOAD_TASK)
    run = ann.session_state["run"]
    assert (run.exp.dataset, run.exp.hidden, run.exp.lr) == ("circle", (5, 3), 0.3)  # the task wins
    assert ann.query_params["dataset"] == "circle" and ann.query_params["lr"] == "0.3"  # and the link holds it
    assert ann.query_params["hide"] == "optimizer" and not has(ann.selectbox, "optimizer")  # its lesson mode too
    assert not any("New task" in m for m in texts(ann, "markdown"))  # loaded: the notice is gone
    projector = page(room=code, view="board")
    assert "Task: dataset = circle · hidden = 5,3 · lr = 0.3 · hide = optimizer" in [t.value for t in projector.text]
    assert "Challenge: reach 100% <b>fast</b>" in [t.value for t in projector.text]


def test_not_now_sets_a_task_aside_until_the_next_one():
    teacher, code, _ = start_class()
    bob = student(code, "Bob")
    set_task(teacher, "lr=0.3", "one")
    rerun(bob)
    click(bob, state.SKIP_TASK)
    assert not any("New task" in m for m in texts(bob, "markdown")) and bob.session_state["run"].exp.lr != 0.3
    set_task(teacher, "lr=0.3", "two")
    rerun(bob)
    assert any("New task" in m and "two" in m for m in texts(bob, "markdown"))


# ----- rounds -----------------------------------------------------------------------------------------------------
def test_a_round_hides_the_board_refuses_a_late_send_and_the_reveal_shows_everything(kind):
    teacher, code, _ = start_class()
    teacher.number_input(key=state.ROUND_SECONDS).set_value(30)
    click(teacher, state.START_ROUND)
    ann, bob = student(code, "Ann"), student(code, "Bob", lr="0.9")
    send(ann)
    send(bob)
    for at in (rerun(ann), bob, page(room=code, view="board")):
        assert board_rows(at) == []  # no entries, no names
        assert any("Round 1: 2 runs from 2 students so far" in h.value for h in at.subheader)
        assert any("Round 1" in i and "left" in i for i in texts(at, "info"))  # the countdown
    rerun(teacher)
    assert board_rows(teacher) == [] and teacher.button(key=state.REVEAL).proto.type == "primary"
    with shared.store().engine.begin() as conn:  # the round's time is up
        conn.execute(update(ROUNDS).values(ends=0.0))
    send(student(code, "Late"))  # a page opened after, or left open: the same refusal
    late = student(code, "Cy")
    send(late)
    assert any("Not sent" in e and "time is up" in e for e in texts(late, "error"))
    assert any("time is up" in i for i in texts(late, "info"))
    click(teacher, state.REVEAL)
    rerun(ann)
    assert {r["run"] for r in board_rows(ann)} == {"Ann", "Bob"}
    assert has(ann.button_group, state.ROUND_PICK) and not any("left" in i for i in texts(ann, "info"))
    send(student(code, "After"))  # sending is open again, outside rounds
    rerun(ann)
    rounds_table = [d.value for d in ann.dataframe if "round" in d.value.columns][0]
    assert rounds_table[["round", "runs", "students"]].values.tolist() == [["Round 1", 2, 2], ["Outside rounds", 1, 1]]
    assert set(legend(ann)) == {"Ann", "Bob", "After"}
    ann.button_group(key=state.ROUND_PICK).set_value(1)
    rerun(ann)
    assert {r["run"] for r in board_rows(ann)} == {"Ann", "Bob"}
    assert set(legend(ann)) == {"Ann", "Bob"}  # the drawings too: the round picked is part of their cache key


def legend(at) -> list[str]:
    """The runs in the board's loss chart."""
    _, frames = chart_data(at, "Loss per run (click a name to highlight it)")
    return sorted({str(name) for frame in frames.values() if "run" in frame.columns for name in frame["run"]})


def test_a_round_is_10_seconds_to_an_hour_and_one_at_a_time():
    teacher, code, _ = start_class()
    control = teacher.number_input(key=state.ROUND_SECONDS)
    assert (control.min, control.max) == (10, 3600)
    click(teacher, state.START_ROUND)  # (the store refuses what the field does not allow: tests/server/test_lesson_store.py)
    assert teacher.button(key=state.START_ROUND).disabled and not teacher.button(key=state.REVEAL).disabled
    with pytest.raises(RoundRunning, match="reveal the board before the next round"):  # as a forged click would
        shared.lessons().start_round(code, 30)


def addresses(at, text: str) -> list[tuple[int, ...]]:
    """Where each element showing ``text`` sits in the page's tree: the indices from the root down."""
    found = []

    def walk(node, path: tuple[int, ...]) -> None:  # noqa: ANN001
        for i, child in getattr(node, "children", {}).items():
            if isinstance(getattr(child, "value", None), str) and text in child.value:
                found.append((*path, i))
            walk(child, (*path, i))

    walk(at._tree, ())
    return found


def test_the_banner_and_the_board_keep_their_address_whatever_is_drawn_above_them():
    """A fragment that reruns by itself writes where its last full run put it: if a later full run drew something
    else there (one notice more above it), the browser gets an update for a place that is now another kind of thing
    and the page dies ("'setIn' cannot be called on an ElementNode"). So the countdown and the board sit at one
    address on a teacher's page, a student's, and a student's whose link drew a notice above them."""
    teacher, code, _ = start_class()
    click(teacher, state.START_ROUND)
    ann, cy = student(code, "Ann", tab="Class"), student(code, "Cy", tab="Class", lr="abc")
    send(ann)
    assert any("Ignored a link parameter" in w.value for w in cy.warning)  # a notice above the banner
    pages = [rerun(at) for at in (teacher, ann, cy)]
    countdowns = [addresses(at, "**Round 1** · ") for at in pages]
    boards = [addresses(at, "Round 1: 1 run from 1 student so far") for at in pages]
    assert all(len(a) == 1 for a in countdowns + boards), (countdowns, boards)
    assert countdowns[0] == countdowns[1] == countdowns[2] and boards[0] == boards[1] == boards[2]


# ----- votes --------------------------------------------------------------------------------------------------------
def test_three_votes_show_as_a_count_then_as_counts_per_option(kind):
    teacher, code, _ = start_class()
    ask(teacher, "What will lr 0.9 do on XOR?", "converge faster; oscillate; never learn")
    students = [student(code, tab="Data") for _ in range(3)]
    for at, option in zip(students, ("oscillate", "oscillate", "never learn")):
        (radio,) = [r for r in at.radio if r.key.startswith("_ballot_")]
        assert radio.label == plain("What will lr 0.9 do on XOR?")
        assert radio.options == ["converge faster", "oscillate", "never learn"]
        vote(at, option)
    vote(students[2], "converge faster")  # a changed mind: still one ballot
    assert any("Your vote: converge faster" in c for c in texts(students[2], "caption"))
    projector = page(room=code, view="board")
    assert any(h.value == "3 votes" for h in projector.subheader)
    assert progress_texts(projector) == []  # no counts while the vote is open
    click(teacher, state.CLOSE_VOTE)
    rerun(projector)
    assert progress_texts(projector) == [plain("converge faster — 1 vote (33%)"), plain("oscillate — 2 votes (67%)"),
                                         plain("never learn — 0 votes (0%)")]
    late = rerun(students[0])
    assert not [r for r in late.radio if r.key.startswith("_ballot_")]  # the question left the banner
    assert plain("oscillate — 2 votes (67%)") in progress_texts(student(code))  # the counts, on the Class tab
    closed = shared.lessons().view(code).vote
    with pytest.raises(VoteClosed):  # a ballot after the close, even under an identity the class issued
        shared.lessons().vote(code, closed.id, shared.store().join(code).token, 0)
    assert shared.lessons().view(code).vote.counts == (1, 2, 0)


def test_a_question_and_its_options_are_shown_as_typed():
    teacher, code, _ = start_class()
    ask(teacher, "**Will** it <script>x</script> :red[learn]?", "$yes$; <b>no</b>")
    at = student(code)
    (radio,) = [r for r in at.radio if r.key.startswith("_ballot_")]
    assert radio.label == plain("**Will** it <script>x</script> :red[learn]?")
    assert radio.options == [plain("$yes$"), plain("<b>no</b>")]  # a radio's labels are markdown: escaped
    vote(at, "<b>no</b>")
    click(teacher, state.CLOSE_VOTE)
    assert plain("<b>no</b> — 1 vote (100%)") in progress_texts(rerun(teacher))
    assert any(plain("**Will** it <script>x</script> :red[learn]?") in m.value for m in teacher.markdown)


@pytest.mark.parametrize("question, options, words", [
    ("Q?", "only one", "2 to 6 options"),
    ("Q?", "a; a", "Two options are the same"),
    ("", "a; b", "1 to 200 characters"),
])  # fmt: skip
def test_a_question_that_cannot_be_asked_says_why(question, options, words):
    teacher, _, _ = start_class()
    ask(teacher, question, options)
    assert any("Not asked" in e and words in e for e in texts(teacher, "error"))
    assert not has(teacher.button, state.CLOSE_VOTE)


def test_a_vote_tied_to_too_much_work_is_not_asked():
    teacher, _, _ = start_class()
    ask(teacher, "Q?", "a; b", then="link", link="dataset=spiral&n=2000&epochs=100000")
    assert any("Not asked: the link to run: n: 2000 is out of range" in e for e in texts(teacher, "error"))
    ask(teacher, "Q?", "a; b", then="link", link="dataset=spiral&n=1000&epochs=100000&hidden=32,32")
    assert any("Not asked" in e and "units of work" in e and "limit" in e for e in texts(teacher, "error"))
    assert not has(teacher.button, state.CLOSE_VOTE)  # nothing was asked


@pytest.mark.parametrize("then, link, runs", [
    ("link", "dataset=xor&epochs=300&lr=0.9", ["the run"]),
    ("lr", "", ["lr = 0.1", "lr = 0.3", "lr = 0.9"]),  # the report's sweep, from the task's settings
])  # fmt: skip
def test_predict_then_run_shows_the_prediction_beside_the_run(then, link, runs):
    teacher, code, _ = start_class()
    set_task(teacher, "dataset=xor&epochs=200")
    ask(teacher, "Will lr 0.9 reach 100% on XOR?", "yes; no", then=then, link=link)
    vote(student(code), "no")
    click(teacher, state.CLOSE_VOTE)
    projector = page(room=code, view="board")
    for _ in range(60):  # the service trains it once for everyone; the projector's refresh shows it when done
        if any("Loss" == json.loads(c.proto.spec).get("title") for c in projector.get("vega_lite_chart")):
            break
        rerun(projector)
    assert any("The class predicted" in m for m in texts(projector, "markdown"))
    assert any("What it does" in m for m in texts(projector, "markdown"))
    assert plain("no — 1 vote (100%)") in progress_texts(projector)
    table = [d.value for d in projector.dataframe if "train loss" in d.value.columns][0]
    assert table["run"].tolist() == runs


# ----- the class's checks -------------------------------------------------------------------------------------------
def test_a_check_sent_to_class_shows_in_the_teachers_counts_without_numbers(kind):
    teacher, code, _ = start_class()
    ann = student(code, tab="Equations")
    upload(ann, student_file("sign"))
    click(ann, state.SEND_CHECK)
    bob = student(code, tab="Equations")
    upload(bob, student_file())
    click(bob, state.SEND_CHECK)
    rerun(teacher)
    assert any("2 students checked · 1 all right" in m for m in texts(teacher, "markdown"))
    assert "sign — 1 student" in progress_texts(teacher)
    projector = page(room=code, view="board")
    assert any("2 students checked" in m for m in texts(projector, "markdown"))
    assert not any("Ann" in p or "Bob" in p for p in progress_texts(projector))
    record = shared.lessons().record(code)
    assert [(c.ok, c.mistakes) for c in record.checks] == [(False, ("sign",)), (True, ())]  # the verdicts only


def test_send_my_check_shows_only_in_a_class():
    alone = page(dataset="xor", epochs="300", tab="Equations")
    upload(alone, student_file("half"))
    assert not has(alone.button, state.SEND_CHECK)


# ----- the lesson's record, and a class past its lesson -------------------------------------------------------------
def test_the_lessons_record_and_a_class_past_its_lesson_read_only(kind):
    teacher, code, key = start_class()
    click(teacher, state.START_ROUND)
    send(student(code, "=Ann"))
    click(teacher, state.REVEAL)
    ask(teacher, "Q?", "+yes; no")
    vote(student(code, "Bob"), "+yes")
    cy = student(code, tab="Equations")
    upload(cy, student_file("half"))
    click(cy, state.SEND_CHECK)
    room = shared.reader().room(code)
    view, rec = shared.reader().board(room.board), shared.lessons().record(code)
    rows = list(csv.DictReader(io.StringIO(lesson_record.as_csv(view, rec))))
    assert [(r["kind"], r["round"], r["name"]) for r in rows if r["kind"] == "run"] == [("run", "1", "'=Ann")]
    assert [(r["option"], r["votes"]) for r in rows if r["kind"] == "vote"] == [("'+yes", "1"), ("no", "0")]
    assert [(r["name"], r["all_right"], r["mistakes"]) for r in rows if r["kind"] == "check"] == [
        ("student 1", "no", "half")]  # Cy sent no run: named by number, never by her identity
    data = json.loads(json.dumps(lesson_record.as_dict(view, rec)))
    assert data["entries"][0]["round"] == 1 and data["votes"][0]["counts"] == [1, 0]
    assert data["rounds"][0]["revealed"] and data["checks"][0]["mistakes"] == ["half"]
    teacher.checkbox(key=state.END_SURE).check()
    click(rerun(teacher), state.END_LESSON)
    again = page(room=code, key=key, tab="Class")  # the teacher link, later
    assert any("this lesson ended" in i for i in texts(again, "info"))
    assert not has(again.text_input, state.TASK_LINK) and not has(again.button, state.START_ROUND)
    assert {state.LESSON_CSV, state.LESSON_JSON} <= {b.proto.id.rsplit("-", 1)[-1] for b in again.get("download_button")}
    assert [r["run"] for r in board_rows(again)] == ["=Ann"]
    late = student(code, "Dee", tab="Class")
    assert late.button(key=state.SEND).disabled and any("lesson has ended" in i for i in texts(late, "info"))
