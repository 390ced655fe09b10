"""Weights to and from JSON: a round trip, and every bad file rejected with its reason."""

import json

import numpy as np
import pytest

import mlp
from mlp import io


def test_round_trip_gives_the_same_predictions():
    d = mlp.make_dataset("xor")
    net = mlp.MLP((2, 5, 3, 1), activation="tanh", loss="bce", seed=3)
    list(mlp.train(net, d.X, d.y, epochs=50, lr=0.05))
    back = io.loads(io.dumps(net))
    np.testing.assert_array_equal(back.params, net.params)
    assert back.activation.name == "tanh" and back.loss.name == "bce"
    np.testing.assert_array_equal(back.forward(d.X), net.forward(d.X))


def good():
    return io.to_dict(mlp.MLP((2, 3, 1), seed=0))


@pytest.mark.parametrize(
    "mutate, words",
    [
        (lambda d: d.update(format="pickle"), ["not an"]),
        (lambda d: d.pop("weights"), ["missing", "weights"]),
        (lambda d: d["weights"][0].pop(), ["layer 1", "expects"]),
        (lambda d: d["weights"][1][0].__setitem__(0, float("nan")), ["NaN"]),
        (lambda d: d["biases"].__setitem__(0, "abc"), ["numbers"]),
        (lambda d: d.update(activation="swish"), ["activation", "allowed"]),
        (lambda d: d.update(layer_sizes=[2, 3, 2]), ["1 unit"]),
    ],
)
def test_bad_files_are_rejected(mutate, words):
    d = good()
    mutate(d)
    with pytest.raises(ValueError) as err:
        io.loads(json.dumps(d))
    for w in words:
        assert w in str(err.value)


def test_not_json():
    with pytest.raises(ValueError, match="not valid JSON"):
        io.loads("\x00\x01 not json")
    with pytest.raises(ValueError, match="limit"):
        io.loads(" " * (io.MAX_BYTES + 1))
