"""The plane (x1, x2): decision regions, runs side by side, the lab's labelled points.

Labels are 0/1 (red = 0, blue = 1, as in the lab's show_result); probabilities are P(class 1); a domain
is (x1_min, x1_max, x2_min, x2_max) and every layer on the plane uses the same non-nice scales fixed to
it. Without a domain the browser fits the axes to the data, so the spec stays free of data values.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from lab.plane import Domain
from playground.charts import BLUE_TINT, RED_TINT, Figure, Frames, class_scale, frame, labels, named, stretch


def _ticks(lo: float, hi: float, most: int = 7) -> list[float]:
    """Round tick values inside [lo, hi] (a fixed, non-nice domain would otherwise tick at -0.05, 0.05…)."""
    span = hi - lo
    step = next((s * 10.0**e for e in range(-6, 7) for s in (1, 2, 2.5, 5) if span / (s * 10.0**e) <= most), span)
    first = np.ceil(lo / step - 1e-9) * step
    return [round(float(v), 10) + 0.0 for v in np.arange(first, hi + step * 1e-9, step)]  # + 0.0: no -0.0


def _tick_axes(domain: Domain | None) -> tuple[alt.Axis | alt.UndefinedType, alt.Axis | alt.UndefinedType]:
    if domain is None:
        return alt.Undefined, alt.Undefined
    return alt.Axis(values=_ticks(domain[0], domain[1])), alt.Axis(values=_ticks(domain[2], domain[3]))


def _axes(domain: Domain | None, padding: float = 0.0) -> tuple[alt.Scale, alt.Scale]:
    """Non-nice x1/x2 scales shared by every layer on the plane, fixed to the domain when one is given.

    Without one, Vega fits each scale to the data of every layer that uses it, widened by ``padding`` px.
    """
    if domain is None:
        fit = {"nice": False, "zero": False} | ({"padding": padding} if padding else {})
        return alt.Scale(**fit), alt.Scale(**fit)
    return (
        alt.Scale(domain=[float(domain[0]), float(domain[1])], nice=False, zero=False),
        alt.Scale(domain=[float(domain[2]), float(domain[3])], nice=False, zero=False),
    )


def _decision_frames(
    xs: np.ndarray,
    ys: np.ndarray,
    probs: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    pred: np.ndarray,
    *,
    is_test: np.ndarray | None = None,
    p: np.ndarray | None = None,
    suffix: str = "",
) -> Frames:
    """decision_chart's frames "grid"+suffix and "points"+suffix (see there); raises on mismatched shapes."""
    xs, ys, probs = (
        np.asarray(xs, float).reshape(-1),
        np.asarray(ys, float).reshape(-1),
        np.asarray(probs, float),
    )
    gy, gx = ys.size - 1, xs.size - 1
    if probs.shape != (gy, gx):
        raise ValueError(f"probs must have shape (len(ys)-1, len(xs)-1) = {(gy, gx)}, got {probs.shape}")
    # probs[r, c] covers [xs[c], xs[c+1]] x [ys[r], ys[r+1]]; row-major flattening walks c fastest
    grid = frame(
        f"grid{suffix}",
        {
            "x1_lo": np.tile(xs[:-1], gy),
            "x1_hi": np.tile(xs[1:], gy),
            "x2_lo": np.repeat(ys[:-1], gx),
            "x2_hi": np.repeat(ys[1:], gx),
            "p": probs.reshape(-1),
        },
    )

    X = np.asarray(X, float)
    truth, guess = labels(y), labels(pred)
    if X.shape != (truth.size, 2) or guess.size != truth.size:
        raise ValueError(
            f"X must be (n, 2) with n labels and n predictions, got {X.shape}, {truth.size}, {guess.size}"
        )
    test = np.zeros(truth.size, bool) if is_test is None else np.asarray(is_test, bool).reshape(-1)
    order = np.argsort(truth != guess, kind="stable")  # misclassified points are drawn last, on top
    cols = {
        "x1": X[:, 0],
        "x2": X[:, 1],
        "truth": truth.astype(str),
        "prediction": guess.astype(str),
        "wrong": truth != guess,
        "set": np.where(test, "test", "train"),
    }
    if p is not None:
        cols["p"] = np.asarray(p, float).reshape(-1)
    return named(grid, frame(f"points{suffix}", {k: np.asarray(v)[order] for k, v in cols.items()}))


def _decision_layers(
    grid: pd.DataFrame,
    points: pd.DataFrame,
    *,
    domain: Domain | None,
    discretize: bool,
    legend: bool,
    select: bool = False,
) -> list[alt.Chart]:
    """The regions and the dots of decision_chart, from its two frames (tooltips show p if ``points`` has it)."""
    x_scale, y_scale = _axes(domain)
    x_axis, y_axis = _tick_axes(domain)

    def leg(name: str, direction: str = "vertical") -> alt.Legend | None:
        # stacked entries and a short gradient keep the legends within a phone's width
        return (
            alt.Legend(title=name, orient="bottom", direction=direction, gradientLength=80)
            if legend
            else None
        )

    if discretize:
        p_scale = alt.Scale(type="threshold", domain=[0.5], range=[RED_TINT, BLUE_TINT])
    else:
        p_scale = alt.Scale(domain=[0.0, 0.5, 1.0], range=[RED_TINT, "#ffffff", BLUE_TINT])
    regions = (
        alt.Chart(grid)
        .transform_calculate(p_edge="datum.p")
        .mark_rect(clip=True, strokeWidth=0.6)  # a stroke in the fill colour hides anti-aliasing seams
        .encode(
            x=alt.X("x1_lo:Q", scale=x_scale, axis=x_axis, title="x1"),
            x2="x1_hi:Q",
            y=alt.Y("x2_lo:Q", scale=y_scale, axis=y_axis, title="x2"),
            y2="x2_hi:Q",
            color=alt.Color("p:Q", scale=p_scale, legend=leg("P(class 1)", "horizontal")),
            # a copy of p, so this legend-less channel does not merge into (and spoil) the gradient legend
            stroke=alt.Stroke("p_edge:Q", scale=p_scale, legend=None),
            tooltip=[alt.Tooltip("p:Q", title="P(class 1)", format=".3f")],
        )
    )
    wrong = alt.datum.wrong
    dots = (
        alt.Chart(points)
        .transform_calculate(ring="datum.truth")  # a copy, so the truth legend keeps plain symbols
        .mark_point(filled=True, size=70, clip=True)
        .encode(
            x=alt.X("x1:Q", scale=x_scale, axis=x_axis, title="x1"),
            y=alt.Y("x2:Q", scale=y_scale, axis=y_axis, title="x2"),
            fill=alt.Fill("truth:N", scale=class_scale(), legend=leg("truth")),
            shape=alt.Shape(
                "prediction:N",
                scale=alt.Scale(domain=["0", "1"], range=["circle", "square"]),
                legend=leg("predicted"),
            ),
            # black ring = misclassified; a correct test point is a ring in its class colour
            stroke=alt.Stroke(
                "ring:N",
                scale=class_scale(),
                legend=None,
                condition=[
                    {"test": "datum.wrong", "value": "black"},
                    {"test": "datum.set === 'train'", "value": "white"},
                ],
            ),
            strokeWidth=alt.when(wrong).then(alt.value(2.5)).otherwise(alt.value(1.5)),
            # hollow = test (Vega-Lite draws no legend for a discrete fillOpacity; the subtitle says it)
            fillOpacity=alt.when(alt.datum.set == "test").then(alt.value(0.15)).otherwise(alt.value(0.95)),
            tooltip=[
                alt.Tooltip("x1:Q", format=".3f"),
                alt.Tooltip("x2:Q", format=".3f"),
                alt.Tooltip("truth:N"),
                alt.Tooltip("prediction:N"),
                alt.Tooltip("set:N"),
                *([alt.Tooltip("p:Q", title="P(class 1)", format=".4f")] if "p" in points else []),
            ],
        )
    )
    if select:  # clicks for the page: a grid cell (to add a point there) or a point (to remove it)
        regions = regions.add_params(
            alt.selection_point(name="click", on="click", fields=["x1_lo", "x1_hi", "x2_lo", "x2_hi"])
        )
        dots = dots.add_params(alt.selection_point(name="click_point", on="click", fields=["x1", "x2"]))
    return [regions, dots]


def decision_chart(
    xs: np.ndarray,
    ys: np.ndarray,
    probs: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    pred: np.ndarray,
    *,
    is_test: np.ndarray | None = None,
    p: np.ndarray | None = None,
    discretize: bool = False,
    domain: Domain | None = None,
    height: int = 380,
    select: bool = False,
) -> Figure:
    """Decision regions with the data on top.

    xs: (gx+1,) cell edges along x1; ys: (gy+1,) edges along x2; probs: (gy, gx) P(class 1) per cell,
    drawn red → white → blue over [0, 1] (two flat tints split at 0.5 with ``discretize``).
    X: (n, 2); y, pred: (n,) or (n, 1) 0/1 labels; is_test: (n,) bool; p: (n,) P(class 1) for tooltips.
    Fill = truth, shape = prediction (circle 0, square 1), black ring = misclassified, hollow = test.
    Without a domain the axes fit the data (the grid's extent when the points lie inside it). Frames
    "grid" (x1_lo, x1_hi, x2_lo, x2_hi, p) and "points" (x1, x2, truth, prediction, wrong, set[, p]).

    ``select`` adds two click selections for the page: "click" (a grid cell: x1_lo, x1_hi, x2_lo,
    x2_hi) and "click_point" (a point: x1, x2).
    """
    frames = _decision_frames(xs, ys, probs, X, y, pred, is_test=is_test, p=p)

    def build() -> alt.LayerChart:
        layers = _decision_layers(frames["grid"], frames["points"], domain=domain, discretize=discretize,
                                  legend=True, select=select)
        title = alt.Title(
            "Decision regions",
            subtitle=["fill = truth · shape = prediction", "black ring = misclassified · hollow = test"],
        )
        return stretch(alt.layer(*layers).resolve_scale(color="independent").properties(title=title), height)

    return Figure(frames, build)


def _panel_frames(pnl: dict, i: int) -> Frames:
    """Panel i of small_multiples_chart: its decision frames "grid_i", "points_i" and "info_i" (accuracy)."""
    keys = ("xs", "ys", "probs", "X", "y", "pred")
    frames = _decision_frames(*(pnl[k] for k in keys), is_test=pnl.get("is_test"), p=pnl.get("p"), suffix=f"_{i}")
    accuracy = float(np.mean(labels(pnl["y"]) == labels(pnl["pred"])))
    return frames | named(frame(f"info_{i}", {"accuracy": [accuracy]}))


def small_multiples_chart(
    panels: list[dict],
    *,
    domain: Domain,
    size: int = 220,
    columns: int = 3,
    discretize: bool = False,
    title: bool = True,
) -> Figure:
    """Decision regions of several runs on the same axes and colour scales, ``columns`` panels a row.

    Each panel: {"name", "xs", "ys", "probs", "X", "y", "pred"} as for decision_chart, optionally
    "is_test" and "p". Panel i uses frames "grid_i", "points_i" and "info_i" (one row: accuracy), which
    a text mark shows under the panel's name. ``title=False`` leaves out the overall title and its
    legend subtitle (for panels laid out one by one).
    """
    if not panels:
        raise ValueError("small_multiples_chart needs at least one panel")
    frames = {name: df for i, pnl in enumerate(panels) for name, df in _panel_frames(pnl, i).items()}

    def build() -> alt.ConcatChart:
        charts = []
        for i, pnl in enumerate(panels):
            layers = _decision_layers(
                frames[f"grid_{i}"], frames[f"points_{i}"], domain=domain, discretize=discretize, legend=False
            )
            accuracy = (
                alt.Chart(frames[f"info_{i}"])
                .transform_calculate(text="'accuracy ' + format(datum.accuracy, '.1%')")
                .mark_text(align="left", baseline="bottom", dy=-4, fontSize=11, color="#555555")
                .encode(x=alt.value(0), y=alt.value(0), text="text:N")
            )
            charts.append(
                alt.layer(*layers, accuracy)
                .resolve_scale(color="independent")
                .properties(width=size, height=size, title=alt.Title(str(pnl["name"]), offset=4))
            )
        grid = alt.concat(*charts, columns=columns).properties(
            autosize=alt.AutoSizeParams(type="pad")  # fixed-size panels: no fitting to the container
        )
        if not title:
            return grid
        return grid.properties(
            title=alt.Title(
                "Decision regions per run",
                subtitle=["red = class 0, blue = class 1 · fill = truth", "square = predicted 1 · black ring = wrong"],
            ),
        )

    return Figure(frames, build)


def _label_dots(df: pd.DataFrame, domain: Domain | None) -> alt.Chart:
    """Points of a frame with x1, x2 and label ("0"/"1"), red 0 / blue 1, on the domain's axes."""
    x_scale, y_scale = _axes(domain, padding=8)  # without a domain, room for the edge points' dots
    x_axis, y_axis = _tick_axes(domain)
    return (
        alt.Chart(df)
        .mark_circle(size=70, opacity=0.9, clip=True)
        .encode(
            x=alt.X("x1:Q", scale=x_scale, axis=x_axis, title="x1"),
            y=alt.Y("x2:Q", scale=y_scale, axis=y_axis, title="x2"),
            color=alt.Color(
                "label:N", scale=class_scale(), legend=alt.Legend(title="label", orient="bottom")
            ),
            tooltip=[alt.Tooltip("x1:Q", format=".3f"), alt.Tooltip("x2:Q", format=".3f"), "label:N"],
        )
    )


def labels_chart(
    X: np.ndarray, y: np.ndarray, *, title: str, domain: Domain | None = None, height: int = 300
) -> Figure:
    """The points of the lab's ``show_result`` figure, one panel at the container's width: X (n, 2),
    y (n,) or (n, 1) 0/1 labels, red 0 / blue 1. Frame "labels": x1, x2, label."""
    X = np.asarray(X, float)
    frames = named(frame("labels", {"x1": X[:, 0], "x2": X[:, 1], "label": labels(y).astype(str)}))
    return Figure(frames, lambda: stretch(_label_dots(frames["labels"], domain), height).properties(title=title))
