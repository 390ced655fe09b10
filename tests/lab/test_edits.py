"""Weights edited by hand: exactly that weight changes, bad values change nothing, and training goes on from the
edited weights with the numbers of a lone trainer resumed from them, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

import mlp
from lab import edits
from lab.experiment import Experiment
from lab.run import finish, new_run, trainer


@pytest.mark.parametrize("sizes, bias", [((2, 9, 4, 1), True), ((4, 1), True), ((2, 3, 1), False), ((7, 5, 6, 2, 1), True)])
def test_the_index_is_where_the_networks_own_views_put_each_parameter(sizes, bias):
    net = mlp.MLP(sizes, bias=bias)
    net.params[...] = np.arange(net.n_params)  # each parameter's own position as its value
    seen = []
    for layer in range(1, len(sizes)):
        W, b = net.weights[layer - 1], net.biases[layer - 1]
        for i in range(1, sizes[layer - 1] + 1):
            for j in range(1, sizes[layer] + 1):
                seen.append(edits.index(sizes, layer, i, j, bias))
                assert seen[-1] == W[i - 1, j - 1]
        for j in range(1, sizes[layer] + 1):
            if bias:
                seen.append(edits.index(sizes, layer, None, j, bias))
                assert seen[-1] == b[j - 1]
            else:
                with pytest.raises(ValueError, match="no biases"):
                    edits.index(sizes, layer, None, j, bias)
    every = range(net.n_params) if bias else np.flatnonzero(net.weight_mask)  # every parameter (weight), once
    assert sorted(seen) == list(every)


@pytest.mark.parametrize("where, words", [
    ((0, 1, 1), "layer 0 does not exist; this network has weight layers 1 to 3"),
    ((4, 1, 1), "layer 4 does not exist"),
    ((1, 3, 1), "unit 3 does not exist; layer 1 takes units 1 to 2"),
    ((2, 1, 5), "unit 5 does not exist; layer 2 has units 1 to 4"),
    ((3, 0, 1), "unit 0 does not exist"),
])
def test_a_weight_that_is_not_there_is_named(where, words):
    with pytest.raises(ValueError, match=words):
        edits.index((2, 9, 4, 1), *where)


@pytest.mark.parametrize("typed, value", [("2.5", 2.5), (" -3 ", -3.0), ("−1.5", -1.5), (100, 100.0), ("-100", -100.0),
                                          ("1e-3", 0.001), (0, 0.0)])
def test_a_value_is_a_finite_number_within_100(typed, value):
    assert edits.value(typed) == value


@pytest.mark.parametrize("typed, words", [
    ("abc", "'abc' is not a number; a weight is a number from -100 to 100"),
    ("", "an empty cell is not a number"),
    (None, "an empty cell is not a number"),
    (True, "is not a number"),
    ("nan", "'nan' is not allowed"),
    ("inf", "'inf' is not allowed"),
    ("1e3", "'1e3' is not allowed; a weight is a number from -100 to 100"),
    (100.0001, "is not allowed"),
    (float("-inf"), "is not allowed"),
])
def test_anything_else_is_refused_saying_what_is_allowed(typed, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        edits.value(typed)


def trained(**settings) -> object:
    return finish(new_run(Experiment(**{"dataset": "xor", "epochs": 120, **settings})))


def test_an_edit_changes_exactly_that_weight_and_keeps_the_rest_of_the_training_state():
    run = trained()
    before, params = run.state, run.net.params.copy()
    made = run.edit([(2, 3, 1, "2.5")])
    k = edits.index(run.net.layer_sizes, 2, 3, 1)
    assert made == [edits.Edit(120, 2, 3, 1, float(params[k]), 2.5)] and run.edits == made
    changed = np.flatnonzero(run.net.params != params)
    assert changed.tolist() == [k] and run.net.weights[1][2, 0] == 2.5
    np.testing.assert_array_equal(run.state.params, run.net.params)
    assert run.state.params is not before.params  # a new training state; the old one is untouched
    assert before.params[k] == params[k]
    assert run.epoch == 120 and run.state.rng == before.rng
    assert run.state.optimizer == before.optimizer  # gd: only the step count
    assert run.origin is None


def test_the_snapshot_at_the_edit_describes_the_edited_network():
    run = trained()
    count = len(run.snapshots)
    run.edit([(1, None, 2, -4)])
    assert len(run.snapshots) == count and run.last.epoch == 120
    fresh = trainer(run.exp, run.net.copy(), run.train, run.test, run.state).snapshot()
    assert (run.last.loss, run.last.accuracy, run.last.grad_norms) == (fresh.loss, fresh.accuracy, fresh.grad_norms)
    assert run.last.loss == run.net.evaluate(run.train.X, run.train.y)[0]


@pytest.mark.parametrize("changes", [
    [(2, 3, 1, "abc")],
    [(2, 3, 1, "1e9")],
    [(9, 1, 1, 1.0)],
    [(2, 3, 1, 1.0), (2, 3, 2, "nan")],  # one bad change: none is made
])
def test_a_refused_edit_changes_nothing(changes):
    run = trained()
    params, snaps, state = run.net.params.copy(), list(run.snapshots), run.state
    with pytest.raises(ValueError):
        run.edit(changes)
    np.testing.assert_array_equal(run.net.params, params)
    assert run.snapshots == snaps and run.state is state and run.edits == []


def test_a_diverged_run_is_not_edited():
    run = trained(activation="linear", output_activation="linear", dataset="linear")
    assert run.diverged
    with pytest.raises(ValueError, match="this run diverged"):
        run.edit([(1, 1, 1, 0.5)])


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_training_goes_on_from_the_edited_weights_with_the_optimizers_state_kept(optimizer):
    run = trained(optimizer=optimizer, lr=0.05)
    kept = run.state.optimizer
    run.edit([(3, 2, 1, -7.25), (2, None, 4, 3)])
    for name, value in kept.items():  # momentum, Adam's averages and the step count: as they were
        np.testing.assert_array_equal(run.state.optimizer[name], value)
    lone = trainer(run.exp, run.exp.network(run.train.X), run.train, run.test, run.state)
    expected = list(lone.run(80, run.every))
    list(run.advance(80))
    np.testing.assert_array_equal(run.net.params, lone.net.params)  # bit for bit
    assert [s.loss for s in run.snapshots[-len(expected):]] == [s.loss for s in expected]
    assert run.edits[0].epoch == 120 and run.epoch == 200


def test_a_run_keeps_at_most_max_edits():
    run = trained()
    run.edit([(1, 1, 1, k / 100) for k in range(edits.MAX_EDITS - 1)])
    with pytest.raises(ValueError, match="a run keeps at most 100 edits and this one has 99; press Reset"):
        run.edit([(1, 1, 1, 0.5), (1, 1, 2, 0.5)])
    run.edit([(1, 1, 1, 0.5)])
    assert len(run.edits) == edits.MAX_EDITS
