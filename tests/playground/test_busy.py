"""The page when the server is busy or a click asks too much: a full queue and a page over its cap get the
busy notice, no job is made past the bound, and the run on screen stays; Step stays within the budget and
says which bound a step would pass (AppTest, with a small real training service in place of the process's)."""

import re
import time

import pytest
from test_app import metric, page, run_of, shown

from lab.experiment import MAX_EPOCHS, Experiment
from lab.run import new_run
from playground import session, shared
from server.service import Request, TrainingService

HEAVY = Experiment(batch_size=1, epochs=2000)


@pytest.fixture
def small_service(monkeypatch):
    """``small_service(**bounds)``: the page's training service, replaced by one with these bounds."""
    made = []

    def make(**bounds) -> TrainingService:
        svc = TrainingService(1, **bounds)
        made.append(svc)
        monkeypatch.setattr(shared, "service", lambda: svc)
        return svc

    yield make
    for svc in made:
        svc.close()


def fill(svc: TrainingService, n: int) -> list:
    """n heavy jobs of other callers (seeds 0..n-1): they keep the queue full until cancelled."""
    jobs = []
    for i in range(n):
        run = new_run(HEAVY.with_(weight_seed=i))
        jobs.append(svc.submit(Request(run.exp, run.train, run.test, run.exp.epochs, run.every)))
    return jobs


def test_a_full_queue_shows_the_busy_notice_keeps_the_run_and_the_next_rerun_trains(small_service):
    svc = small_service(max_queue=2)
    at = page(dataset="xor", epochs="200")
    before = run_of(at)
    assert before.epoch == 200
    fillers = fill(svc, 2)
    made = svc.made
    at.number_input(key="epochs").set_value(300).run()  # new settings while the queue is full
    assert any(re.search(r"The server is busy — 2 runs ahead; try again in a moment\. The run on screen is the "
                         r"previous one\.", e) for e in shown(at.error)), shown(at.error)
    assert run_of(at) is before and metric(at, "Epoch") == "200"  # nothing lost
    assert svc.queued() == 2 and svc.made == made  # no job was made past the bound
    for job in fillers:
        job.cancel()
    for job in fillers:
        job.result(30)
    at.run()  # any rerun asks again
    assert run_of(at).exp.epochs == 300 and metric(at, "Epoch") == "300" and not shown(at.error)


def test_a_first_visit_to_a_full_queue_says_so(small_service):
    svc = small_service(max_queue=1)
    fillers = fill(svc, 1)
    at = page(dataset="xor", epochs="200")
    assert any("The server is busy — 1 run ahead; try again in a moment. The network on screen is untrained."
               in e for e in shown(at.error)), shown(at.error)
    assert metric(at, "Epoch") == "0" and at.button(key="_train").disabled
    fillers[0].cancel()
    fillers[0].result(30)
    at.run()
    assert metric(at, "Epoch") == "200"


def test_a_page_over_its_cap_gets_the_busy_notice_and_makes_no_job(small_service):
    svc = small_service(per_visitor=1)
    at = page(dataset="xor", epochs="200", tab="Compare")
    at.selectbox(key="_sweep_choice").set_value("free").run()
    at.text_input(key="_sweep_values").set_value("0.05; 0.3").run()  # not the page's own run (done, kept)
    made = svc.made
    at.button(key="_sweep_run").click().run()
    errors = shown(at.error)
    assert any("busy" in e and "this page already has 1 training in progress" in e and "board was not changed" in e
               for e in errors), errors
    assert svc.made == made + 1  # one job for the first run of the sweep, none for the second
    assert not at.query_params.get("board")
    deadline = time.monotonic() + 5
    while svc.queued() and time.monotonic() < deadline:  # the first run, left, is cancelled
        time.sleep(0.05)
    assert svc.queued() == 0


def test_step_stays_within_the_budget_and_names_the_bound():
    at = page(dataset="linear", n="1000", hidden="32,32,32,32", epochs="100")
    assert metric(at, "Epoch") == "100"
    at.selectbox(key="_step_size").set_value(10).run()
    at.button(key="_step").click().run()
    assert metric(at, "Epoch") == "110"  # within the budget: stepped
    at.selectbox(key="_step_size").set_value(1000).run()
    at.button(key="_step").click().run()  # 1,110 epochs of this network on 1,000 points: past MAX_WORK
    assert metric(at, "Epoch") == "110"
    assert any(e.startswith("Not trained to epoch 1,110: This run asks for") and "the limit is 2e+09" in e
               for e in shown(at.error)), shown(at.error)


def test_a_step_past_the_most_epochs_names_that_bound():
    run = new_run(Experiment(dataset="xor", epochs=MAX_EPOCHS))
    assert session.over_budget(run, MAX_EPOCHS) == ""
    assert session.over_budget(run, MAX_EPOCHS + 1000) == (
        f"Not trained to epoch {MAX_EPOCHS + 1000:,}: a run goes to at most {MAX_EPOCHS:,} epochs.")
    heavy = new_run(HEAVY)  # 2,000 epochs of 100 single-point steps: the most steps a run may make
    assert session.over_budget(heavy, 2000) == ""
    assert "optimizer steps" in session.over_budget(heavy, 2001) and "200,000" in session.over_budget(heavy, 2001)
