"""The plane (x1, x2): decision regions, runs side by side, the lab's labelled points.

Labels are 0/1 (red = 0, blue = 1, as in the lab's show_result); probabilities are P(class 1); a domain
is (x1_min, x1_max, x2_min, x2_max) and every layer on the plane uses the same non-nice scales fixed to
it. Without a domain the browser fits the axes to the data, so the spec stays free of data values.

A regression run (``task="regression"``) draws its output map the same way over the targets' range
(lab.plane.output_span: red −1, white 0, blue +1, as TensorFlow Playground colours it), each point filled
with its own target on those colours, so a point that stands out from the map around it is one the network
gets wrong; nothing is a "class", and its panels show a loss instead of an accuracy. How each task's map
reads (title, value, subtitle) is one table, `LOOKS`.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd

from lab.plane import Domain, output_span
from playground.charts import BLUE, BLUE_TINT, RED, RED_TINT, Figure, Frames, class_scale, frame, labels, named, stretch
from playground.charts.raster import grid_data_url, linear_rgb, threshold_rgb


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


P_STOPS, P_COLOURS = [0.0, 0.5, 1.0], [RED_TINT, "#ffffff", BLUE_TINT]  # one source for picture and legend
VALUE_COLOURS = [RED, "#ffffff", BLUE]  # a regression point's target: the map's colours at full strength
TARGET_CELLS = 24  # invisible click and tooltip targets per side (a picture has no marks to click)
DOT_STROKE = "#444444"  # a regression point's outline: its fill may be white (a target of 0) on a white map

Span = tuple[float, float]
P_SPAN: Span = output_span("classification")  # P(class 1)'s range, [0, 1]


@dataclass(frozen=True)
class Look:
    """How a task's map reads: its title, what its values are, and the subtitle that says how to read it."""

    title: str
    value: str  # the map's values, for the legend and the tooltips
    subtitle: tuple[str, ...]


LOOKS: dict[str, Look] = {
    "classification": Look("Decision regions", "P(class 1)",
                           ("fill = truth · shape = prediction", "black ring = misclassified · hollow = test")),
    "regression": Look("Output", "predicted value",
                       ("map = the network's output: red −1 · white 0 · blue +1",
                        "dots = their target, in the same colours · ◆ = test")),
}


def _look(task: str) -> Look:
    if task not in LOOKS:
        raise ValueError(f"task: unknown value {task!r}; allowed: {', '.join(LOOKS)}")
    return LOOKS[task]


def _p_scale(discretize: bool, span: Span) -> alt.Scale:
    """The map's colours over ``span`` (P(class 1)'s [0, 1], or the targets' range): as the picture is coloured
    (raster.linear_rgb interpolates in sRGB, hence "rgb"); two tints split at the span's middle with
    ``discretize`` (0.5, or 0 for regression: the sign)."""
    lo, hi = span
    if discretize:
        return alt.Scale(type="threshold", domain=[(lo + hi) / 2], range=[RED_TINT, BLUE_TINT])
    return alt.Scale(domain=[lo + s * (hi - lo) for s in P_STOPS], range=P_COLOURS, interpolate="rgb")


def _picture(values: np.ndarray, discretize: bool, span: Span = P_SPAN) -> str:
    lo, hi = span
    t = (values - lo) / (hi - lo)
    rgb = threshold_rgb(t, [0.5], [RED_TINT, BLUE_TINT]) if discretize else linear_rgb(t, P_STOPS, P_COLOURS)
    return grid_data_url(rgb)


# ----- frames ------------------------------------------------------------------------------------------------
def _map_frames(xs: np.ndarray, ys: np.ndarray, values: np.ndarray, *, span: Span, discretize: bool, targets: bool,
                suffix: str) -> Frames:
    """The map as one picture over the grid's extent ("regions"), and, with ``targets``, the coarse click and
    tooltip targets ("cells"); raises when values is not (len(ys)-1, len(xs)-1)."""
    gy, gx = ys.size - 1, xs.size - 1
    if values.shape != (gy, gx):
        raise ValueError(f"probs must have shape (len(ys)-1, len(xs)-1) = {(gy, gx)}, got {values.shape}")
    frames = named(frame(f"regions{suffix}", {"x1_lo": xs[:1], "x1_hi": xs[-1:], "x2_lo": ys[:1], "x2_hi": ys[-1:],
                                              "url": np.array([_picture(values, discretize, span)], dtype=object)}))
    if not targets:
        return frames
    # every k-th edge: coarse cells whose centres are fine cells' centres (k odd), where the value is known
    k = max(1, round(gx / TARGET_CELLS))
    cx, cy, cp = xs[::k], ys[::k], values[k // 2 :: k, k // 2 :: k][: ys[::k].size - 1, : xs[::k].size - 1]
    n2, n1 = cp.shape
    return frames | named(frame(f"cells{suffix}", {
        "x1_lo": np.tile(cx[:n1], n2), "x1_hi": np.tile(cx[1 : n1 + 1], n2),
        "x2_lo": np.repeat(cy[:n2], n1), "x2_hi": np.repeat(cy[1 : n2 + 1], n1),
        "c1_lo": np.tile(cx[:n1], n2), "c2_lo": np.repeat(cy[:n2], n1),  # the hovered cell, for the fine ones
        "p": cp.reshape(-1),
    }))


def _class_points(X: np.ndarray, y: np.ndarray, pred: np.ndarray, test: np.ndarray,
                  p: np.ndarray | None) -> dict[str, np.ndarray]:
    """A classifier's points: truth, prediction, wrong, set (and P(class 1)), the mistakes last (on top)."""
    truth, guess = labels(y), labels(pred)
    if guess.size != truth.size:
        raise ValueError(f"X must be (n, 2) with n labels and n predictions, got {X.shape}, {truth.size}, {guess.size}")
    cols = {"x1": X[:, 0], "x2": X[:, 1], "truth": truth.astype(str), "prediction": guess.astype(str),
            "wrong": truth != guess, "set": np.where(test, "test", "train")}
    if p is not None:
        cols["p"] = np.asarray(p, float).reshape(-1)
    order = np.argsort(truth != guess, kind="stable")
    return {k: np.asarray(v)[order] for k, v in cols.items()}


def _value_points(X: np.ndarray, y: np.ndarray, pred: np.ndarray | None, test: np.ndarray) -> dict[str, np.ndarray]:
    """A regression's points: target, set (and predicted, error when the predictions are known), the largest
    errors last (on top)."""
    target = np.asarray(y, float).reshape(-1)
    cols = {"x1": X[:, 0], "x2": X[:, 1], "target": target, "set": np.where(test, "test", "train")}
    order = np.arange(target.size)
    if pred is not None:
        predicted = np.asarray(pred, float).reshape(-1)
        if predicted.size != target.size:
            raise ValueError(f"X must be (n, 2) with n targets and n predictions, got {X.shape}, {target.size}, "
                             f"{predicted.size}")
        with np.errstate(all="ignore"):  # a diverged run's outputs are inf or NaN
            error = predicted - target
        cols |= {"predicted": predicted, "error": error}
        order = np.argsort(np.nan_to_num(np.abs(error), nan=np.inf), kind="stable")
    return {k: np.asarray(v)[order] for k, v in cols.items()}


def _points_frame(X: np.ndarray, y: np.ndarray, pred: np.ndarray | None, *, task: str, is_test: np.ndarray | None,
                  p: np.ndarray | None, suffix: str) -> pd.DataFrame:
    """The points on the map (see decision_chart); raises on mismatched shapes."""
    X = np.asarray(X, float).reshape(-1, 2)
    if X.shape[0] != np.size(y):
        raise ValueError(f"X must be (n, 2) with n labels or targets, got {X.shape} and {np.size(y)}")
    test = np.zeros(X.shape[0], bool) if is_test is None else np.asarray(is_test, bool).reshape(-1)
    cols = _class_points(X, y, pred, test, p) if task == "classification" else _value_points(X, y, pred, test)
    return frame(f"points{suffix}", cols)


# ----- layers ------------------------------------------------------------------------------------------------
def _legend(title: str, shown: bool, direction: str = "vertical") -> alt.Legend | None:
    """A legend under the chart (stacked entries and a short gradient keep it within a phone's width)."""
    return alt.Legend(title=title, orient="bottom", direction=direction, gradientLength=80) if shown else None


def _targets(frames: Frames, suffix: str, plane: dict, *, look: Look, span: Span, discretize: bool, legend: bool,
             select: bool, fine: tuple[float, float, int] | None) -> list[alt.Chart]:
    """The invisible click and tooltip targets (their colour draws the map's legend), and, with ``fine`` (cell
    width, height, cells per target side), the fine cells under the pointer, so a click lands on one of them."""
    tooltip = [alt.Tooltip("p:Q", title=look.value, format=".3f")]
    targets = (alt.Chart(frames[f"cells{suffix}"]).mark_rect(opacity=0, clip=True, aria=False)
               .encode(color=alt.Color("p:Q", scale=_p_scale(discretize, span),
                                       legend=_legend(look.value, legend, "horizontal")),
                       tooltip=tooltip, **plane))
    if select:  # a click on a cell: the page adds a point at its centre
        targets = targets.add_params(
            alt.selection_point(name="click", on="click", fields=["x1_lo", "x1_hi", "x2_lo", "x2_hi"]))
    if fine is None:
        return [targets]
    targets = targets.add_params(alt.selection_point(
        name="hover", on="@targets_marks:pointerover", fields=["c1_lo", "c2_lo", "p"], clear=False,
    )).properties(name="targets")
    return [targets, _fine_cells(*fine, plane, tooltip)]


def _class_dots(points: alt.Chart, legend: bool, value: str) -> alt.Chart:
    """Fill = truth, shape = prediction, a black ring = misclassified, hollow = test."""
    has_p = "p" in points.data
    return (
        points.transform_calculate(ring="datum.truth")  # a copy, so the truth legend keeps plain symbols
        .mark_point(filled=True, size=70, clip=True)
        .encode(
            fill=alt.Fill("truth:N", scale=class_scale(), legend=_legend("truth", legend)),
            shape=alt.Shape("prediction:N", scale=alt.Scale(domain=["0", "1"], range=["circle", "square"]),
                            legend=_legend("predicted", legend)),
            # black ring = misclassified; a correct test point is a ring in its class colour
            stroke=alt.Stroke("ring:N", scale=class_scale(), legend=None, condition=[
                {"test": "datum.wrong", "value": "black"}, {"test": "datum.set === 'train'", "value": "white"}]),
            strokeWidth=alt.when(alt.datum.wrong).then(alt.value(2.5)).otherwise(alt.value(1.5)),
            # hollow = test (Vega-Lite draws no legend for a discrete fillOpacity; the subtitle says it)
            fillOpacity=alt.when(alt.datum.set == "test").then(alt.value(0.15)).otherwise(alt.value(0.95)),
            tooltip=[alt.Tooltip("x1:Q", format=".3f"), alt.Tooltip("x2:Q", format=".3f"), alt.Tooltip("truth:N"),
                     alt.Tooltip("prediction:N"), alt.Tooltip("set:N"),
                     *([alt.Tooltip("p:Q", title=value, format=".4f")] if has_p else [])],
        )
    )


def _value_dots(points: alt.Chart, legend: bool, span: Span) -> alt.Chart:
    """Fill = the target on the map's colours at full strength, outlined (a target of 0 is white); ◆ = test."""
    lo, hi = span
    predicted = "predicted" in points.data
    return points.mark_point(filled=True, size=70, clip=True, stroke=DOT_STROKE, strokeWidth=1, opacity=1).encode(
        fill=alt.Fill("target:Q", scale=alt.Scale(domain=[lo, (lo + hi) / 2, hi], range=VALUE_COLOURS,
                                                  interpolate="rgb"),
                      legend=_legend("target", legend, "horizontal")),
        shape=alt.Shape("set:N", scale=alt.Scale(domain=["train", "test"], range=["circle", "diamond"]),
                        legend=_legend("set", legend)),
        tooltip=[alt.Tooltip("x1:Q", format=".3f"), alt.Tooltip("x2:Q", format=".3f"),
                 alt.Tooltip("target:Q", format=".4f"),
                 *([alt.Tooltip("predicted:Q", format=".4f"), alt.Tooltip("error:Q", title="error (predicted − target)",
                                                                           format=".4f")] if predicted else []),
                 alt.Tooltip("set:N")],
    )


def _dots(frames: Frames, suffix: str, x: alt.X, y: alt.Y, *, task: str, look: Look, span: Span, legend: bool,
          select: bool) -> alt.Chart:
    """The data on top of the map; with ``select``, a click on a point ("click_point")."""
    points = alt.Chart(frames[f"points{suffix}"]).encode(x=x, y=y)
    dots = _class_dots(points, legend, look.value) if task == "classification" else _value_dots(points, legend, span)
    if select:  # a click on a point: the page removes the nearest one (or inspects it)
        dots = dots.add_params(alt.selection_point(name="click_point", on="click", fields=["x1", "x2"]))
        dots = dots.properties(name="dots")  # a fixed view name, not Altair's generated one
    return dots


def _decision_layers(frames: Frames, suffix: str, *, task: str, domain: Domain | None, discretize: bool, legend: bool,
                     select: bool = False, fine: tuple[float, float, int] | None = None) -> list[alt.Chart]:
    """The picture, the invisible targets (if framed) and the dots of decision_chart."""
    look, span = _look(task), output_span(task)
    x_scale, y_scale = _axes(domain)
    x_axis, y_axis = _tick_axes(domain)
    plane = dict(x=alt.X("x1_lo:Q", scale=x_scale, axis=x_axis, title="x1"), x2="x1_hi:Q",
                 y=alt.Y("x2_lo:Q", scale=y_scale, axis=y_axis, title="x2"), y2="x2_hi:Q")
    # one pixel a cell, not smoothed: the map shows where the network was evaluated
    layers = [alt.Chart(frames[f"regions{suffix}"]).mark_image(aspect=False, smooth=False, clip=True)
              .encode(url="url:N", **plane)]
    if f"cells{suffix}" in frames:
        layers += _targets(frames, suffix, plane, look=look, span=span, discretize=discretize, legend=legend,
                           select=select, fine=fine)
    x = alt.X("x1:Q", scale=x_scale, axis=x_axis, title="x1")
    y = alt.Y("x2:Q", scale=y_scale, axis=y_axis, title="x2")
    return [*layers, _dots(frames, suffix, x, y, task=task, look=look, span=span, legend=legend, select=select)]


def _fine_cells(w1: float, w2: float, k: int, plane: dict, tooltip: list) -> alt.Chart:
    """The k × k grid cells inside the target under the pointer, made in the browser (a k²-row sequence
    placed by the "hover" selection), invisible: a click there lands on a grid cell, as precise as the map."""

    def hovered(f: str) -> str:
        return f"(isArray(hover.{f}) ? hover.{f}[0] : hover.{f})"

    return (
        alt.Chart(alt.sequence(0, k * k, as_="i"))
        .transform_calculate(c1_lo=hovered("c1_lo"), c2_lo=hovered("c2_lo"), p=hovered("p"))
        .transform_filter("isFinite(datum.c1_lo) && isFinite(datum.c2_lo)")  # nothing hovered yet: no cells
        .transform_calculate(x1_lo=f"datum.c1_lo + (datum.i % {k}) * {w1!r}",
                             x2_lo=f"datum.c2_lo + floor(datum.i / {k}) * {w2!r}")
        .transform_calculate(x1_hi=f"datum.x1_lo + {w1!r}", x2_hi=f"datum.x2_lo + {w2!r}")
        .mark_rect(opacity=0, clip=True, aria=False)
        .encode(tooltip=tooltip, **plane)
    )


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
    task: str = "classification",
) -> Figure:
    """The network's output over the plane with the data on top: a classifier's decision regions, or a
    regression's output map.

    xs: (gx+1,) cell edges along x1; ys: (gy+1,) edges along x2; probs: (gy, gx) the output per cell.
    X: (n, 2) points; is_test: (n,) bool.

    Classification: probs is P(class 1), drawn red → white → blue over [0, 1] (two flat tints split at 0.5 with
    ``discretize``); y, pred: (n,) or (n, 1) 0/1 labels; p: (n,) P(class 1) for tooltips. Fill = truth, shape =
    prediction (circle 0, square 1), black ring = misclassified, hollow = test.

    Regression (``task="regression"``): probs is the predicted value, drawn over the targets' range [−1, 1]
    (two tints split at 0, the sign, with ``discretize``); y: (n,) real targets, pred: (n,) predictions (p is
    not used). Each dot is filled with its target on the same colours at full strength and outlined; ◆ = test.
    The tooltip gives target, prediction and error.

    Without a domain the axes fit the data (the grid's extent when the points lie inside it). Frames
    "regions" (the grid's extent and the picture's url), "cells" (the targets: x1_lo, x1_hi, x2_lo, x2_hi,
    c1_lo, c2_lo, p) and "points" (x1, x2, truth, prediction, wrong, set[, p]; regression: x1, x2, target,
    set, predicted, error).

    ``select`` adds two click selections for the page: "click" (a grid cell: x1_lo, x1_hi, x2_lo,
    x2_hi) and "click_point" (a point: x1, x2).

    The map is one picture (a PNG, one pixel a cell: thousands of marks cost the browser seconds); clicks
    and the value's tooltip land on about 24 × 24 invisible targets, and, under the pointer, on the grid's
    own cells inside the target (made in the browser), so a click is as precise as the map.
    """
    look, span = _look(task), output_span(task)
    xs, ys = np.asarray(xs, float).reshape(-1), np.asarray(ys, float).reshape(-1)
    frames = _map_frames(xs, ys, np.asarray(probs, float), span=span, discretize=discretize, targets=True, suffix="")
    frames |= named(_points_frame(X, y, pred, task=task, is_test=is_test, p=p, suffix=""))
    k = max(1, round((xs.size - 1) / TARGET_CELLS))
    fine = (float(xs[1] - xs[0]), float(ys[1] - ys[0]), k) if k > 1 else None

    def build() -> alt.LayerChart:
        layers = _decision_layers(frames, "", task=task, domain=domain, discretize=discretize, legend=True,
                                  select=select, fine=fine)
        title = alt.Title(look.title, subtitle=list(look.subtitle))
        return stretch(alt.layer(*layers).resolve_scale(color="independent").properties(title=title), height)

    return Figure(frames, build)


def _panel_frames(pnl: dict, i: int, discretize: bool) -> Frames:
    """Panel i of small_multiples_chart: its frames "regions_i" (a picture), "points_i", "info_i" (the text
    under its name: a classifier's accuracy, a regression's loss when given)."""
    task = pnl.get("task", "classification")
    xs, ys = np.asarray(pnl["xs"], float).reshape(-1), np.asarray(pnl["ys"], float).reshape(-1)
    frames = _map_frames(xs, ys, np.asarray(pnl["probs"], float), span=output_span(task), discretize=discretize,
                         targets=False, suffix=f"_{i}")
    frames |= named(_points_frame(pnl["X"], pnl["y"], pnl.get("pred"), task=task, is_test=pnl.get("is_test"),
                                  p=pnl.get("p"), suffix=f"_{i}"))
    if task == "classification":
        info = {"accuracy": np.array([np.mean(labels(pnl["y"]) == labels(pnl["pred"]))], float)}
    else:
        info = {"loss": np.asarray(pnl.get("loss", []), float).reshape(-1)}
    return frames | named(frame(f"info_{i}", info))


INFO_TEXT = {"classification": "'accuracy ' + format(datum.accuracy, '.1%')",
             "regression": "'loss ' + format(datum.loss, '.3g')"}


def _panel(frames: Frames, i: int, pnl: dict, *, domain: Domain, discretize: bool, size: int) -> alt.LayerChart:
    """One run's map and points, its name on top and its accuracy (or loss) under the name."""
    task = pnl.get("task", "classification")
    layers = _decision_layers(frames, f"_{i}", task=task, domain=domain, discretize=discretize, legend=False)
    info = (alt.Chart(frames[f"info_{i}"]).transform_calculate(text=INFO_TEXT[task])
            .mark_text(align="left", baseline="bottom", dy=-4, fontSize=11, color="#555555")
            .encode(x=alt.value(0), y=alt.value(0), text="text:N"))
    return (alt.layer(*layers, info).resolve_scale(color="independent")
            .properties(width=size, height=size, title=alt.Title(str(pnl["name"]), offset=4)))


def small_multiples_chart(
    panels: list[dict],
    *,
    domain: Domain,
    size: int = 220,
    columns: int = 3,
    discretize: bool = False,
    title: bool = True,
) -> Figure:
    """Decision regions (or output maps) of several runs on the same axes and colour scales, ``columns`` a row.

    Each panel: {"name", "xs", "ys", "probs", "X", "y", "pred"} as for decision_chart, optionally "is_test",
    "p", "task" ("regression": "probs" is the output, "y" the targets, "pred" the predictions or None, and
    "loss" the run's loss for the text under its name, as a (1,) array: a number would be part of the chart's
    structure). Panel i uses frames "regions_i", "points_i" and
    "info_i" (one row: accuracy, or loss; none for a regression panel without a loss), which a text mark
    shows under the panel's name; each panel's map is one picture. ``title=False`` leaves out the overall
    title and its legend subtitle (for panels laid out one by one).
    """
    if not panels:
        raise ValueError("small_multiples_chart needs at least one panel")
    frames = {name: df for i, pnl in enumerate(panels) for name, df in _panel_frames(pnl, i, discretize).items()}

    def build() -> alt.ConcatChart:
        charts = [_panel(frames, i, pnl, domain=domain, discretize=discretize, size=size)
                  for i, pnl in enumerate(panels)]
        grid = alt.concat(*charts, columns=columns).properties(
            autosize=alt.AutoSizeParams(type="pad")  # fixed-size panels: no fitting to the container
        )
        if not title:
            return grid
        return grid.properties(title=alt.Title(
            "Decision regions per run",
            subtitle=["red = class 0, blue = class 1 · fill = truth", "square = predicted 1 · black ring = wrong"],
        ))

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
