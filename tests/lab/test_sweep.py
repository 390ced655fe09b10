"""Sweeps: validated values, the same start, and presets that tell the truth (measured on lone runs; that a sweep's
runs trained together are these lone runs, bit for bit, is tests/server/test_sweeps.py's)."""

import numpy as np
import pytest

from lab.experiment import Experiment
from lab.presets import PRESETS
from lab.record import Record
from lab.run import finish, new_run, trainer
from lab.sweep import Sweep

XOR = Experiment(dataset="xor")


def col(record, name):
    return record.columns()[name]


def lone(exp: Experiment, every: int) -> Record:
    """``exp`` trained alone to its end, a snapshot every ``every`` epochs."""
    run = new_run(exp)
    snaps = list(trainer(exp, run.net, run.train, run.test).run(exp.epochs, every))
    return Record.of(exp, snaps, net=run.net, X=run.train.X)


def lone_sweep(base: Experiment, sweep: Sweep, every: int = 100) -> list[Record]:
    return [lone(exp, every) for exp in sweep.experiments(base)]


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


def test_same_settings_give_the_same_initial_weights():
    nets = [e.network() for e in Sweep("optimizer", ("gd", "adam")).experiments(XOR)]
    np.testing.assert_array_equal(nets[0].params, nets[1].params)
    other = XOR.with_(weight_seed=1).network()
    assert not np.array_equal(other.params, nets[0].params)


# ----- the presets ----------------------------------------------------------------------------
# What the explanations claim, re-measured at the defaults (XOR only: 21 points train fast).
def test_claims_hidden_units_on_xor():
    r21, r94, r2014 = lone_sweep(XOR, PRESETS["hidden"].sweep, every=100)
    assert r21.last.accuracy == pytest.approx(16 / 21) and col(r21, "loss")[30] > 0.24  # plateau up to epoch 3,000
    assert r94.last.accuracy == r2014.last.accuracy == 1.0 and r2014.epochs_to_100 < r94.epochs_to_100


def test_claims_activation_on_xor():
    relu, linear = lone_sweep(XOR, Sweep("activation", ("relu", "linear")), every=5)
    assert linear.last.accuracy == pytest.approx(16 / 21)  # the best straight line
    acc = col(relu, "accuracy")
    assert acc[col(relu, "epoch") <= 80].max() > 0.95 and acc[-1] == pytest.approx(16 / 21)
    trained = finish(new_run(XOR.with_(activation="relu")))
    assert trained.last == relu.last  # the same run, as the page snapshots it
    first_layer = trained.net.layer_outputs(XOR.data().X)[0]
    assert (first_layer.max(axis=0) == 0).sum() == 4  # dead: 0 for every point
    (none,) = lone_sweep(XOR.with_(activation="linear", output_activation="linear"), Sweep("lr", (0.1,)))
    assert none.status == "diverged" and none.last.epoch <= 5


def test_claims_learning_rate_and_optimizer_on_xor():
    lr01, _, lr09 = lone_sweep(XOR, PRESETS["lr"].sweep, every=10)
    assert (np.diff(col(lr01, "loss")) <= 0).all()  # smooth descent
    jumps = col(lr09, "epoch")[1:][np.diff(col(lr09, "loss")) > 0.01]  # the loss jumps up and down until ~2,000
    assert len(jumps) >= 20 and 1000 < jumps.max() <= 2500
    gd, momentum, adam = lone_sweep(XOR, PRESETS["optimizer"].sweep, every=10)
    assert gd.last.accuracy == momentum.last.accuracy == adam.last.accuracy == 1.0
    assert adam.epochs_to_100 < momentum.epochs_to_100 < gd.epochs_to_100
