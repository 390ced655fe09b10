"""Chart builders, checked through their Vega-Lite dicts and the frames they carry.

``chart.to_dict()`` validates against the Vega-Lite schema; ``vega_spec`` gives the same spec with the
frames as DataFrames under their stable names, which is how the data checks below read them. The last
part checks that a spec apart from its frames depends only on the structure of the builder's arguments
(``playground.render.structure``), and the cache built on that.
"""

from __future__ import annotations

import base64
import importlib
import inspect
import json
import pkgutil
import typing
from collections.abc import Callable

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from test_raster import decode_png

import playground.charts as charts_package
from playground.charts import BLUE, GOLD, ORANGE, RED, Figure, plane, vega_spec
from playground.charts.raster import linear_rgb
from playground.render import SpecCache, arrow_bytes, structure


def discovered() -> dict[str, Callable[..., Figure]]:
    """Every public function of playground.charts' modules that returns a `Figure` (a builder), by name."""
    found = {}
    for info in pkgutil.iter_modules(charts_package.__path__):
        module = importlib.import_module(f"{charts_package.__name__}.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and fn.__module__ == module.__name__ \
                    and typing.get_type_hints(fn).get("return") is Figure:
                found[name] = fn
    return found


BUILDERS = discovered()


class _Charts:
    """``charts.decision_chart(...)``: the builder's Altair chart, as the checks below read them."""

    def __getattr__(self, name: str) -> Callable[..., alt.TopLevelMixin]:
        return lambda *a, **k: BUILDERS[name](*a, **k).chart()


charts = _Charts()

RNG_SEED = 0


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(RNG_SEED)


def grid(gx: int, gy: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cell edges over [0, 1]² and a P(class 1) that rises with x2 − x1: (gx+1,), (gy+1,), (gy, gx)."""
    xs, ys = np.linspace(0, 1, gx + 1), np.linspace(0, 1, gy + 1)
    cx, cy = np.meshgrid((xs[:-1] + xs[1:]) / 2, (ys[:-1] + ys[1:]) / 2)
    return xs, ys, 1 / (1 + np.exp(-8 * (cy - cx)))


def linear_data(rng: np.random.Generator, n: int = 40) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The lab's generate_linear labels (0 if x1 > x2) as (n, 1), and predictions with 3 flipped."""
    X = rng.uniform(0, 1, (n, 2))
    y = (X[:, 0] <= X[:, 1]).astype(int)[:, None]
    pred = y.ravel().copy()
    pred[[1, 5, 7]] ^= 1
    return X, y, pred


def layers_by_mark(spec: dict) -> dict[str, dict]:
    """{mark type: layer} of a layered spec's own layers (a layer that is itself a group of layers is left out)."""
    return {
        (lay["mark"]["type"] if isinstance(lay["mark"], dict) else lay["mark"]): lay for lay in spec["layer"]
        if "mark" in lay
    }


def weights(rng: np.random.Generator, sizes: list[int]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    Ws = [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    return Ws, [rng.normal(size=b) for b in sizes[1:]]


def space_args(rng: np.random.Generator, n: int = 20, lines: int = 4, samples: int = 9) -> tuple:
    """A hidden space's lattice (2·lines, samples, 2), points (n, 2) and their labels."""
    return rng.uniform(-1, 1, (2 * lines, samples, 2)), rng.uniform(-1, 1, (n, 2)), rng.integers(0, 2, n)


def space_kwargs(rng: np.random.Generator) -> dict:
    return dict(extent=np.array([-1.1, 1.1, -1.1, 1.1]), titles=("h2.1", "h2.2"),
                boundary=rng.uniform(-1, 1, (2, 2)), background=rng.uniform(size=(6, 6)))


# --- every builder yields a schema-valid spec ---------------------------------------------------------


def all_charts(rng: np.random.Generator) -> dict[str, tuple[str, alt.TopLevelMixin]]:
    """{case: (builder name, its chart)}: every builder at least once."""
    ep = np.arange(1, 3001)
    loss = 0.25 * np.exp(-ep / 500) + 1e-3
    X, y, pred = linear_data(rng)
    xs, ys, probs = grid(12, 10)
    Ws, bs = weights(rng, [2, 4, 3, 1])
    panel = dict(xs=xs, ys=ys, probs=probs, X=X, y=y, pred=pred)
    cases = {
        "loss": ("loss_chart", (ep, loss, loss * 1.2), dict(log_scale=True)),
        "grad": ("grad_flow_chart", (ep, list(np.abs(rng.normal(size=(3, ep.size))))), {}),
        "overlay": ("overlay_loss_chart", ({"a": (ep, loss), "b": (ep, 2 * loss)},), {}),
        "decision": ("decision_chart", (xs, ys, probs, X, y, pred), dict(is_test=np.arange(40) % 4 == 0, p=X[:, 1])),
        "decision_regression": ("decision_chart", (xs, ys, 2 * probs - 1, X, X[:, 1] - X[:, 0], X[:, 1] - X[:, 0] + 0.1),
                                dict(is_test=np.arange(40) % 4 == 0, task="regression", select=True)),
        "labels": ("labels_chart", (X, y), dict(title="Ground truth")),
        "small_multiples_regression": ("small_multiples_chart", ([dict(panel, name="one", probs=2 * probs - 1,
                                                                       y=X[:, 0], pred=None, task="regression",
                                                                       loss=np.array([0.01]))],),
                                       dict(domain=(0, 1, 0, 1))),
        "small_multiples": ("small_multiples_chart", ([dict(panel, name="one"), dict(panel, name="two")],),
                            dict(domain=(0, 1, 0, 1))),
        "network": ("network_chart", (Ws, bs), {}),
        "network_marked": ("network_chart", (Ws, bs), dict(marked=("dW1", "db2"))),
        "network_focus": ("network_chart", (Ws, bs), dict(marked=("dW1",), focus=np.arange(10) % 3 == 0)),
        "network_inputs": ("network_chart", (Ws, bs), dict(input_maps=rng.normal(size=(6, 6, 2)),
                                                           focus=np.arange(10) % 3 == 0)),
        "fit": ("fit_chart", (X[:, 0] - X[:, 1], X[:, 0] - X[:, 1] + 0.1), {}),
        "neuron_maps": ("neuron_maps_chart", (xs, ys, [rng.normal(size=(10, 12, 4)), rng.normal(size=(10, 12, 3))]),
                        {}),
        "landscape": ("landscape_chart", (np.array([0.1, 0.3, 0.9]), np.array([0.01, 0.2, np.nan]),
                                          np.array(["a", "b", "a"], dtype=object), np.array(["x", "y", "z"], dtype=object)),
                      dict(x_title="lr", colour_title="hidden", log_x=True)),
        "network_select": ("network_chart", (Ws, bs), dict(select=True, focus=np.arange(10) % 4 == 0)),
        "loss_edits": ("loss_chart", (ep, loss), dict(edits=np.array([100.0, 100.0, 2500.0]))),
        "hidden_space": ("hidden_space_chart", space_args(rng), space_kwargs(rng)),
        "hidden_space_plain": ("hidden_space_chart", space_args(rng), dict(extent=np.array([-1.0, 1, -1, 1]),
                                                                       titles=("PC1", "PC2"))),
    }
    return {case: (name, getattr(charts, name)(*args, **kw)) for case, (name, args, kw) in cases.items()}


CHART_CASES = all_charts(np.random.default_rng(RNG_SEED))


def test_builders_are_discovered():
    # a builder is found by what it returns, in any module of the package
    assert {"loss_chart", "decision_chart", "network_chart", "landscape_chart"} <= set(BUILDERS)
    assert "vega_spec" not in BUILDERS and "neuron_names" not in BUILDERS


def test_every_builder_has_a_case():
    assert {name for name, _ in CHART_CASES.values()} == set(BUILDERS)


@pytest.mark.parametrize("case", list(CHART_CASES))
def test_every_builder_validates(rng: np.random.Generator, case: str) -> None:
    chart = all_charts(rng)[case][1]
    spec = chart.to_dict()  # raises on a schema error
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")
    assert vega_spec(chart, validate=True)["datasets"]  # the named-frame form validates too
    json.dumps(chart.to_dict())  # plain JSON, no numpy scalars left


def test_numeric_columns_are_float32(rng: np.random.Generator) -> None:
    for name, (_, chart) in all_charts(rng).items():
        for frame_name, df in vega_spec(chart)["datasets"].items():
            numeric = [c for c in df.columns if df[c].dtype.kind in "iuf"]
            assert all(df[c].dtype == np.float32 for c in numeric), (name, frame_name, df.dtypes.to_dict())


def test_loss_chart_long_form_from_inputs() -> None:
    ep = np.arange(1, 101)
    train, test = 1 / ep, 2 / ep
    spec = vega_spec(charts.loss_chart(ep, train, test))
    df = spec["datasets"]["loss"]
    assert list(df.columns) == ["epoch", "loss", "series"]
    assert sorted(df["series"].unique()) == ["test", "train"] and len(df) == 200
    np.testing.assert_allclose(df.loc[df.series == "test", "loss"], 2 / ep, rtol=1e-6)
    assert spec["width"] == "container" and spec["autosize"]["type"] == "fit-x"
    line = layers_by_mark(spec)["line"]
    assert line["encoding"]["y"]["field"] == "loss" and line["encoding"]["color"]["field"] == "series"
    (hover,) = spec["params"]
    assert hover["name"] == "hover" and hover["select"]["nearest"] is True
    assert "log" not in json.dumps(line["encoding"]["y"].get("scale", {}))


def test_loss_chart_train_only_and_downsampled() -> None:
    ep = np.arange(1, 20_001)
    df = vega_spec(charts.loss_chart(ep, 1 / ep, max_points=300))["datasets"]["loss"]
    assert set(df["series"]) == {"train"} and len(df) <= 300
    assert df["epoch"].iloc[0] == 1 and df["epoch"].iloc[-1] == 20_000


def test_loss_chart_log_scale_drops_what_a_log_axis_cannot_show() -> None:
    ep = np.arange(6)
    train = np.array([1.0, 0.5, 0.0, -1e-3, np.nan, 0.1])
    spec = vega_spec(charts.loss_chart(ep, train, log_scale=True))
    assert layers_by_mark(spec)["line"]["encoding"]["y"]["scale"]["type"] == "log"
    np.testing.assert_allclose(spec["datasets"]["loss"]["loss"], [1.0, 0.5, 0.1])
    # on a linear axis only the non-finite value goes (a diverged run must not wreck the axis)
    lin = vega_spec(charts.loss_chart(ep, train))["datasets"]["loss"]
    assert len(lin) == 5


def test_grad_flow_chart_one_series_per_layer_log_by_default(rng: np.random.Generator) -> None:
    norms = np.abs(rng.normal(size=(50, 4)))
    norms[3, 2] = 0.0
    spec = vega_spec(charts.grad_flow_chart(np.arange(50), list(norms.T)))
    df = spec["datasets"]["grad"]
    assert sorted(df["layer"].unique()) == ["W1", "W2", "W3", "W4"]
    assert len(df) == 50 * 4 - 1
    assert layers_by_mark(spec)["line"]["encoding"]["y"]["scale"]["type"] == "log"
    np.testing.assert_allclose(df.loc[df.layer == "W1", "norm"], norms[:, 0], rtol=1e-6)
    linear = vega_spec(charts.grad_flow_chart(np.arange(50), list(norms.T), log_scale=False))
    assert len(linear["datasets"]["grad"]) == 200


def test_overlay_loss_chart_legend_selection_named_run() -> None:
    ep = np.arange(1, 2001)
    runs = {"lr 0.1": (ep, 1 / ep), "lr 0.9": (ep[:500], 3 / ep[:500])}
    spec = vega_spec(charts.overlay_loss_chart(runs, max_points=100))
    line = layers_by_mark(spec)["line"]
    (run,) = [p for p in spec["params"] if p["name"] == "run"]  # Altair lifts params to the top
    assert run["bind"] == "legend" and run["select"]["fields"] == ["run"] and run["views"] == ["lines"]
    assert line["encoding"]["opacity"]["condition"][0]["param"] == "run"
    assert line["encoding"]["color"]["scale"]["domain"] == ["lr 0.1", "lr 0.9"]
    df = spec["datasets"]["runs"]
    assert set(df["run"]) == set(runs)
    assert (df["run"] == "lr 0.1").sum() <= 100 and df.loc[df.run == "lr 0.9", "epoch"].max() == 500


# --- the plane -----------------------------------------------------------------------------------------


def test_decision_chart_regions_are_one_picture_of_the_grid(rng: np.random.Generator) -> None:
    X, y, pred = linear_data(rng)
    xs, ys, probs = grid(7, 5)
    spec = vega_spec(charts.decision_chart(xs, ys, probs, X, y, pred))
    (picture,) = spec["datasets"]["regions"].to_dict("records")
    assert (picture["x1_lo"], picture["x1_hi"], picture["x2_lo"], picture["x2_hi"]) == pytest.approx(
        (xs[0], xs[-1], ys[0], ys[-1]))  # the picture spans the grid
    pixels = decode_png(base64.b64decode(picture["url"].removeprefix("data:image/png;base64,")))
    assert pixels.shape == (5, 7, 3)  # one pixel a cell
    np.testing.assert_array_equal(pixels[::-1], linear_rgb(probs, [0.0, 0.5, 1.0], ["#eb9394", "#ffffff",
                                                                                   "#8fbbd9"]))  # top = highest x2
    # a grid this small is its own click targets: one invisible rect a cell, carrying P for the tooltip
    cells = spec["datasets"]["cells"]
    assert len(cells) == 7 * 5
    np.testing.assert_allclose(cells["x1_lo"][:7], xs[:-1], atol=1e-7)
    np.testing.assert_allclose(cells["x2_hi"][::7], ys[1:], atol=1e-7)
    np.testing.assert_allclose(cells["p"].to_numpy().reshape(5, 7), probs, rtol=1e-6)

    marks = layers_by_mark(spec)
    image, targets = marks["image"], marks["rect"]
    for lay in (image, targets):
        enc = lay["encoding"]
        assert (enc["x"]["field"], enc["x2"]["field"], enc["y"]["field"], enc["y2"]["field"]) == (
            "x1_lo", "x1_hi", "x2_lo", "x2_hi")
    assert image["mark"]["smooth"] is False and image["mark"]["aspect"] is False
    assert targets["mark"]["opacity"] == 0
    scale = targets["encoding"]["color"]["scale"]
    assert scale["domain"] == [0.0, 0.5, 1.0] and scale["interpolate"] == "rgb"  # the legend is the picture's
    assert spec["resolve"]["scale"]["color"] == "independent"
    # without a domain every layer shares a non-nice scale the browser fits to the data, so no coordinates
    for lay in marks.values():
        assert lay["encoding"]["x"]["scale"] == {"nice": False, "zero": False}


def test_a_fine_grid_clicks_on_coarse_targets_and_the_cells_under_the_pointer(rng: np.random.Generator) -> None:
    X, y, pred = linear_data(rng)
    xs, ys, probs = grid(72, 72)
    spec = vega_spec(charts.decision_chart(xs, ys, probs, X, y, pred, select=True))
    cells = spec["datasets"]["cells"]
    assert len(cells) == 24 * 24  # 5,184 cells, 576 targets
    np.testing.assert_allclose(cells["p"].to_numpy().reshape(24, 24), probs[1::3, 1::3], rtol=1e-6)  # centres
    params = {p["name"]: p for p in spec["params"]}  # Altair lifts a layer's selections to the top
    assert params["click"]["select"]["fields"] == ["x1_lo", "x1_hi", "x2_lo", "x2_hi"]  # what the page reads
    assert params["click_point"]["select"]["fields"] == ["x1", "x2"]
    assert params["hover"]["select"]["on"] == "@targets_marks:pointerover"
    fine = [lay for lay in spec["layer"] if "sequence" in lay.get("data", {})]
    assert len(fine) == 1 and fine[0]["data"]["sequence"]["stop"] == 9  # the 3 × 3 cells of the target


def test_decision_chart_points_mark_truth_prediction_and_mistakes(rng: np.random.Generator) -> None:
    X, y, pred = linear_data(rng)
    is_test = np.arange(40) >= 30
    xs, ys, probs = grid(6, 6)
    p = rng.uniform(size=40)
    spec = vega_spec(charts.decision_chart(xs, ys, probs, X, y, pred, is_test=is_test, p=p))
    pts = spec["datasets"]["points"]
    assert len(pts) == 40
    assert pts["wrong"].sum() == (pred != y.ravel()).sum() == 3
    assert (pts["set"] == "test").sum() == 10
    assert pts["wrong"].iloc[-3:].all()  # drawn last, on top
    assert sorted(pts["p"]) == pytest.approx(sorted(p.astype(np.float32)))
    row = pts[(pts.x1 == np.float32(X[5, 0]))].iloc[0]
    assert (row["truth"], row["prediction"]) == (str(y[5, 0]), str(pred[5]))

    enc = layers_by_mark(spec)["point"]["encoding"]
    assert enc["fill"]["field"] == "truth" and enc["fill"]["scale"]["range"] == [RED, BLUE]
    assert enc["shape"]["field"] == "prediction" and enc["shape"]["scale"]["range"] == ["circle", "square"]
    assert enc["stroke"]["condition"][0] == {"test": "datum.wrong", "value": "black"}
    assert "P(class 1)" in [t.get("title") for t in enc["tooltip"]]


def test_decision_chart_discretize_and_domain(rng: np.random.Generator) -> None:
    X, y, pred = linear_data(rng)
    xs, ys, probs = grid(4, 4)
    spec = charts.decision_chart(xs, ys, probs, X, y, pred, discretize=True, domain=(-1, 2, -3, 4)).to_dict()
    rect = layers_by_mark(spec)["rect"]["encoding"]
    assert rect["color"]["scale"]["type"] == "threshold" and rect["color"]["scale"]["domain"] == [0.5]
    assert rect["x"]["scale"]["domain"] == [-1.0, 2.0] and rect["y"]["scale"]["domain"] == [-3.0, 4.0]
    url = plane.decision_chart(xs, ys, probs, X, y, pred, discretize=True).frames["regions"]["url"][0]
    pixels = decode_png(base64.b64decode(url.removeprefix("data:image/png;base64,")))[::-1]
    assert ((pixels == [0x8F, 0xBB, 0xD9]).all(axis=2) == (probs >= 0.5)).all()  # blue from 0.5 on, else red
    # every layer on the plane shares the explicit, non-nice domain
    for lay in spec["layer"]:
        assert lay["encoding"]["y"]["scale"] == {"domain": [-3.0, 4.0], "nice": False, "zero": False}


def test_decision_chart_rejects_mismatched_shapes(rng: np.random.Generator) -> None:
    X, y, pred = linear_data(rng)
    xs, ys, probs = grid(4, 3)
    with pytest.raises(ValueError, match="probs"):
        charts.decision_chart(xs, ys, probs.T, X, y, pred)
    with pytest.raises(ValueError, match="X must be"):
        charts.decision_chart(xs, ys, probs, X[:, :1], y, pred)


def test_small_multiples_share_axes_and_colours(rng: np.random.Generator) -> None:
    X, y, pred = linear_data(rng)
    xs, ys, probs = grid(5, 5)
    panels = [
        dict(name=f"run {i}", xs=xs, ys=ys, probs=probs * (i + 1) / 3, X=X, y=y, pred=y) for i in range(3)
    ]
    panels[2]["pred"] = pred
    spec = vega_spec(charts.small_multiples_chart(panels, domain=(-0.1, 1.1, -0.1, 1.1), size=150))
    assert spec["columns"] == 3 and len(spec["concat"]) == 3
    assert set(spec["datasets"]) == {f"{kind}_{i}" for kind in ("regions", "points", "info") for i in range(3)}
    url = spec["datasets"]["regions_1"]["url"].iloc[0]
    pixels = decode_png(base64.b64decode(url.removeprefix("data:image/png;base64,")))
    np.testing.assert_array_equal(pixels[::-1], linear_rgb(probs * 2 / 3, [0.0, 0.5, 1.0],
                                                           ["#eb9394", "#ffffff", "#8fbbd9"]))
    # each panel's accuracy is a one-row frame drawn by a text mark, so the spec holds no accuracy
    accuracies = [float(spec["datasets"][f"info_{i}"]["accuracy"].iloc[0]) for i in range(3)]
    assert accuracies == pytest.approx([1.0, 1.0, 0.925])
    assert [panel["title"]["text"] for panel in spec["concat"]] == ["run 0", "run 1", "run 2"]
    for i, panel in enumerate(spec["concat"]):
        assert panel["width"] == 150
        marks = layers_by_mark(panel)
        assert "rect" not in marks  # a picture per panel, no targets: the board's panels take no clicks
        for mark in ("image", "point"):
            assert marks[mark]["encoding"]["x"]["scale"]["domain"] == [-0.1, 1.1]
        assert marks["point"]["encoding"]["fill"]["legend"] is None
        assert marks["text"]["data"] == {"name": f"info_{i}"} and marks["text"]["encoding"]["text"]["field"] == "text"
    with pytest.raises(ValueError):
        charts.small_multiples_chart([], domain=(0, 1, 0, 1))


def test_a_regression_map_is_the_output_over_minus_one_to_one_and_the_points_their_targets(rng) -> None:
    X = rng.uniform(0, 1, (30, 2))
    target, predicted = X[:, 0] - X[:, 1], X[:, 0] - X[:, 1] + rng.normal(0, 0.2, 30)
    predicted[4] = target[4] + 1.5  # the worst point: drawn last, on top
    xs, ys, probs = grid(6, 6)
    values = 2 * probs - 1.2  # reaches below −1: clamped to red
    spec = vega_spec(charts.decision_chart(xs, ys, values, X, target, predicted[:, None],
                                           is_test=np.arange(30) >= 25, task="regression"))
    assert spec["title"]["text"] == "Output" and "class" not in json.dumps(spec["title"])
    pixels = decode_png(base64.b64decode(spec["datasets"]["regions"]["url"][0].removeprefix("data:image/png;base64,")))
    np.testing.assert_array_equal(pixels[::-1], linear_rgb(values, [-1.0, 0.0, 1.0], ["#eb9394", "#ffffff", "#8fbbd9"]))
    pts = spec["datasets"]["points"]
    assert list(pts.columns) == ["x1", "x2", "target", "set", "predicted", "error"]
    np.testing.assert_allclose(pts["error"], pts["predicted"] - pts["target"], atol=1e-6)
    assert pts["target"].iloc[-1] == pytest.approx(target[4], abs=1e-6)  # the largest error on top
    assert (pts["set"] == "test").sum() == 5
    marks = layers_by_mark(spec)
    legend = marks["rect"]["encoding"]["color"]
    assert legend["scale"]["domain"] == [-1.0, 0.0, 1.0] and legend["legend"]["title"] == "predicted value"
    dots = marks["point"]["encoding"]
    assert dots["fill"]["field"] == "target" and dots["fill"]["scale"] == {
        "domain": [-1.0, 0.0, 1.0], "range": [RED, "#ffffff", BLUE], "interpolate": "rgb"}
    assert dots["shape"]["field"] == "set" and dots["shape"]["scale"]["range"] == ["circle", "diamond"]
    assert {t["field"] for t in dots["tooltip"]} == {"x1", "x2", "target", "predicted", "error", "set"}
    assert "class" not in json.dumps(skeleton(spec)).lower() and "truth" not in json.dumps(skeleton(spec))


def test_discretize_splits_a_classifier_at_one_half_and_a_regression_at_zero(rng) -> None:
    X, y, pred = linear_data(rng)
    xs, ys, probs = grid(9, 9)
    for task, values, cut in (("classification", probs, 0.5), ("regression", 2 * probs - 1, 0.0)):
        target = y if task == "classification" else 2 * y - 1.0
        figure = plane.decision_chart(xs, ys, values, X, target, pred, discretize=True, task=task)
        pixels = decode_png(base64.b64decode(figure.frames["regions"]["url"][0].removeprefix("data:image/png;base64,")))
        colours = {tuple(c) for c in pixels.reshape(-1, 3)}
        assert colours == {(0xEB, 0x93, 0x94), (0x8F, 0xBB, 0xD9)}  # two flat tints, no gradient
        assert ((pixels[::-1] == [0x8F, 0xBB, 0xD9]).all(axis=2) == (values >= cut)).all()
        scale = layers_by_mark(figure.spec())["rect"]["encoding"]["color"]["scale"]
        assert scale == {"type": "threshold", "domain": [cut], "range": ["#eb9394", "#8fbbd9"]}  # the legend too
        panel = dict(name="a", xs=xs, ys=ys, probs=values, X=X, y=target, pred=pred, task=task)
        board = plane.small_multiples_chart([panel], domain=(0, 1, 0, 1), discretize=True)
        url = board.frames["regions_0"]["url"][0]
        assert url == figure.frames["regions"]["url"][0]  # a board's panel splits the same way


def test_a_regression_panel_shows_its_loss_not_an_accuracy(rng) -> None:
    X = rng.uniform(0, 1, (20, 2))
    xs, ys, probs = grid(5, 5)
    panel = dict(name="reg", xs=xs, ys=ys, probs=2 * probs - 1, X=X, y=X[:, 0], pred=None, task="regression",
                 loss=np.array([0.0123]))
    spec = vega_spec(charts.small_multiples_chart([panel], domain=(0, 1, 0, 1), title=False))
    assert list(spec["datasets"]["info_0"].columns) == ["loss"]
    assert spec["datasets"]["info_0"]["loss"][0] == pytest.approx(0.0123)
    text = layers_by_mark(spec["concat"][0])["text"]
    assert text["transform"][0]["calculate"].startswith("'loss '")
    assert list(spec["datasets"]["points_0"].columns) == ["x1", "x2", "target", "set"]  # no predictions known
    assert "accuracy" not in json.dumps(skeleton(spec))


def test_labels_chart_single_panel_at_container_width(rng: np.random.Generator) -> None:
    X, y, _ = linear_data(rng)
    spec = vega_spec(charts.labels_chart(X, y, title="Ground truth", domain=(0, 1, 0, 1)))
    assert spec["width"] == "container" and spec["title"] == "Ground truth"
    assert list(spec["datasets"]["labels"]["label"]) == [str(v) for v in y.ravel()]


def test_network_chart_one_edge_per_weight_and_a_bias_per_unit(rng: np.random.Generator) -> None:
    sizes = [2, 9, 4, 1]
    Ws, bs = weights(rng, sizes)
    bs[1] = bs[1][None, :]  # (1, fan_out) biases are accepted too
    spec = vega_spec(charts.network_chart(Ws, bs))
    edges, nodes = spec["datasets"]["edges"], spec["datasets"]["nodes"]
    assert len(edges) == sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) == 58
    assert len(nodes) == sum(sizes)
    with_bias = nodes[nodes["bias"].notna()]
    assert len(with_bias) == sum(sizes[1:]) == 14  # the output's bias included
    out = nodes[nodes["kind"] == "output"].iloc[0]
    assert out["bias"] == pytest.approx(bs[2][0], rel=1e-6) and out["label"] == f"b={bs[2][0]:+.2f}"
    assert list(nodes.loc[nodes.kind == "input", "name"]) == ["x1", "x2"]

    # w[2][3→4] is W2[2, 3] (1-based in the label, 0-based in numpy)
    row = edges[edges["weight"] == "w[2][3→4]"].iloc[0]
    assert row["w"] == pytest.approx(Ws[1][2, 3], rel=1e-6)
    assert (row["source"], row["target"]) == ("h1.3", "h2.4")
    assert set(edges["sign"]) == {"positive", "negative"}
    assert (edges["sign"] == "negative").sum() == sum(int((W < 0).sum()) for W in Ws)
    assert edges["width"].max() == pytest.approx(7.0) and edges["width"].min() >= 0.4

    marks = layers_by_mark(spec)
    rule = marks["rule"]["encoding"]
    assert rule["strokeWidth"] == {"field": "width", "scale": None, "type": "quantitative"}
    assert rule["color"]["scale"]["range"][:2] == [BLUE, ORANGE]
    assert [t["field"] for t in rule["tooltip"]][:2] == ["weight", "w"]
    assert "circle" in marks and "text" in marks


def test_network_chart_thins_dense_networks(rng: np.random.Generator) -> None:
    Ws, bs = weights(rng, [2, 32, 32, 32, 32, 1])
    spec = vega_spec(charts.network_chart(Ws, bs))
    edges, nodes = spec["datasets"]["edges"], spec["datasets"]["nodes"]
    assert len(edges) == 2 * 32 + 3 * 32 * 32 + 32
    assert edges["width"].max() <= 2.5 and edges["opacity"].max() <= 0.35 + 1e-6
    assert (nodes["label"].isin(["", "x1", "x2"])).all()  # no room for bias labels; tooltips keep them


def test_network_chart_marks_wrong_gradients(rng: np.random.Generator) -> None:
    Ws, bs = weights(rng, [2, 9, 4, 1])
    spec = vega_spec(charts.network_chart(Ws, bs, marked=("dW2", "db1", "db3")))
    edges, nodes = spec["datasets"]["edges"], spec["datasets"]["nodes"]
    # every weight of layer 2 (9 × 4 lines) and nothing else; the neurons of layers 1 and 3
    assert edges["marked"].sum() == 36 and set(edges.loc[edges.marked, "weight"].str[:4]) == {"w[2]"}
    assert list(nodes.loc[nodes.marked, "name"]) == [f"h1.{j}" for j in range(1, 10)] + ["out"]
    assert spec["title"]["subtitle"] == "red = wrong gradient: dW2, db1, db3"
    reds = [layer for layer in spec["layer"] if json.dumps(layer).count(RED)]
    assert len(reds) == 2 and all(layer["transform"][0] == {"filter": "datum.marked"} for layer in reds)
    plain = vega_spec(charts.network_chart(Ws, bs))
    assert not plain["datasets"]["edges"]["marked"].any() and "subtitle" not in json.dumps(plain["title"])
    assert len(plain["layer"]) == len(spec["layer"]) - 2  # unmarked: the diagram as it always was
    for bad in (("dW4",), ("W2",), ("db0",), ("dw2",)):
        with pytest.raises(ValueError, match="marked"):
            charts.network_chart(Ws, bs, marked=bad)


def test_network_chart_focuses_on_neurons_and_the_weights_between_them(rng: np.random.Generator) -> None:
    Ws, bs = weights(rng, [2, 9, 4, 1])
    focus = np.zeros(16, bool)
    focus[[0, 1, 3]] = True  # x1, x2 and h1.2: the weights into h1.2, as z of that unit uses them
    spec = vega_spec(charts.network_chart(Ws, bs, focus=focus))
    edges, nodes = spec["datasets"]["edges"], spec["datasets"]["nodes"]
    assert list(nodes.loc[nodes.focus, "name"]) == ["x1", "x2", "h1.2"]
    assert sorted(edges.loc[edges.focus, "weight"]) == ["w[1][1→2]", "w[1][2→2]"]
    golds = [layer for layer in spec["layer"] if json.dumps(layer).count(GOLD)]
    assert len(golds) == 2 and all(layer["transform"][0] == {"filter": "datum.focus"} for layer in golds)
    assert spec["title"] == "Network"  # no wrong gradients: no red subtitle
    unfocused = vega_spec(charts.network_chart(Ws, bs, focus=np.zeros(16, bool)))
    assert skeleton(unfocused) == skeleton(spec)  # moving the focus only changes the frames
    assert len(vega_spec(charts.network_chart(Ws, bs))["layer"]) == len(spec["layer"]) - 2
    with pytest.raises(ValueError, match="focus: expected one flag per neuron"):
        charts.network_chart(Ws, bs, focus=np.ones(15, bool))


def test_network_chart_draws_each_input_as_a_map_of_its_values(rng: np.random.Generator) -> None:
    Ws, bs = weights(rng, [3, 4, 1])
    xs, ys, probs = grid(6, 5)
    maps = np.stack([probs, 2 * probs - 1, np.full_like(probs, 0.3)], axis=2)  # the last is flat
    spec = vega_spec(charts.network_chart(Ws, bs, input_names=("x1", "x2", "x1sq"), input_maps=maps))
    inputs, nodes = spec["datasets"]["inputs"], spec["datasets"]["nodes"]
    assert list(inputs["name"]) == ["x1", "x2", "x1sq"]
    np.testing.assert_allclose(inputs["y"], nodes.loc[nodes.kind == "input", "y"])  # where the input neurons are
    assert (inputs["x"] == 0).all()
    np.testing.assert_allclose(inputs["low"], maps.min(axis=(0, 1)), rtol=1e-6)
    second = decode_png(base64.b64decode(inputs["url"][1].removeprefix("data:image/png;base64,")))[::-1]
    m = maps[:, :, 1]
    np.testing.assert_array_equal(second, linear_rgb((m - m.min()) / (m.max() - m.min()), [0, 0.5, 1],
                                                     [ORANGE, "#ffffff", BLUE]))
    flat = decode_png(base64.b64decode(inputs["url"][2].removeprefix("data:image/png;base64,")))
    assert (flat == 255).all()  # a constant input shows white
    (group,) = [lay for lay in spec["layer"] if "layer" in lay]  # the discs and the maps: one layer
    marks = [lay["mark"]["type"] for lay in group["layer"]]
    assert marks == ["circle", "image", "point"]
    assert group["layer"][0]["transform"] == [{"filter": "(datum.kind !== 'input')"}]  # no disc under a map
    rule = layers_by_mark(spec)["rule"]["encoding"]["color"]["scale"]
    assert rule["domain"] == ["positive", "negative"]  # no grey "input" in the legend
    with pytest.raises(ValueError, match="input_maps"):
        charts.network_chart(Ws, bs, input_maps=maps[:, :, :2])


def test_network_chart_weights_take_a_click_naming_the_weight(rng: np.random.Generator) -> None:
    Ws, bs = weights(rng, [2, 9, 4, 1])
    spec = vega_spec(charts.network_chart(Ws, bs, select=True))
    edges = spec["datasets"]["edges"]
    row = edges[edges["weight"] == "w[2][3→4]"].iloc[0]
    assert (row["x_to"], row["i"], row["j"]) == (2, 3, 4)  # what the click selects names the weight
    assert spec["params"] == [{"name": "edge", "select": {"type": "point", "fields": ["x_to", "i", "j"], "on": "click"},
                               "views": ["edge_targets"]}]
    hits = next(layer for layer in spec["layer"] if layer.get("name") == "edge_targets")
    assert hits["mark"]["opacity"] == 0 and hits["mark"]["strokeWidth"] >= 8  # invisible, wide enough to hit
    assert hits["data"] == {"name": "edges"}  # the weights' own frame: no more data sent
    plain = vega_spec(charts.network_chart(Ws, bs))
    assert "params" not in plain and len(plain["layer"]) == len(spec["layer"]) - 1


def test_loss_chart_marks_the_epochs_where_weights_were_edited() -> None:
    ep = np.arange(0, 301)
    spec = vega_spec(charts.loss_chart(ep, 1 / (ep + 1), edits=np.array([100.0, 100.0, 300.0])))
    marks = spec["datasets"]["edits"]
    assert list(marks["epoch"]) == [100, 300]
    assert list(marks["what"]) == ["2 weights edited by hand", "1 weight edited by hand"]
    rules = [layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"]
    assert len(rules) == 1 and rules[0]["data"] == {"name": "edits"}
    assert "edits" not in vega_spec(charts.loss_chart(ep, 1 / (ep + 1)))["datasets"]


def test_hidden_space_chart_draws_the_lattice_by_line_and_the_points_by_class(rng: np.random.Generator) -> None:
    lines, points, truth = space_args(rng, n=12, lines=3, samples=5)
    spec = vega_spec(charts.hidden_space_chart(lines, points, truth, **space_kwargs(rng)))
    lattice, dots = spec["datasets"]["lattice"], spec["datasets"]["points"]
    assert len(lattice) == 6 * 5 and list(lattice["line"][:6]) == [0] * 5 + [1]
    np.testing.assert_allclose(lattice[["u", "v"]].to_numpy(), lines.reshape(-1, 2).astype(np.float32))
    assert list(lattice["direction"].unique()) == ["x1 fixed", "x2 fixed"] and (lattice["direction"] == "x1 fixed").sum() == 15
    np.testing.assert_allclose(dots[["u", "v"]].to_numpy(), points.astype(np.float32))
    assert list(dots["truth"]) == [str(t) for t in truth] and list(dots["point"]) == list(range(1, 13))
    assert list(spec["datasets"]["extent"]["u"]) == pytest.approx([-1.1, 1.1])
    assert spec["datasets"]["background"]["url"][0].startswith("data:image/png;base64,")
    assert len(spec["datasets"]["boundary"]) == 2
    line_layer = next(layer for layer in spec["layer"] if layer["data"] == {"name": "lattice"})
    assert line_layer["encoding"]["detail"]["field"] == "line" and line_layer["encoding"]["order"]["field"] == "k"
    plain = vega_spec(charts.hidden_space_chart(lines, points, truth, extent=np.zeros(4), titles=("PC1", "PC2")))
    assert set(plain["datasets"]) == {"lattice", "points", "extent"}
    with pytest.raises(ValueError, match="one label per point"):
        charts.hidden_space_chart(lines, points, truth[:3], extent=np.zeros(4), titles=("a", "b"))
    with pytest.raises(ValueError, match="lines must be"):
        charts.hidden_space_chart(lines[:3], points, truth, extent=np.zeros(4), titles=("a", "b"))


def test_network_chart_rejects_inconsistent_shapes(rng: np.random.Generator) -> None:
    Ws, bs = weights(rng, [2, 3, 1])
    with pytest.raises(ValueError):
        charts.network_chart(Ws, bs[:1])
    with pytest.raises(ValueError):
        charts.network_chart([Ws[0], Ws[1].T], bs)


# --- the neuron maps -----------------------------------------------------------------------------------


def test_neuron_maps_one_picture_per_hidden_unit(rng: np.random.Generator) -> None:
    xs, ys, _ = grid(6, 5)
    maps = [rng.normal(size=(5, 6, 3)) * 4 + 1, np.tanh(rng.normal(size=(5, 6, 2)))]
    spec = vega_spec(charts.neuron_maps_chart(xs, ys, maps, size=60))
    assert len(spec["vconcat"]) == 2  # a row per hidden layer
    first = spec["datasets"]["maps_1"]
    assert list(first["panel"]) == ["L1·n1", "L1·n2", "L1·n3"] and len(spec["datasets"]["maps_2"]) == 2
    # each map scaled to its own min → max, its raw range kept for the tooltip
    m = maps[0][:, :, 1]
    assert (first["low"][1], first["high"][1]) == pytest.approx((m.min(), m.max()), rel=1e-6)
    pixels = decode_png(base64.b64decode(first["url"][1].removeprefix("data:image/png;base64,")))
    scaled = (m - m.min()) / (m.max() - m.min())
    np.testing.assert_array_equal(pixels[::-1], linear_rgb(scaled, [0, 0.5, 1], [ORANGE, "#ffffff", BLUE]))
    row = spec["vconcat"][0]
    assert row["facet"]["sort"] == ["L1·n1", "L1·n2", "L1·n3"] and row["spec"]["width"] == 60
    assert row["spec"]["mark"]["type"] == "image"


def test_neuron_maps_single_layer_and_a_flat_map(rng: np.random.Generator) -> None:
    xs, ys, _ = grid(24, 24)
    maps = [np.concatenate([np.ones((24, 24, 1)), rng.normal(size=(24, 24, 31))], axis=2)]
    spec = vega_spec(charts.neuron_maps_chart(xs, ys, maps))
    assert "facet" in spec and "vconcat" not in spec
    df = spec["datasets"]["maps_1"]
    assert len(df) == 32  # one picture a neuron, whatever the grid
    flat = decode_png(base64.b64decode(df["url"][0].removeprefix("data:image/png;base64,")))
    assert (flat == [255, 255, 255]).all()  # a constant map shows mid-colour, white
    with pytest.raises(ValueError):
        charts.neuron_maps_chart(xs, ys, [])
    with pytest.raises(ValueError):
        charts.neuron_maps_chart(xs, ys, [np.zeros((24, 23, 2))])


def test_vega_spec_same_spec_for_new_numbers(rng: np.random.Generator) -> None:
    X, y, pred = linear_data(rng)
    xs, ys, probs = grid(8, 8)

    def build(scale: float) -> alt.LayerChart:
        return charts.decision_chart(xs, ys, probs * scale, X * scale, y, pred, domain=(0, 1, 0, 1))

    a, b = vega_spec(build(1.0)), vega_spec(build(0.5))
    assert a.pop("datasets")["regions"]["url"][0] != b.pop("datasets")["regions"]["url"][0]
    assert a == b  # only the data changed, so the frontend can update in place


def test_vega_spec_leaves_the_chart_as_it_was(rng: np.random.Generator) -> None:
    chart = charts.loss_chart(np.arange(10), np.linspace(1, 0.1, 10))
    before = chart.to_dict()
    vega_spec(chart)
    assert chart.to_dict() == before


# --- reusable specs: the structure in the spec, the numbers in the frames ------------------------------


def structure_case(name: str, seed: int) -> tuple[tuple, dict]:
    """(args, kwargs) for builder ``name``: the same structure for every seed, other numbers, and series
    (1-D arrays) of other lengths: history lengths, whether a test set is flagged, weight magnitudes (so
    max |w| changes)."""
    rng = np.random.default_rng(seed)
    t = int(rng.integers(50, 3000))
    ep = np.arange(1, t + 1)
    loss = rng.uniform(0.5, 2) * np.exp(-ep / rng.uniform(100, 1000)) + 1e-3
    n, g = 30, 8
    X = rng.uniform(-1, 2, (n, 2))
    y, pred = (rng.uniform(size=n) < 0.5).astype(int), (rng.uniform(size=n) < 0.5).astype(int)
    xs, ys = np.linspace(-1, 2, g + 1), np.linspace(-1, 2, g + 2)
    probs = rng.uniform(size=(g + 1, g))
    dom = (-1.2, 2.2, -1.2, 2.2)
    panel = dict(xs=xs, ys=ys, probs=probs, X=X, y=y, pred=pred)
    scale = 10.0 ** rng.uniform(-2, 1)
    Ws, bs = weights(rng, [2, 5, 3, 1])
    test = rng.uniform(size=n) < 0.3
    runs = int(rng.integers(3, 12))
    return {
        "loss": ((ep, loss, loss * (1.2 + seed)), dict(log_scale=True)),
        "grad_flow": ((ep, list(np.abs(rng.normal(size=(3, t))))), {}),
        "overlay_loss": (({"a": (ep, loss), "b": (ep[: t // 2], 2 * loss[: t // 2])},), dict(max_points=100)),
        "decision": ((xs, ys, probs, X, y, pred), dict(is_test=test, p=rng.uniform(size=n), domain=dom)),
        "decision_fitted": ((xs, ys, probs, X, y, pred), dict(is_test=test, discretize=True)),
        "decision_regression": ((xs, ys, 2 * probs - 1, X, rng.uniform(-1, 1, n), rng.uniform(-1.5, 1.5, (n, 1))),
                                dict(is_test=test, domain=dom, task="regression")),
        "small_multiples": (
            ([dict(panel, name="one"), dict(panel, name="two", probs=1 - probs, pred=1 - pred)],),
            dict(domain=dom, size=150),
        ),
        "small_multiples_regression": (
            ([dict(panel, name="one", probs=2 * probs - 1, y=rng.uniform(-1, 1, n), pred=None, task="regression",
                   loss=rng.uniform(size=1))],),
            dict(domain=dom, discretize=True),
        ),
        "labels": ((X, y), dict(title="Ground truth")),
        "network": (([W * scale for W in Ws], [b / scale for b in bs]), {}),
        "network_dense": (weights(rng, [2, 16, 16, 1]), {}),
        "network_marked": (([W * scale for W in Ws], [b / scale for b in bs]), dict(marked=("dW2", "db3"))),
        "network_focus": (([W * scale for W in Ws], [b / scale for b in bs]), dict(focus=rng.uniform(size=11) < 0.5)),
        "network_inputs": (([W * scale for W in Ws], [b / scale for b in bs]),
                           dict(input_names=("x1", "x1x2"), input_maps=rng.normal(size=(g, g, 2)) * scale)),
        "fit": ((rng.uniform(-1, 1, n), rng.uniform(-2, 2, (n, 1))), {}),
        "neuron_maps": ((xs, ys, [rng.normal(size=(g + 1, g, 4)) * scale, np.tanh(rng.normal(size=(g + 1, g, 2)))]), {}),
        "landscape": ((rng.uniform(0.01, 1, runs), rng.uniform(0.001, 0.3, runs), np.array(["sigmoid", "tanh"] * runs,
                                                                                             dtype=object)[:runs],
                       np.array([f"Student {i}" for i in range(runs)], dtype=object)),
                      dict(x_title="lr", colour_title="activation", log_x=True)),
        "network_select": (([W * scale for W in Ws], [b / scale for b in bs]),
                           dict(select=True, focus=rng.uniform(size=11) < 0.5)),
        "loss_edits": ((ep, loss), dict(edits=np.sort(rng.integers(1, t, int(rng.integers(1, 5)))).astype(float))),
        "hidden_space": (space_args(rng, n), space_kwargs(rng)),
        "hidden_space_plain": (space_args(rng, n), dict(extent=rng.uniform(-2, 2, 4), titles=("PC1", "PC2"))),
    }[name]


STRUCTURE_CASES = [
    "loss", "grad_flow", "overlay_loss", "decision", "decision_fitted", "decision_regression", "small_multiples",
    "small_multiples_regression", "network_inputs", "fit",
    "labels", "network", "network_dense", "network_marked", "network_focus", "neuron_maps", "landscape",
    "network_select", "loss_edits", "hidden_space", "hidden_space_plain",
]  # fmt: skip


def builder(case: str):
    """The builder for a case name such as "decision_fitted" (a builder's name less "_chart", and a variant)."""
    return next(BUILDERS[name] for name in sorted(BUILDERS, key=len, reverse=True)
                if case == name.removesuffix("_chart") or case.startswith(name.removesuffix("_chart") + "_"))


def skeleton(spec: dict) -> dict:
    return {k: v for k, v in spec.items() if k != "datasets"}


def test_every_builder_has_structure_cases():
    assert {builder(c).__name__ for c in STRUCTURE_CASES} == set(BUILDERS)


@pytest.mark.parametrize("case", STRUCTURE_CASES)
def test_spec_skeleton_depends_only_on_the_arguments_structure(case: str) -> None:
    (args_a, kw_a), (args_b, kw_b) = structure_case(case, 1), structure_case(case, 2)
    assert (structure(args_a), structure(kw_a)) == (structure(args_b), structure(kw_b))  # the same cache key
    a, b = builder(case)(*args_a, **kw_a).spec(), builder(case)(*args_b, **kw_b).spec()
    assert a["datasets"].keys() == b["datasets"].keys()
    assert any(not a["datasets"][k].equals(b["datasets"][k]) for k in a["datasets"])  # the numbers did change
    assert json.dumps(skeleton(a), sort_keys=True) == json.dumps(skeleton(b), sort_keys=True)


@pytest.mark.parametrize("case", STRUCTURE_CASES)
def test_a_figures_frames_are_its_charts_datasets(case: str) -> None:
    args, kw = structure_case(case, 1)
    figure = builder(case)(*args, **kw)
    datasets = figure.spec()["datasets"]
    assert list(figure.frames) == list(datasets)
    for name, df in figure.frames.items():
        assert df.attrs["name"] == name
        pd.testing.assert_frame_equal(df, datasets[name])
        # the Arrow bytes made with the frame are the frame, as pyarrow's own conversion reads it
        sent = pa.ipc.open_stream(arrow_bytes(df)).read_all()
        plain = df.copy()
        plain.attrs = {}
        converted = pa.Table.from_pandas(plain, preserve_index=False)
        assert sent.column_names == converted.column_names
        for col in sent.column_names:
            assert sent.column(col).to_pylist() == converted.column(col).to_pylist(), (name, col)


def test_structure_keeps_plain_values_and_shapes_but_not_series():
    assert structure((np.arange(5), np.zeros((3, 2)), {"a": [1.5, "x", None]})) == structure(
        (np.arange(9), np.ones((3, 2)), {"a": [1.5, "x", None]}))
    assert structure(np.zeros((3, 2))) != structure(np.zeros((4, 2)))  # a grid's or a layer's size shapes a chart
    assert structure({"a": 1}) != structure({"b": 1}) and structure((1,)) != structure([1])
    with pytest.raises(TypeError, match="plain data"):
        structure(object())


# --- SpecCache -----------------------------------------------------------------------------------------


def counted_decision():
    """plane.decision_chart, counting how often a chart is built."""
    calls = []

    def decision_chart(*args, **kw) -> Figure:
        figure = plane.decision_chart(*args, **kw)
        return Figure(figure.frames, lambda: calls.append(1) or figure.build())

    return decision_chart, calls


def test_spec_cache_builds_once_then_only_refills_the_frames() -> None:
    cache, (build, calls) = SpecCache(), counted_decision()
    args, kw = structure_case("decision", 1)
    first = cache.spec(build, *args, **kw)
    assert (len(calls), cache.misses, cache.hits) == (1, 1, 0)
    args, kw = structure_case("decision", 2)
    second = cache.spec(build, *args, **kw)
    assert (len(calls), cache.misses, cache.hits) == (1, 1, 1)  # the chart was not built again
    # a hit is exactly what a fresh build with the new numbers would give
    fresh = plane.decision_chart(*args, **kw).spec()
    assert skeleton(second) == skeleton(fresh) == skeleton(first)
    assert second["datasets"].keys() == fresh["datasets"].keys()
    for name, df in second["datasets"].items():
        pd.testing.assert_frame_equal(df, fresh["datasets"][name])


def test_spec_cache_returns_fresh_dicts_and_keeps_its_skeleton() -> None:
    cache, (build, _) = SpecCache(), counted_decision()
    first = cache.spec(build, *structure_case("decision", 1)[0], **structure_case("decision", 1)[1])
    kept = json.dumps(skeleton(first), sort_keys=True)
    # what a caller may do to the specs it gets: edit the top level, even (wrongly) a nested part
    first["autosize"] = {"type": "pad"}
    first["layer"][0]["mark"]["type"] = "bar"
    second = cache.spec(build, *structure_case("decision", 2)[0], **structure_case("decision", 2)[1])
    second["width"] = 100
    second.pop("title")
    third = cache.spec(build, *structure_case("decision", 3)[0], **structure_case("decision", 3)[1])
    assert third is not second and third["datasets"] is not second["datasets"]
    assert json.dumps(skeleton(third), sort_keys=True) == kept


def test_spec_cache_keys_by_builder_and_structure() -> None:
    cache, (build, calls) = SpecCache(), counted_decision()
    args, kw = structure_case("decision", 1)
    cache.spec(build, *args, **kw)
    cache.spec(build, *args, **(kw | {"discretize": True}))  # another structure: built again
    cache.spec(build, *args, **(kw | {"discretize": True}))
    assert len(calls) == 2 and len(cache) == 2
    cache.spec(plane.labels_chart, args[3], args[4], title="t")
    assert len(cache) == 3


def test_spec_cache_is_bounded_and_drops_the_least_recently_used() -> None:
    cache, (build, calls) = SpecCache(max_entries=2), counted_decision()
    args, kw = structure_case("decision", 1)

    def draw(height: int) -> None:
        cache.spec(build, *args, **(kw | {"height": height}))

    draw(1), draw(2), draw(1)  # a hit: height 1 is now the most recent
    draw(3)  # full: drops height 2
    assert len(cache) == 2 and len(calls) == 3
    draw(1), draw(3)
    assert len(calls) == 3
    draw(2)
    assert len(calls) == 4 and len(cache) == 2
    with pytest.raises(ValueError):
        SpecCache(max_entries=0)


def test_loss_legend_names_only_the_curves_drawn():
    ep = np.arange(5.0)
    alone = charts.loss_chart(ep, ep + 1).to_dict()
    both = charts.loss_chart(ep, ep + 1, ep + 2).to_dict()
    assert '"domain": ["train"]' in json.dumps(alone) and '"domain": ["train", "test"]' in json.dumps(both)


def test_plane_axes_tick_at_round_values():
    from playground.charts.plane import _ticks

    assert _ticks(-0.1, 1.1) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert _ticks(-3.2, 7.9) == [-2.0, 0.0, 2.0, 4.0, 6.0]
    spec = charts.labels_chart(np.zeros((2, 2)), [0, 1], title="t", domain=(-0.1, 1.1, -0.1, 1.1)).to_dict()
    assert '"values": [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]' in json.dumps(spec)
