"""The plane (x1, x2): decision regions, runs side by side, the lab's labelled points.

Labels are 0/1 (red = 0, blue = 1, as in the lab's show_result); probabilities are P(class 1); a domain
is (x1_min, x1_max, x2_min, x2_max) and every layer on the plane uses the same non-nice scales fixed to
it. Without a domain the browser fits the axes to the data, so the spec stays free of data values.

A regression run's output is drawn the same way over its own ``span`` (lab.plane.output_span: red at the
low end, white in the middle, blue at the high end) with ``value_title`` naming it; its points are given
as the sign of their target (0 below the middle, 1 above) and as their own prediction, so no point is
ringed as a mistake, and its panels carry no accuracy.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from lab.plane import Domain
from playground.charts import BLUE_TINT, RED_TINT, Figure, Frames, class_scale, frame, labels, named, stretch
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
TARGET_CELLS = 24  # invisible click and tooltip targets per side (a picture has no marks to click)


Span = tuple[float, float]
P_SPAN: Span = (0.0, 1.0)


def _p_scale(discretize: bool, span: Span = P_SPAN) -> alt.Scale:
    """P(class 1)'s colours (or the output's over ``span``): as the picture is coloured (raster.linear_rgb
    interpolates in sRGB, hence "rgb")."""
    lo, hi = span
    if discretize:
        return alt.Scale(type="threshold", domain=[(lo + hi) / 2], range=[RED_TINT, BLUE_TINT])
    return alt.Scale(domain=[lo + s * (hi - lo) for s in P_STOPS], range=P_COLOURS, interpolate="rgb")


def _picture(probs: np.ndarray, discretize: bool, span: Span = P_SPAN) -> str:
    lo, hi = span
    t = probs if span == P_SPAN else (probs - lo) / (hi - lo)
    rgb = threshold_rgb(t, [0.5], [RED_TINT, BLUE_TINT]) if discretize else linear_rgb(t, P_STOPS, P_COLOURS)
    return grid_data_url(rgb)


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
    discretize: bool = False,
    targets: bool = True,
    suffix: str = "",
    span: Span = P_SPAN,
) -> Frames:
    """decision_chart's frames (see there); raises on mismatched shapes."""
    xs, ys, probs = (
        np.asarray(xs, float).reshape(-1),
        np.asarray(ys, float).reshape(-1),
        np.asarray(probs, float),
    )
    gy, gx = ys.size - 1, xs.size - 1
    if probs.shape != (gy, gx):
        raise ValueError(f"probs must have shape (len(ys)-1, len(xs)-1) = {(gy, gx)}, got {probs.shape}")
    # the whole grid as one picture, over the grid's extent
    picture = frame(f"regions{suffix}", {"x1_lo": xs[:1], "x1_hi": xs[-1:], "x2_lo": ys[:1], "x2_hi": ys[-1:],
                                         "url": np.array([_picture(probs, discretize, span)], dtype=object)})
    frames = named(picture)
    if targets:
        # every k-th edge: coarse cells whose centres are fine cells' centres (k odd), where P is known
        k = max(1, round(gx / TARGET_CELLS))
        cx, cy, cp = xs[::k], ys[::k], probs[k // 2 :: k, k // 2 :: k][: ys[::k].size - 1, : xs[::k].size - 1]
        n2, n1 = cp.shape
        frames |= named(frame(f"cells{suffix}", {
            "x1_lo": np.tile(cx[:n1], n2), "x1_hi": np.tile(cx[1 : n1 + 1], n2),
            "x2_lo": np.repeat(cy[:n2], n1), "x2_hi": np.repeat(cy[1 : n2 + 1], n1),
            "c1_lo": np.tile(cx[:n1], n2), "c2_lo": np.repeat(cy[:n2], n1),  # the hovered cell, for the fine ones
            "p": cp.reshape(-1),
        }))

    X = np.asarray(X, float).reshape(-1, 2)
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
    return frames | named(frame(f"points{suffix}", {k: np.asarray(v)[order] for k, v in cols.items()}))


def _decision_layers(
    frames: Frames,
    suffix: str,
    *,
    domain: Domain | None,
    discretize: bool,
    legend: bool,
    select: bool = False,
    fine: tuple[float, float, int] | None = None,
    span: Span = P_SPAN,
    value_title: str = "P(class 1)",
) -> list[alt.Chart]:
    """The picture, the invisible targets (if framed), and the dots of decision_chart. ``fine`` (cell width,
    height, cells per target side) adds the fine cells under the pointer, so a click lands on one of them."""
    x_scale, y_scale = _axes(domain)
    x_axis, y_axis = _tick_axes(domain)

    def leg(name: str, direction: str = "vertical") -> alt.Legend | None:
        # stacked entries and a short gradient keep the legends within a phone's width
        return (
            alt.Legend(title=name, orient="bottom", direction=direction, gradientLength=80)
            if legend
            else None
        )

    plane = dict(x=alt.X("x1_lo:Q", scale=x_scale, axis=x_axis, title="x1"), x2="x1_hi:Q",
                 y=alt.Y("x2_lo:Q", scale=y_scale, axis=y_axis, title="x2"), y2="x2_hi:Q")
    tooltip = [alt.Tooltip("p:Q", title=value_title, format=".3f")]
    # one pixel a cell, not smoothed: the map shows where the network was evaluated, as the rects did
    layers = [alt.Chart(frames[f"regions{suffix}"]).mark_image(aspect=False, smooth=False, clip=True)
              .encode(url="url:N", **plane)]
    if f"cells{suffix}" in frames:
        # invisible (opacity 0) but they take clicks and show the tooltip, and their colour draws the legend
        targets = (alt.Chart(frames[f"cells{suffix}"]).mark_rect(opacity=0, clip=True, aria=False)
                   .encode(color=alt.Color("p:Q", scale=_p_scale(discretize, span),
                                           legend=leg(value_title, "horizontal")),
                           tooltip=tooltip, **plane))
        if select:  # a click on a cell: the page adds a point at its centre
            targets = targets.add_params(
                alt.selection_point(name="click", on="click", fields=["x1_lo", "x1_hi", "x2_lo", "x2_hi"]))
        if fine is not None:
            targets = targets.add_params(alt.selection_point(
                name="hover", on="@targets_marks:pointerover", fields=["c1_lo", "c2_lo", "p"], clear=False,
            )).properties(name="targets")
        layers.append(targets)
        if fine is not None:
            layers.append(_fine_cells(*fine, plane, tooltip))
    wrong = alt.datum.wrong
    dots = (
        alt.Chart(frames[f"points{suffix}"])
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
                *([alt.Tooltip("p:Q", title=value_title, format=".4f")] if "p" in frames[f"points{suffix}"] else []),
            ],
        )
    )
    if select:  # a click on a point: the page removes the nearest one
        dots = dots.add_params(alt.selection_point(name="click_point", on="click", fields=["x1", "x2"]))
        dots = dots.properties(name="dots")  # a fixed view name, not Altair's generated one
    return [*layers, dots]


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
    span: Span = P_SPAN,
    value_title: str = "P(class 1)",
    subtitle: tuple[str, ...] = ("fill = truth · shape = prediction", "black ring = misclassified · hollow = test"),
) -> Figure:
    """Decision regions with the data on top.

    xs: (gx+1,) cell edges along x1; ys: (gy+1,) edges along x2; probs: (gy, gx) P(class 1) per cell,
    drawn red → white → blue over [0, 1] (two flat tints split at 0.5 with ``discretize``).
    X: (n, 2); y, pred: (n,) or (n, 1) 0/1 labels; is_test: (n,) bool; p: (n,) P(class 1) for tooltips.
    Fill = truth, shape = prediction (circle 0, square 1), black ring = misclassified, hollow = test.
    Without a domain the axes fit the data (the grid's extent when the points lie inside it). Frames
    "regions" (the grid's extent and the picture's url), "cells" (the targets: x1_lo, x1_hi, x2_lo, x2_hi,
    c1_lo, c2_lo, p) and "points" (x1, x2, truth, prediction, wrong, set[, p]).

    ``select`` adds two click selections for the page: "click" (a grid cell: x1_lo, x1_hi, x2_lo,
    x2_hi) and "click_point" (a point: x1, x2).

    The regions are one picture (a PNG, one pixel a cell: thousands of marks cost the browser seconds);
    clicks and the P(class 1) tooltip land on about 24 × 24 invisible targets, and, under the pointer, on
    the grid's own cells inside the target (made in the browser), so a click is as precise as the map.
    """
    frames = _decision_frames(xs, ys, probs, X, y, pred, is_test=is_test, p=p, discretize=discretize, span=span)
    xs = np.asarray(xs, float).reshape(-1)
    ys = np.asarray(ys, float).reshape(-1)
    k = max(1, round((xs.size - 1) / TARGET_CELLS))
    fine = (float(xs[1] - xs[0]), float(ys[1] - ys[0]), k) if k > 1 else None

    def build() -> alt.LayerChart:
        layers = _decision_layers(frames, "", domain=domain, discretize=discretize, legend=True, select=select,
                                  fine=fine, span=span, value_title=value_title)
        title = alt.Title("Decision regions" if span == P_SPAN else "Output", subtitle=list(subtitle))
        return stretch(alt.layer(*layers).resolve_scale(color="independent").properties(title=title), height)

    return Figure(frames, build)


def _panel_frames(pnl: dict, i: int, discretize: bool) -> Frames:
    """Panel i of small_multiples_chart: its frames "regions_i" (a picture), "points_i", "info_i" (the text
    under its name: the accuracy; no row for a regression panel)."""
    keys = ("xs", "ys", "probs", "X", "y", "pred")
    frames = _decision_frames(*(pnl[k] for k in keys), is_test=pnl.get("is_test"), p=pnl.get("p"),
                              discretize=discretize, targets=False, suffix=f"_{i}", span=pnl.get("span", P_SPAN))
    scored = pnl.get("span", P_SPAN) == P_SPAN
    accuracy = [float(np.mean(labels(pnl["y"]) == labels(pnl["pred"])))] if scored else []
    return frames | named(frame(f"info_{i}", {"accuracy": np.array(accuracy, float)}))


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
    "is_test", "p" and "span" (a regression panel: its output's range, and no accuracy). Panel i uses
    frames "grid_i", "points_i" and "info_i" (one row: accuracy; none for a regression panel), which a
    text mark shows under the panel's name; each panel's regions are one picture. ``title=False`` leaves
    out the overall title and its legend subtitle (for panels laid out one by one).
    """
    if not panels:
        raise ValueError("small_multiples_chart needs at least one panel")
    frames = {name: df for i, pnl in enumerate(panels) for name, df in _panel_frames(pnl, i, discretize).items()}

    def build() -> alt.ConcatChart:
        charts = []
        for i, pnl in enumerate(panels):
            layers = _decision_layers(frames, f"_{i}", domain=domain, discretize=discretize, legend=False,
                                      span=pnl.get("span", P_SPAN))
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
