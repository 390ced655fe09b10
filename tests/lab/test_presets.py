"""The report's single runs (lab.presets.FIGURES): each link reproduces what its text says, measured here,
in this process (a plateau's length is a property of the run, not a number pinned from another machine)."""

import numpy as np
import pytest

import mlp
from lab.experiment import Experiment, from_query
from lab.presets import FIGURES
from lab.run import finish, new_run
from mlp.batched import train_batched


def curve(exp: Experiment):
    run = finish(new_run(exp))
    cols = run.columns()
    return run, cols["epoch"], cols["loss"]


@pytest.mark.parametrize("name", FIGURES)
def test_a_figure_is_a_link(name):
    fig = FIGURES[name]
    assert from_query(fig.query()) == (fig.exp, [])


def test_fig14_xor_sits_on_the_plateau_until_about_epoch_4000_then_drops():
    fig = FIGURES["plateau"]
    assert fig.query() == {"dataset": "xor", "init": "uniform", "weight_seed": "262"}
    run, epoch, loss = curve(fig.exp)
    plateau = loss[(epoch >= 500) & (epoch <= 3500)]
    assert np.abs(plateau - 0.2494).max() < 0.001  # the best constant guess, 10/21 ones
    assert loss[epoch == 3750][0] > 0.245 and loss[epoch == 4000][0] > 0.22  # still near it at about 4,000
    first_below = epoch[np.argmax(loss < 0.2)]
    assert 4000 <= first_below <= 4700  # … then the drop
    assert loss[epoch == 5000][0] < 0.06 and run.last.loss < 1e-3 and run.last.accuracy == 1.0
    assert 5500 <= run.record().epochs_to_100 <= 6500


def test_fig14_the_reports_normal_weights_leave_the_plateau_early():
    # the claim of the text: with N(0, 1) weights every one of 100 seeds is below 0.2 by epoch 1,100
    xor = mlp.make_dataset("xor")
    nets = [Experiment(dataset="xor", weight_seed=s).network() for s in range(100)]
    lows = np.full(100, np.inf)
    for snaps in train_batched(nets, xor.X, xor.y, epochs=1100, lrs=0.1, every=100):
        lows = np.minimum(lows, [s.loss for s in snaps])
    assert (lows < 0.2).all()


@pytest.mark.parametrize("dataset, start, stop, accuracy", [("linear", 12.4, 3, 0.48), ("xor", 10.7, 4, 11 / 21)])
def test_fig19_no_activation_at_all_overflows_within_a_few_epochs(dataset, start, stop, accuracy):
    fig = FIGURES["no_activation"]
    assert fig.query() == {"activation": "linear", "output_activation": "linear"}
    run, epoch, loss = curve(fig.exp.with_(dataset=dataset))
    assert round(loss[0], 1) == start and run.diverged and run.last.epoch == stop
    assert not np.isfinite(run.last.loss) and "NaN or infinite" in run.last.reason
    assert run.last.accuracy == pytest.approx(accuracy)
