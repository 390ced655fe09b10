"""Sweeps: validated values, same data and start, batched = one by one, and presets that tell the truth."""

import numpy as np
import pytest

from mlp.config import Experiment
from mlp.presets import PRESETS
from mlp.sweep import RunResult, Sweep, run_experiments, run_sweep
from mlp.train import Snapshot

XOR = Experiment(dataset="xor")


def test_sweep_parses_text_and_values():
    s = Sweep("hidden", ("2,1", "9x4", (20, 14)))
    assert s.values == ((2, 1), (9, 4), (20, 14)) and s.labels == ["2,1", "9,4", "20,14"]
    assert Sweep("bias", ("false", True)).values == (False, True)
    assert Sweep("lr", ("0.3", 0.9)).values == (0.3, 0.9)
    exps = Sweep("lr", (0.1, 0.9)).experiments(XOR.with_(epochs=7))
    assert [e.lr for e in exps] == [0.1, 0.9] and all(e.dataset == "xor" and e.epochs == 7 for e in exps)


@pytest.mark.parametrize(
    "setting, values, words",
    [
        ("colour", (1,), ["setting", "colour", "activation", "lr"]),
        ("activation", ("swish",), ["activation", "swish", "sigmoid", "tanh"]),
        ("hidden", ("2,a",), ["hidden", "layer sizes"]),
        ("hidden", ((40,),), ["hidden", "32"]),
        ("lr", (0.1, 0.0), ["lr", "allowed"]),
        ("bias", ("maybe",), ["bias", "true or false"]),
        ("lr", (), ["lr", "non-empty"]),
        ("lr", "0.1", ["lr", "list"]),
    ],
)
def test_bad_values_name_the_setting_and_what_is_allowed(setting, values, words):
    with pytest.raises(ValueError) as err:
        Sweep(setting, values)
    for w in words:
        assert w in str(err.value)


def test_batched_runs_equal_one_by_one_and_share_data_and_start():
    base = Experiment(dataset="circle", n=60, test=0.25, epochs=300)
    sweep = Sweep("lr", (0.02, 0.05, 0.1))
    batched = run_sweep(base, sweep, every=50)
    alone = run_sweep(base, sweep, every=50, batch=False)
    assert [r.batched for r in batched] == [3, 3, 3] and [r.batched for r in alone] == [1, 1, 1]
    # same data and same initial weights: the untrained networks score the same everywhere
    assert len({(r.loss[0], r.test_loss[0]) for r in batched}) == 1
    for a, b in zip(batched, alone):
        assert a.experiment == b.experiment and a.status == b.status == "done"
        np.testing.assert_array_equal(a.epochs, np.arange(0, 301, 50))
        np.testing.assert_array_equal(a.loss, b.loss)
        np.testing.assert_array_equal(a.test_accuracy, b.test_accuracy)
        np.testing.assert_array_equal(a.net.params, b.net.params)
    assert batched[0].loss[-1] != batched[2].loss[-1]


def test_same_settings_give_the_same_initial_weights():
    nets = [e.network() for e in Sweep("optimizer", ("gd", "adam")).experiments(XOR)]
    np.testing.assert_array_equal(nets[0].params, nets[1].params)
    other = XOR.with_(weight_seed=1).network()
    assert not np.array_equal(other.params, nets[0].params)


def test_grouping_follows_what_can_share_a_call():
    base = XOR.with_(epochs=20)
    widths = Sweep("hidden", ("2,1", "9,4", "20,14"))
    together = run_sweep(base, widths, every=10)
    assert [r.batched for r in together] == [3, 3, 3]  # different widths share a call, exactly
    alone = run_sweep(base, widths, every=10, batch=False)
    for a, b in zip(together, alone):
        np.testing.assert_array_equal(a.loss, b.loss)
        np.testing.assert_array_equal(a.net.params, b.net.params)
        assert a.net.layer_sizes == b.net.layer_sizes
    assert [r.batched for r in run_sweep(base, Sweep("activation", ("sigmoid", "tanh")), every=10)] == [1, 1]
    minibatch = run_sweep(base.with_(batch_size=5), Sweep("lr", (0.1, 0.2)), every=10)
    assert [r.batched for r in minibatch] == [1, 1]
    mixed = run_experiments([base, base.with_(lr=0.3), base.with_(dataset="linear"), base.with_(lr=0.5)], 10)
    assert [r.batched for r in mixed] == [3, 3, 1, 3]
    assert [r.experiment.lr for r in mixed] == [0.1, 0.3, 0.1, 0.5]


def test_results_hold_arrays_status_and_epochs_to_100():
    seen = []
    (r,) = run_sweep(XOR.with_(epochs=1000), Sweep("lr", (0.3,)), every=20, progress=seen.append)
    assert r.epochs[0] == 0 and r.epochs[-1] == 1000 and len(r.loss) == len(r.accuracy) == 51
    assert np.isnan(r.test_loss).all() and np.isnan(r.test_accuracy).all()  # tested on the training data
    e = r.epochs_to_100
    assert e is not None and r.accuracy[r.epochs == e] == 1.0 and (r.accuracy[r.epochs < e] < 1.0).all()
    assert (r.status, r.reason, r.seconds > 0) == ("done", "", True)
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_epochs_to_100_is_the_first_snapshot_at_100_percent():
    snaps = [Snapshot(10 * i, 0.1, acc, None, None, (0.0,)) for i, acc in enumerate((0.5, 0.95, 1.0, 0.9, 1.0))]
    r = RunResult(XOR, snaps, XOR.network(), 0.0)
    assert r.epochs_to_100 == 20 and r.status == "running"
    np.testing.assert_array_equal(r.epochs, [0, 10, 20, 30, 40])
    assert RunResult(XOR, snaps[:2], XOR.network(), 0.0).epochs_to_100 is None


def test_a_diverging_run_does_not_stop_the_others():
    base = Experiment(activation="linear", output_activation="linear", epochs=300)
    seen = []
    results = run_sweep(base, Sweep("lr", (1e-4, 0.1)), every=50, progress=seen.append)
    assert [r.status for r in results] == ["done", "diverged"]
    assert results[1].epochs[-1] < 10 and "learning rate" in results[1].reason
    assert results[0].epochs[-1] == 300 and results[1].epochs_to_100 is None
    assert seen[-1] == 1.0


# ----- the presets ----------------------------------------------------------------------------
def sentences(text: str) -> int:
    return text.count(". ") + 1


def test_presets_reproduce_the_report_and_answer_the_lab_questions():
    values = {name: p.sweep.values for name, p in PRESETS.items()}
    assert values["lr"] == (0.1, 0.3, 0.9)
    assert values["hidden"] == ((2, 1), (9, 4), (20, 14))
    assert values["activation"] == ("sigmoid", "relu", "tanh", "linear")
    assert values["optimizer"] == ("gd", "momentum", "adam")
    questions = {p.question for p in PRESETS.values()} - {""}
    assert questions == {
        "What are the purposes of activation functions?",
        "What if the learning rate is too large or too small?",
        "What are the purposes of weights and biases?",
    }
    for p in PRESETS.values():
        assert p.title and 2 <= sentences(p.explanation) <= 4
        assert bool(p.question) == bool(p.answer) and (not p.answer or 2 <= sentences(p.answer) <= 4)


# What the explanations claim, re-measured at the defaults (XOR only: 21 points train fast).
def test_claims_hidden_units_on_xor():
    r21, r94, r2014 = run_sweep(XOR, PRESETS["hidden"].sweep, every=100)
    assert r21.accuracy[-1] == pytest.approx(16 / 21) and r21.loss[30] > 0.24  # plateau up to epoch 3,000
    assert r94.accuracy[-1] == r2014.accuracy[-1] == 1.0 and r2014.epochs_to_100 < r94.epochs_to_100


def test_claims_activation_on_xor():
    relu, linear = run_sweep(XOR, Sweep("activation", ("relu", "linear")), every=5)
    assert linear.accuracy[-1] == pytest.approx(16 / 21)  # the best straight line
    assert relu.accuracy[relu.epochs <= 80].max() > 0.95 and relu.accuracy[-1] == pytest.approx(16 / 21)
    first_layer = relu.net.layer_outputs(XOR.data().X)[0]
    assert (first_layer.max(axis=0) == 0).sum() == 4  # dead: 0 for every point
    (none,) = run_sweep(XOR.with_(activation="linear", output_activation="linear"), Sweep("lr", (0.1,)))
    assert none.status == "diverged" and none.epochs[-1] <= 5


def test_claims_learning_rate_and_optimizer_on_xor():
    lr01, _, lr09 = run_sweep(XOR, PRESETS["lr"].sweep, every=10)
    assert (np.diff(lr01.loss) <= 0).all()  # smooth descent
    jumps = lr09.epochs[1:][np.diff(lr09.loss) > 0.01]  # the loss jumps up and down until epoch ~2,000
    assert len(jumps) >= 20 and 1000 < jumps.max() <= 2500
    gd, momentum, adam = run_sweep(XOR, PRESETS["optimizer"].sweep, every=10)
    assert gd.accuracy[-1] == momentum.accuracy[-1] == adam.accuracy[-1] == 1.0
    assert adam.epochs_to_100 < momentum.epochs_to_100 < gd.epochs_to_100
