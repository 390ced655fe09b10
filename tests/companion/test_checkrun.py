"""The check in a child process (`companion.checkrun`), with real processes: the child's answer is the in-process
check's; a file that cannot be checked gets the checker's message; a child past its deadline is killed and
gone; one past its memory is stopped; one that dies without answering is a crash with its details."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest
from check_limits import Watch, children, largest_file, reviewers_file
from student_backprop import file_for, problem, student

from companion import checkrun, gradcheck


def assert_same_report(a: gradcheck.Report, b: gradcheck.Report) -> None:
    """Equal but for the last digits of the relative errors (the child runs one BLAS thread)."""
    def notes(r):
        return [n for n in r.notes if not n.startswith("largest relative error")]

    assert (a.network, a.first_wrong_layer, a.diagnoses, notes(a)) == (b.network, b.first_wrong_layer, b.diagnoses, notes(b))
    assert [(r.name, r.shape, r.verdict, r.transposed) for r in a.rows] == [(r.name, r.shape, r.verdict, r.transposed) for r in b.rows]
    np.testing.assert_allclose([r.rel_error for r in a.rows], [r.rel_error for r in b.rows], rtol=1e-6, atol=1e-15)


@pytest.mark.parametrize("mistake", [None, "hidden_on_z", "several"])
def test_the_childs_answer_is_the_in_process_check(mistake):
    W, b, X, y = problem()
    data = json.dumps(file_for(W, b, X, y, *student(W, b, X, y, mistake=mistake))).encode()
    with Watch() as watch:
        done = checkrun.check(data)
    assert_same_report(done.report, gradcheck.check(gradcheck.load(data)))
    for mine, theirs in zip(done.weights, W):
        np.testing.assert_array_equal(mine, theirs)
    assert len(done.biases) == len(b) and done.report.ok == (mistake is None)
    assert len(watch.seen) == 1 and not children()  # a child of its own, gone once it answered


def test_the_bias_free_network_comes_back_without_biases():
    W, b, X, y = problem(bias=False)
    data = json.dumps(file_for(W, b, X, y, *student(W, b, X, y), bias=False)).encode()
    assert checkrun.check(data).biases is None


@pytest.mark.parametrize("data, message", [
    (b"{not json", "file: not valid JSON"),
    (b"x" * 3_000_000, "file: larger than 1 MB"),  # only MAX_BYTES + 1 of them travel
    (reviewers_file(), "X: 30,000 points × 10,002 units (of all layers) is more than 1,000,000"),
])
def test_a_file_that_cannot_be_checked_gets_the_checkers_message(data, message):
    with pytest.raises(gradcheck.CheckFileError) as caught:
        checkrun.check(data)
    with pytest.raises(gradcheck.CheckFileError) as in_process:
        gradcheck.load(data[: 1_000_001])
    assert str(caught.value) == str(in_process.value) and str(caught.value).startswith(message)


def test_the_largest_legal_file_is_checked_within_the_childs_limits():
    done = checkrun.check(largest_file())  # the defaults: DEADLINE_S, MEMORY_MB
    # random integers for gradients: every one is wrong, no mistake matches, and the pattern says where
    assert [r.verdict for r in done.report.rows] == ["wrong"] * 8
    assert [d.mistakes for d in done.report.diagnoses] == [("output_delta",)]
    assert [W.shape for W in done.weights] == [(1, 150), (150, 150), (150, 150), (150, 1)]


def test_a_child_past_its_deadline_is_killed_and_gone():
    # the child cannot even start numpy and read 340 KB of JSON in 0.2 s, let alone check it
    with Watch() as watch, pytest.raises(checkrun.CheckStopped) as stopped:
        checkrun.check(largest_file(), deadline_s=0.2)
    assert str(stopped.value) == "the check took longer than 0.2 s and was stopped"
    assert watch.seen, "no check child was seen"
    assert watch.all_gone()
    assert not children()


def test_a_child_past_its_memory_is_stopped():
    # 8 MB beyond its imports: the largest legal check needs several times that (its limit is MEMORY_MB)
    with pytest.raises(checkrun.CheckStopped) as stopped:
        checkrun.check(largest_file(), memory_mb=8)
    assert str(stopped.value) == "the check needed more than 8 MB and was stopped"
    assert not children()


def test_a_child_that_dies_without_an_answer_is_a_crash_with_its_details():
    with Watch(kill=True) as watch, pytest.raises(checkrun.CheckCrashed) as crashed:
        checkrun.check(largest_file())
    assert "the check process ended with code -9 and no answer" in str(crashed.value)
    assert watch.seen and not children()


def test_slots_give_one_turn_per_slot_and_a_busy_message_after_the_wait():
    slots = checkrun.Slots(2)
    with slots.turn(), slots.turn():
        with pytest.raises(checkrun.CheckStopped) as busy:
            with slots.turn(wait_s=0.05):
                pass
        assert str(busy.value) == (
            "the checker is busy (2 checks at once, none finished within 0.05 s); try again in a moment"
        )
    got = threading.Event()

    def waiter():
        with slots.turn(wait_s=30):
            got.set()

    with slots.turn(), slots.turn():
        thread = threading.Thread(target=waiter)
        thread.start()
        assert not got.wait(0.2)  # both turns are held: it waits
    assert got.wait(30)  # a turn came free: it went
    thread.join()
    assert checkrun.Slots().size >= 1


def test_the_answer_travels_as_json_and_comes_back_bit_for_bit():
    """The child's answer is JSON (no pickle): every float, NaN and infinity included, comes back as it was."""
    W, b, X, y = problem()
    f = gradcheck.load(json.dumps(file_for(W, b, X, y, *student(W, b, X, y, mistake="several"))).encode())
    report = gradcheck.check(f)
    odd = gradcheck.Row("dW9", (3, 2), float("inf"), "wrong", True), gradcheck.Row("db9", (2,), float("nan"), "ok", False)
    report = gradcheck.Report(report.network, report.rows + odd, report.first_wrong_layer, report.diagnoses, report.notes)
    sent = checkrun.Checked(report, tuple(f["weights"]), tuple(f["biases"]))
    back = checkrun.decode(json.loads(json.dumps(checkrun.encode(sent))))
    assert back.report.rows[:-2] == report.rows[:-2] and back.report.rows[-2] == odd[0]
    assert np.isnan(back.report.rows[-1].rel_error) and back.report.diagnoses == report.diagnoses
    assert (back.report.network, back.report.first_wrong_layer, back.report.notes) == (
        report.network, report.first_wrong_layer, report.notes)
    for mine, theirs in zip(back.weights + back.biases, sent.weights + sent.biases):
        np.testing.assert_array_equal(mine, theirs)
