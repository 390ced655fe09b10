"""One config, three faces: the URL and CLI forms round-trip, and bad links fall back with a notice."""

import math

import numpy as np
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
        ({"hidden": "9,0"}, "hidden"),
        ({"hidden": "0,0"}, "hidden"),
        ({"features": "x1,x3"}, "features"),
        ({"features": ""}, "features"),
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


# ----- input features, no hidden layer, and the regression sets' defaults ------------------------------
def test_features_in_the_link_and_the_network():
    exp, notices = from_query({"dataset": "circle", "hidden": "0", "features": "x1,x2,x1sq,x2sq"})
    assert notices == [] and exp.hidden == () and exp.features == ("x1", "x2", "x1sq", "x2sq")
    assert exp.to_query() == {"dataset": "circle", "features": "x1,x2,x1sq,x2sq", "hidden": "0"}
    assert exp.layer_sizes == (4, 1) and exp.n_params == 5 and budget.work(exp) == 10_000 * 100 * 5
    net = exp.network()
    assert net.layer_sizes == (4, 1) and net.features.names == exp.features and net.features.centre == (0.5, 0.5)
    # spellings: spaces, repeats, any order; the link writes them in the registry's order
    assert FIELDS["features"].parse(" x2sq x1;x1 ") == ("x1", "x2sq")
    assert from_query(exp.to_query()) == (exp, [])


def test_the_lab_inputs_and_old_links_are_unchanged():
    assert Experiment().features == ("x1", "x2") and Experiment().layer_sizes == (2, 9, 4, 1)
    assert Experiment(dataset="xor", lr=0.3).to_query() == {"dataset": "xor", "lr": "0.3"}
    assert Experiment().network().features.identity


def test_your_own_points_centre_the_features_on_their_middle():
    X = np.array([[2.0, -1.0], [4.0, 3.0], [3.0, 0.0]])
    exp = Experiment(dataset="custom", features=("x1", "x2", "x1sq"))
    assert exp.network(X).features.centre == (3.0, 1.0)
    with pytest.raises(ValueError, match="^X: the custom set"):
        exp.network()
    assert Experiment(dataset="custom").network().features.identity  # the lab's inputs need no centre


def test_hidden_zero_means_no_hidden_layer():
    assert FIELDS["hidden"].parse("0") == () and FIELDS["hidden"].format(()) == "0"
    assert Experiment(hidden=()).layer_sizes == (2, 1) and Experiment(hidden=[]).hidden == ()
    with pytest.raises(ValueError, match="hidden"):
        FIELDS["hidden"].parse("4,0")


def test_regression_sets_bring_their_defaults():
    exp = Experiment(dataset="reg_plane")
    assert (exp.task, exp.output_activation, exp.lr, exp.loss) == ("regression", "linear", 0.003, "mse")
    assert exp.to_query() == {"dataset": "reg_plane"} and from_query({"dataset": "reg_plane"}) == (exp, [])
    assert exp.train_kwargs()["task"] == "regression" and Experiment().train_kwargs()["task"] == "classification"
    # a setting given stays; one at the old set's default follows the new set
    assert Experiment(dataset="reg_plane", lr=0.01).to_query() == {"dataset": "reg_plane", "lr": "0.01"}
    moved = Experiment(dataset="xor", lr=0.3).with_(dataset="reg_gaussians")
    assert (moved.output_activation, moved.lr) == ("linear", 0.3)
    back = moved.with_(dataset="linear", lr=0.003)
    assert (back.output_activation, back.lr) == ("sigmoid", 0.003)
    assert Experiment(dataset="reg_plane", output_activation="tanh").output_activation == "tanh"


def test_bce_on_real_targets_is_refused_and_a_link_falls_back():
    with pytest.raises(ValueError, match="^loss: bce needs labels 0 or 1, and reg_plane's targets are real"):
        Experiment(dataset="reg_plane", loss="bce")
    exp, notices = from_query({"dataset": "reg_gaussians", "loss": "bce", "lr": "0.001"})
    assert (exp.dataset, exp.loss, exp.lr) == ("reg_gaussians", "mse", 0.001)
    assert len(notices) == 1 and notices[0].startswith("loss: bce") and "using the default, mse" in notices[0]
