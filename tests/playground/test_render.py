"""What is drawn from a shared finished run is computed once per process, and only while the run is unchanged."""

import io
import threading
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from lab.experiment import Experiment
from lab.run import finish, new_run
from playground import shared
from playground.charts import frame
from playground.render import RenderMemo, arrow_bytes, per_run
from playground.sections import Display, live
from playground.sections.prediction import prediction_rows


def finished(exp, data=None):
    """The page's finished run of ``exp``: followed to the end of its shared job."""
    run, following = shared.finished_run(exp, data)
    following.job.result(60)
    following.take(run)
    return run


def read(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(io.BytesIO(data)).read_all()


def test_get_computes_once_then_returns_the_kept_value():
    memo, calls = RenderMemo(), []
    assert memo.get("a", "x", lambda: calls.append(1) or 41) == 41
    assert memo.get("a", "x", lambda: calls.append(1) or 99) == 41
    assert (len(calls), memo.hits, memo.misses) == (1, 1, 1)


def test_least_recently_used_run_is_dropped():
    memo = RenderMemo(max_runs=2)
    memo.get("a", "x", lambda: 1)
    memo.get("b", "x", lambda: 2)
    memo.get("a", "x", lambda: 0)  # a is used again: b is now the oldest
    memo.get("c", "x", lambda: 3)
    assert len(memo) == 2
    assert memo.get("b", "x", lambda: "recomputed") == "recomputed"
    assert memo.get("a", "x", lambda: "recomputed") == "recomputed"  # dropped when b came back
    with pytest.raises(ValueError, match="max_runs"):
        RenderMemo(0)


def test_a_class_asking_at_once_computes_once():
    memo, calls, barrier = RenderMemo(), [], threading.Barrier(16)

    def slow():
        calls.append(1)
        time.sleep(0.05)
        return object()

    results = []

    def visitor():
        barrier.wait()
        results.append(memo.get("run", "grid", slow))

    threads = [threading.Thread(target=visitor) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert len({id(r) for r in results}) == 1


def test_a_failed_computation_keeps_nothing():
    memo = RenderMemo()
    with pytest.raises(ZeroDivisionError):
        memo.get("a", "x", lambda: 1 / 0)
    assert memo.get("a", "x", lambda: 2) == 2


def test_per_run_memoises_only_runs_with_an_origin():
    memo, calls = RenderMemo(), []

    @per_run(lambda: memo)
    def double(run, k, *, scale=1):
        calls.append(k)
        return run.value * k * scale

    class R:
        origin, value = None, 3

    r = R()
    assert double(r, 2) == double(r, 2) == 6 and len(calls) == 2  # no origin: computed every time
    r.origin = "key"
    assert double(r, 2) == double(r, 2) == 6 and len(calls) == 3
    assert double(r, 2, scale=10) == 60 and double(r, 5) == 15 and len(calls) == 5  # other arguments, other values


def test_training_clears_the_origin():
    run = new_run(Experiment(dataset="xor", epochs=20))
    run.origin = "shared"
    for _ in run.advance(5):
        pass
    assert run.origin is None


def test_finished_runs_carry_their_cache_key_and_their_data():
    exp = Experiment(dataset="xor", epochs=30)
    run = finished(exp)
    assert run.origin == exp and run.finished  # the frozen experiment names the run
    custom = exp.with_(dataset="custom")
    a = finished(custom, run.data)
    shifted = type(run.data)(run.data.name, run.data.X + 0.01, run.data.y)
    b = finished(custom, shifted)
    assert a.origin[0] == custom and a.origin != b.origin


def test_shared_drawing_equals_a_fresh_one():
    exp = Experiment(dataset="xor", epochs=200)
    shared_run = finished(exp)
    own = finish(new_run(exp))
    assert own.origin is None
    for display in (Display(), Display(log_scale=True, discretize=True)):
        for fn in (live.loss_spec, live.decision_spec):
            a, b = fn(shared_run, display), fn(own, display)
            assert a.keys() == b.keys() and a["datasets"].keys() == b["datasets"].keys()
            for name in a["datasets"]:
                assert read(a["datasets"][name]).equals(read(b["datasets"][name])), (fn.__name__, name)
            assert fn(shared_run, display) is fn(shared_run, display)  # kept, not recomputed
    table, correct = prediction_rows(shared_run)
    assert not correct.flags.writeable  # shared between visitors: nobody may change it
    assert table.equals(prediction_rows(own)[0])


def test_arrow_bytes_round_trip_keeps_names_types_and_missing_values():
    df = frame("grid", {"x": np.array([0.5, np.inf, 2.0]), "label": np.array(["0", "1", "0"])})
    table = read(arrow_bytes(df))
    assert table.column_names == ["x", "label"]
    assert table.column("x").type == pa.float32()
    assert table.column("x").to_pylist() == [0.5, None, 2.0]  # inf was made NaN, which Arrow reads back
    pd.testing.assert_frame_equal(table.to_pandas(), df, check_dtype=False)


def test_a_copy_is_independent_but_shares_the_data_and_the_snapshots():
    run = finish(new_run(Experiment(dataset="xor", epochs=100)))
    run.origin = "shared"
    own = run.copy()
    assert own.origin == "shared" and own.data is run.data and own.snapshots[0] is run.snapshots[0]
    before, snaps = run.net.params.copy(), len(run.snapshots)
    for _ in own.advance(50):  # the visitor trains on: the shared run must not move
        pass
    assert own.epoch == 150 and run.epoch == 100 and len(run.snapshots) == snaps
    np.testing.assert_array_equal(run.net.params, before)
    assert own.origin is None and run.origin == "shared"
    fresh = finish(new_run(Experiment(dataset="xor", epochs=150)))  # resuming the copy = one run to 150
    np.testing.assert_array_equal(own.net.params, fresh.net.params)


def test_visitors_get_copies_of_one_shared_run():
    exp = Experiment(dataset="xor", epochs=40)
    a, b = finished(exp), finished(exp)
    assert a is not b and a.net is not b.net and a.snapshots[-1] is b.snapshots[-1]  # one job, two runs
    np.testing.assert_array_equal(a.net.params, b.net.params)
