"""The run record: one frozen value for what a run did, lossless through JSON (so stores and links carry it)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lab.edits import Edit
from lab.experiment import FIELDS, Experiment
from lab.record import MAX_SNAPSHOTS, Grid, Record, columns, epochs_to_100
from lab.run import finish, new_run
from mlp import Snapshot
from mlp.data import REGRESSION

floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.just(0.0))
weights = st.floats(-100, 100, allow_nan=False)
edits = st.builds(Edit, st.integers(0, 10**6), st.integers(1, 5), st.one_of(st.none(), st.integers(1, 32)),
                  st.integers(1, 32), st.floats(allow_nan=False), weights)


@st.composite
def experiments(draw) -> Experiment:
    values = {}
    for name, f in FIELDS.items():
        if name in ("points", "dataset") or not draw(st.booleans()):
            continue
        if f.kind == "choice":
            values[name] = draw(st.sampled_from(f.choices))
        elif f.kind == "bool":
            values[name] = draw(st.booleans())
        elif f.kind == "int":
            values[name] = draw(st.integers(int(f.lo), int(f.hi)))
        elif f.kind == "float":
            values[name] = draw(st.floats(f.lo, f.hi))
        elif f.kind == "names":
            values[name] = tuple(draw(st.lists(st.sampled_from(f.choices), min_size=1, max_size=7)))
        else:
            values[name] = tuple(draw(st.lists(st.integers(1, 32), min_size=0, max_size=4)))
    values["dataset"] = draw(st.sampled_from([c for c in FIELDS["dataset"].choices if c != "custom"]))
    if values["dataset"] in REGRESSION and values.get("loss") == "bce":  # BCE needs labels
        values["loss"] = "mse"
    return Experiment(**values)


@st.composite
def records(draw) -> Record:
    layers = draw(st.integers(1, 5))
    tested = draw(st.booleans())
    n = draw(st.integers(1, 30))
    epochs = sorted(set(draw(st.lists(st.integers(0, 10**6), min_size=n, max_size=n))))
    snaps = tuple(
        Snapshot(e, draw(floats), draw(floats), draw(floats) if tested else None, draw(floats) if tested else None,
                 tuple(draw(floats) for _ in range(layers)))
        for e in epochs
    )
    grid = None
    if draw(st.booleans()):
        size = draw(st.integers(1, 8))
        domain = tuple(draw(st.floats(-1e6, 1e6)) for _ in range(4))
        span = draw(st.sampled_from([(0.0, 1.0), (-1.0, 1.0), (-2.5, 0.5)]))
        grid = Grid(domain, size, bytes(draw(st.lists(st.integers(0, 255), min_size=size * size, max_size=size * size))),
                    span)
    status = draw(st.sampled_from(["running", "done", "diverged"]))
    return Record(draw(experiments()), snaps, status, draw(st.text(max_size=40)), draw(st.floats(0, 1e4)),
                  draw(st.one_of(st.none(), st.integers(0, 10**6))), draw(st.text("01", max_size=50)), grid,
                  tuple(draw(st.lists(edits, max_size=4))))


@settings(max_examples=200, deadline=None)
@given(records())
def test_json_round_trip_is_lossless(record):
    text = record.to_json()
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))  # strict JSON
    back = Record.from_json(text)
    assert back == record  # NaNs included: every NaN in a record is math.nan
    assert back.to_json() == text and hash(back) == hash(record)


def test_a_trained_run_round_trips_and_keeps_its_numbers():
    run = finish(new_run(Experiment(dataset="xor", epochs=300, test=0.2)))
    record = run.record()
    assert record.status == "done" and record.has_test and record.epochs_to_100 == epochs_to_100(run.snapshots)
    assert len(record.predictions) == len(run.train) and record.grid.size == 48
    assert Record.from_json(record.to_json()) == record
    np.testing.assert_array_equal(record.columns()["loss"], columns(run.snapshots)["loss"])
    # the grid is P(class 1) to 1/255, row 0 the lowest x2
    d = record.grid.domain
    corner = run.net.forward(np.array([[d[0] + (d[1] - d[0]) / 96, d[2] + (d[3] - d[2]) / 96]]))[0, 0]
    assert record.grid.probs[0, 0] == pytest.approx(corner, abs=0.5 / 255)
    assert "".join("01"[int(v)] for v in run.net.predict(run.train.X).ravel()) == record.predictions


def test_a_diverged_run_is_strict_json_and_says_why():
    run = finish(new_run(Experiment(activation="linear", output_activation="linear", epochs=300)))
    record = run.record()
    assert record.status == "diverged" and "learning rate" in record.reason
    assert not math.isfinite(record.last.loss) or not all(map(math.isfinite, record.last.grad_norms))
    assert Record.from_json(record.to_json()) == record
    json.loads(record.to_json(), parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))


def test_a_paused_run_is_running_and_snapshots_are_normalised():
    run = new_run(Experiment(dataset="xor", epochs=1000))
    for _ in run.advance(100):
        pass
    for _ in run.advance(100):  # the first advance ended with a "done" snapshot at epoch 100
        pass
    record = run.record()
    assert record.status == "running" and record.last.epoch == 200
    assert [s.status for s in record.snapshots] == ["running"] * len(record.snapshots)
    assert all(s.params is None for s in record.snapshots)


def test_thinning_keeps_the_ends_the_swings_and_epochs_to_100():
    run = finish(new_run(Experiment(dataset="xor", epochs=10_000, lr=0.9)))  # 0.9 oscillates for ~2,000 epochs
    record = run.record()
    assert len(record.snapshots) > MAX_SNAPSHOTS
    small = record.thinned()
    assert len(small.snapshots) <= MAX_SNAPSHOTS
    assert small.snapshots[0] == record.snapshots[0] and small.last == record.last
    loss, kept = record.columns()["loss"], small.columns()["loss"]
    assert kept.max() == loss.max() and kept.min() == loss.min()
    assert small.epochs_to_100 == record.epochs_to_100 and small.thinned() is small


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda d: d.update(format="weights"), "run-record"),
        (lambda d: d.update(version=99), "version 99"),
        (lambda d: d["experiment"].update(lr="fast"), "lr"),
        (lambda d: d["snapshots"].update(loss=[1.0]), "lengths"),
        (lambda d: d["snapshots"].update(loss="abc"), "not a number"),
        (lambda d: d.update(status="exploded"), "status"),
        (lambda d: d.update(predictions="012"), "predictions"),
        (lambda d: d.pop("snapshots"), "snapshots"),
    ],
)
def test_a_damaged_record_is_a_value_error_naming_the_part(change, words):
    d = finish(new_run(Experiment(dataset="xor", epochs=20))).record().to_dict()
    change(d)
    with pytest.raises(ValueError, match=words):
        Record.from_dict(d)


@settings(max_examples=150, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.floats() | st.text(max_size=5),
                    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=4)))
def test_arbitrary_json_is_refused_with_value_error_only(value):
    with pytest.raises(ValueError):
        Record.from_dict(value)


def test_a_regression_run_records_its_loss_and_no_accuracy():
    run = finish(new_run(Experiment(dataset="reg_plane", epochs=300, test=0.2)))
    record = run.record()
    assert record.status == "done" and record.exp.task == "regression"
    assert all(s.accuracy is None and s.test_accuracy is None for s in record.snapshots)
    assert record.last.test_loss is not None and record.predictions == "" and record.epochs_to_100 is None
    assert record.grid.span == (-1.0, 1.0)
    back = Record.from_json(record.to_json())
    assert back == record and back.grid.span == (-1.0, 1.0)
    d = json.loads(record.to_json())
    assert d["snapshots"]["accuracy"] == [None] * len(record.snapshots) and d["grid"]["span"] == [-1.0, 1.0]
    # the grid is the output to 2/255 of the span, row 0 the lowest x2
    dom = record.grid.domain
    corner = run.net.forward(np.array([[dom[0] + (dom[1] - dom[0]) / 96, dom[2] + (dom[3] - dom[2]) / 96]]))[0, 0]
    assert record.grid.values[0, 0] == pytest.approx(np.clip(corner, -1, 1), abs=1 / 255)


def test_a_run_with_features_and_no_hidden_layer_round_trips():
    exp = Experiment(dataset="circle", hidden=(), features=("x1", "x2", "x1sq", "x2sq"), epochs=200)
    record = finish(new_run(exp)).record()
    d = record.to_dict()
    assert d["experiment"]["hidden"] == "0" and d["experiment"]["features"] == "x1,x2,x1sq,x2sq"
    assert Record.from_json(record.to_json()) == record and "span" not in d["grid"]
    assert len(record.last.grad_norms) == 1


def test_an_old_record_reads_back_as_it_was():
    # written before features and the regression sets: no "features" key, a grid without "span"
    d = finish(new_run(Experiment(dataset="xor", epochs=20))).record().to_dict()
    del d["experiment"]["features"]
    old = Record.from_dict(d)
    assert old.exp == Experiment(dataset="xor", epochs=20) and old.grid.span == (0.0, 1.0)


def test_an_edited_run_records_its_edits_and_round_trips():
    run = finish(new_run(Experiment(dataset="xor", epochs=50)))
    run.edit([(2, 3, 1, "2.5"), (1, None, 4, -1)])
    record = run.record()
    assert record.edits == tuple(run.edits) and len(record.edits) == 2
    d = record.to_dict()
    assert d["edits"][1] == {"epoch": 50, "layer": 1, "i": None, "j": 4, "old": run.edits[1].old, "new": -1.0}
    assert Record.from_json(record.to_json()) == record
    assert record.thinned(2).edits == record.edits


def test_a_record_never_edited_is_written_as_before_and_old_records_have_no_edits():
    d = finish(new_run(Experiment(dataset="xor", epochs=20))).record().to_dict()
    assert "edits" not in d  # as every record written before edits existed
    assert Record.from_dict(d).edits == ()


@pytest.mark.parametrize("bad, words", [
    ("x", "'edits' must be a list"),
    ([{"epoch": 1, "layer": 1, "i": 1, "j": 1, "old": 0.0, "new": 1.0}] * 101, "a list of at most 100"),
    (["x"], "each edit must be an object"),
    ([{"epoch": 1, "layer": 0, "i": 1, "j": 1, "old": 0.0, "new": 1.0}], "layer must be a whole number from 1"),
    ([{"epoch": 1, "layer": 1, "i": 1, "j": 1, "old": "NaN!", "new": 1.0}], "is not a number"),
    ([{"epoch": 1, "layer": 1, "i": 1, "j": 1, "old": 0.0}], "new must be a number"),
])
def test_damaged_edits_are_a_value_error_naming_them(bad, words):
    d = finish(new_run(Experiment(dataset="xor", epochs=20))).record().to_dict()
    with pytest.raises(ValueError, match=words):
        Record.from_dict(d | {"edits": bad})
