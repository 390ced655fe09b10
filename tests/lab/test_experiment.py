"""One config, three faces: the URL and CLI forms round-trip, and bad links fall back with a notice."""

import math

import pytest

from lab import budget
from lab import experiment as config
from lab.experiment import FIELDS, Experiment, from_query


def test_defaults_leave_the_url_empty():
    assert Experiment().to_query() == {}


def test_round_trip_through_the_url():
    exp = Experiment(dataset="xor", hidden=(20, 14), lr=0.9, bias=False, noise=0.25, batch_size=7, l2=1e-4)
    q = exp.to_query()
    assert q["hidden"] == "20,14" and q["lr"] == "0.9" and q["bias"] == "false"
    back, notices = from_query(q)
    assert back == exp and notices == []


@pytest.mark.parametrize("text", ["9,4", "9 4", "9x4", "9×4", " 9 , 4 "])
def test_hidden_spellings(text):
    assert FIELDS["hidden"].parse(text) == (9, 4)


@pytest.mark.parametrize(
    "params, key",
    [
        ({"lr": "abc"}, "lr"),
        ({"lr": "nan"}, "lr"),
        ({"lr": "-1"}, "lr"),
        ({"epochs": "1e9"}, "epochs"),
        ({"epochs": "999999999"}, "epochs"),
        ({"hidden": "9,4,4,4,4"}, "hidden"),
        ({"hidden": "0"}, "hidden"),
        ({"dataset": "<script>"}, "dataset"),
        ({"bias": "2"}, "bias"),
        ({"noise": "inf"}, "noise"),
    ],
)
def test_bad_query_values_fall_back_with_a_notice(params, key):
    exp, notices = from_query(params | {"dataset": params.get("dataset", "xor")} if key != "dataset" else params)
    assert getattr(exp, key) == getattr(config.DEFAULT, key)
    assert len(notices) == 1 and notices[0].startswith(f"{key}:") and "default" in notices[0]


def test_good_values_survive_next_to_bad_ones_and_repeats_take_the_last():
    exp, notices = from_query({"dataset": ["linear", "xor"], "lr": "oops", "epochs": "200", "unknown": "1"})
    assert exp.dataset == "xor" and exp.epochs == 200 and exp.lr == 0.1
    assert len(notices) == 1


def test_experiment_validates_on_construction():
    with pytest.raises(ValueError, match="activation"):
        Experiment(activation="swish")
    with pytest.raises(ValueError, match="lr"):
        Experiment(lr=math.inf)


def test_work_budget():
    assert budget.work(Experiment()) == 10_000 * 100 * 72
    assert budget.error(Experiment()) == ""
    big = Experiment(n=1000, hidden=(32, 32, 32, 32), epochs=100_000)
    msg = budget.error(big)
    assert "limit" in msg and "epochs" in msg
    most = int(msg.split("Use at most ")[1].split(" epochs")[0].replace(",", ""))
    assert budget.error(big.with_(epochs=most)) == ""
    assert budget.error(big.with_(epochs=most + 1)) != ""


def test_builders():
    exp = Experiment(dataset="circle", n=50, test=0.2, hidden=(3,), weight_seed=5)
    train, test = exp.split()
    assert len(train) == 40 and len(test) == 10
    net = exp.network()
    assert net.layer_sizes == (2, 3, 1) and net.seed == 5


def test_mini_batch_steps_are_bounded():
    exp = Experiment(n=1000, hidden=(1,), epochs=100_000, batch_size=1)
    assert budget.work(exp) <= budget.MAX_WORK
    assert budget.steps(exp) == 100_000 * 1000
    msg = budget.error(exp)
    assert "optimizer steps" in msg
    most = int(msg.split("Use at most ")[1].split(" epochs")[0].replace(",", ""))
    assert budget.error(exp.with_(epochs=most)) == ""
    assert budget.error(Experiment(epochs=100_000)) == ""  # full batch: one step an epoch
