"""A class in real browsers on real servers: a teacher starts it, students send from their own browsers, the
projector's page fills without reloading; servers sharing one store (SQLite on one machine, Postgres across
machines) show each other's runs, and a restart loses nothing. As a prankster tries it: an identity made up, or
carried into another class, is replaced in the address bar; the teacher's key leaves the address bar, and a
reload is still the teacher's page."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from appserver import ROOT, start_app, stop
from conftest import ARTIFACTS, RUN_TIMEOUT_MS, AppPage

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
import pgcluster  # noqa: E402

pytestmark = pytest.mark.e2e
BOARD_WAIT_MS = 20_000  # the board refreshes every 2.5 s and reads the store at most once a second


@contextmanager
def servers(n: int, db: str, name: str) -> Iterator[list[str]]:
    """n page servers on one store; their URLs. Always stopped."""
    procs = []
    try:
        for i in range(n):
            # one training worker each: these servers only train a few short runs
            proc, url = start_app(ROOT, ARTIFACTS / f"{name}-{i}.log", env={"PLAYGROUND_DB": db,
                                                                           "PLAYGROUND_WORKERS": "1"})
            procs.append((proc, url))
        yield [url for _, url in procs]
    finally:
        for proc, _ in procs:
            stop(proc)


def tab(browser, url: str, query: str, name: str = "") -> AppPage:
    ctx = browser.new_context(viewport={"width": 1366, "height": 900})
    ctx.set_default_timeout(RUN_TIMEOUT_MS)
    return AppPage(ctx.new_page(), url).goto(query)


def start_class(teacher: AppPage) -> tuple[str, str]:
    """The class's code, and its key as "Your teacher link" shows it (the key is in no address of the page)."""
    teacher.button("Start a class").click()
    teacher.page.wait_for_url(re.compile(r"room=[A-Z0-9]{6}"), timeout=RUN_TIMEOUT_MS)
    teacher.wait_finished()
    teacher.page.get_by_text("Your teacher link").click()
    link = teacher.page.locator("[data-testid=stCode]").filter(has_text="key=").first.inner_text()
    return parse_qs(urlsplit(teacher.page.url).query)["room"][0], parse_qs(urlsplit(link.strip()).query)["key"][0]


def me(page: AppPage, not_this: str = "") -> str:
    """The student token in the page's address bar, once the page has written one (other than `not_this`)."""
    page.page.wait_for_url(lambda url: bool(parse_qs(urlsplit(url).query).get("me", [not_this])[0] != not_this),
                           timeout=RUN_TIMEOUT_MS)
    return parse_qs(urlsplit(page.page.url).query)["me"][0]


def stars(page: AppPage) -> int:
    """★ cells on the page's board (a student's own runs)."""
    return page.page.locator("[data-testid=stDataFrame]").get_by_text("★", exact=True).count()


def send(student: AppPage, name: str) -> None:
    box = student.page.get_by_label("Your name")
    box.fill(name)
    box.press("Enter")
    student.wait_finished()
    student.button("Send to class").click()
    student.page.get_by_text(re.compile(r"Sent to class")).wait_for(timeout=RUN_TIMEOUT_MS)


def board_shows(page: AppPage, *names: str) -> None:
    for name in names:
        # a dataframe draws on a canvas; its cells are also in an (invisible) accessible grid
        page.page.locator("[data-testid=stDataFrame]").get_by_text(name, exact=True).first.wait_for(
            state="attached", timeout=BOARD_WAIT_MS)


def test_two_students_fill_the_projector_without_reloading(browser, server):
    teacher = tab(browser, server.url, "tab=Class")
    code, key = start_class(teacher)
    assert any("Join class" in t for t in teacher.texts("[data-testid=stMarkdown]"))
    projector = tab(browser, server.url, f"room={code}&view=board")
    loads = []
    projector.page.on("load", lambda _: loads.append(1))
    ann = tab(browser, server.url, f"room={code}&dataset=xor&epochs=300")
    bob = tab(browser, server.url, f"room={code}&dataset=xor&epochs=300&lr=0.9")
    assert key not in ann.page.url and key not in ann.page.content()  # the key never reaches a student
    send(ann, "Ann")
    send(bob, "Bob <b>")
    board_shows(projector, "Ann", "Bob <b>")  # refreshed by itself, names as typed
    assert loads == [] and projector.page.get_by_text("2 runs from 2 students").count() == 1
    projector.screenshot("class-projector")
    assert not projector.errors and not ann.errors and not bob.errors


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_servers_sharing_a_store_show_each_others_runs_and_a_restart_loses_nothing(browser, tmp_path, kind):
    with ExitStack() as stack:
        if kind == "sqlite":  # several server processes on one machine, one file
            db = f"sqlite:///{tmp_path / 'class.db'}"
        else:  # several machines: one Postgres
            db = stack.enter_context(pgcluster.fresh_schema(stack.enter_context(pgcluster.postgres())))
        with servers(2, db, f"class-{kind}") as (one, two):
            code, _ = start_class(tab(browser, one, "tab=Class"))
            send(tab(browser, one, f"room={code}&dataset=xor&epochs=300"), "Through one")
            board_shows(tab(browser, two, f"room={code}&view=board"), "Through one")
            pinned = tab(browser, two, "dataset=xor&epochs=300&tab=Compare")
            pinned.button("Pin").click()
            pinned.page.wait_for_url(re.compile(r"board="), timeout=RUN_TIMEOUT_MS)
            board_link = urlsplit(pinned.page.url).query
        if kind == "postgres":
            return
        with servers(1, db, f"class-{kind}-restarted") as (again,):  # a restart: a new process, the same store
            board_shows(tab(browser, again, f"room={code}&view=board"), "Through one")
            kept = tab(browser, again, board_link)
            kept.page.get_by_text(re.compile(r"^1 run\.")).wait_for(timeout=BOARD_WAIT_MS)


def test_a_made_up_or_carried_identity_is_replaced_and_a_reload_keeps_a_real_one(browser, server):
    code, _ = start_class(tab(browser, server.url, "tab=Class"))
    elsewhere, _ = start_class(tab(browser, server.url, "tab=Class"))
    ann = tab(browser, server.url, f"room={code}&dataset=xor&epochs=300")
    token = me(ann)
    send(ann, "Ann")
    board_shows(ann, "Ann")
    assert stars(ann) == 1
    made_up = "AAAAAAAAAAAAAAAA"
    forger = tab(browser, server.url, f"room={code}&dataset=xor&epochs=300&me={made_up}")
    assert me(forger, not_this=made_up) not in (made_up, token)
    board_shows(forger, "Ann")
    assert stars(forger) == 0  # Ann's run is not the forger's
    thief = tab(browser, server.url, f"room={elsewhere}&dataset=xor&epochs=300&me={token}")
    assert me(thief, not_this=token) != token  # a token of another class is not honoured here
    ann.page.reload()
    ann.wait_finished()
    assert me(ann) == token and ann.page.get_by_label("Your name").input_value() == "Ann"
    board_shows(ann, "Ann")
    assert stars(ann) == 1
    assert not ann.errors and not forger.errors and not thief.errors


def test_the_teachers_key_leaves_the_address_bar_and_a_reload_keeps_the_controls(browser, server):
    code, key = start_class(tab(browser, server.url, "tab=Class"))
    teacher = tab(browser, server.url, f"room={code}&key={key}&tab=Class")  # the teacher link, on another device
    teacher.page.wait_for_url(lambda url: "key=" not in url and "teacher=" in url, timeout=RUN_TIMEOUT_MS)
    assert teacher.page.get_by_text("Lock sending").count() == 1
    teacher.page.reload()
    teacher.wait_finished()
    assert "key=" not in teacher.page.url and teacher.page.get_by_text("Lock sending").count() == 1
    assert key not in teacher.page.url and not teacher.errors
