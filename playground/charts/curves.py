"""Chart builders for the page. This module draws the curves over epochs (loss, gradient flow, pinned
runs) and re-exports the rest, so the page imports one module:

- charts_plane: decision regions, run small multiples, the report's ground-truth-vs-prediction figure;
- charts_network: the network diagram and the per-neuron activation maps;
- chart_data: colours, named float32 frames, ``downsample``, ``square_domain``, ``vega_spec``.

All are pure functions: numpy arrays and plain values in, Altair 6 charts out; they never call
Streamlit and never import mlp. Every ``X_chart`` has an ``X_frames`` twin taking the same arguments
and returning only the chart's named frames; the chart's spec apart from its frames depends only on
the arguments its docstring calls structural (see ``playground.specs.SpecCache``). On these curves
the axes' extents come from the data in the browser, so they are not structural.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from playground.chart_data import ORANGE, Frames, downsample, frame, named, square_domain, stretch, vega_spec
from playground.charts_network import network_chart, network_frames, neuron_maps_chart, neuron_maps_frames
from playground.charts_plane import (
    decision_chart,
    decision_frames,
    labels_chart,
    labels_frames,
    small_multiples_chart,
    small_multiples_frames,
    truth_vs_prediction_chart,
    truth_vs_prediction_frames,
)

__all__ = [
    "Frames",
    "decision_chart",
    "decision_frames",
    "downsample",
    "grad_flow_chart",
    "grad_flow_frames",
    "labels_chart",
    "labels_frames",
    "loss_chart",
    "loss_frames",
    "network_chart",
    "network_frames",
    "neuron_maps_chart",
    "neuron_maps_frames",
    "overlay_loss_chart",
    "overlay_loss_frames",
    "small_multiples_chart",
    "small_multiples_frames",
    "square_domain",
    "truth_vs_prediction_chart",
    "truth_vs_prediction_frames",
    "vega_spec",
]


def _long_frame(
    name: str, curves: dict[str, tuple[np.ndarray, np.ndarray]], value: str, series: str, log_scale: bool
) -> pd.DataFrame:
    """Long form (epoch, value, series) of curves {key: (x (t,), y (t,))}.

    Non-finite values are dropped (a diverged run would otherwise wreck the axis); on a log axis,
    non-positive ones too.
    """
    parts: dict[str, list[np.ndarray]] = {"epoch": [], value: [], series: []}
    for key, (x, y) in curves.items():
        x, y = np.asarray(x, float).reshape(-1), np.asarray(y, float).reshape(-1)
        keep = np.isfinite(y) & (y > 0) if log_scale else np.isfinite(y)
        parts["epoch"].append(x[keep])
        parts[value].append(y[keep])
        parts[series].append(np.full(int(keep.sum()), key, dtype=object))
    return frame(name, {k: np.concatenate(v) if v else np.array([]) for k, v in parts.items()})


def _curves_chart(
    df: pd.DataFrame,
    *,
    value: str,
    series: str,
    colour: alt.Scale,
    log_scale: bool,
    height: int,
    title: str,
    y_title: str,
    legend_title: str,
    highlight: alt.Parameter | None = None,
) -> alt.LayerChart:
    """Lines per series plus a hover layer: the points nearest the pointer's epoch show with a tooltip.

    With ``highlight`` (a selection on the series field) the other lines are dimmed.
    """
    hover = alt.selection_point(
        name="hover", fields=["epoch"], nearest=True, on="pointerover", clear="pointerout", empty=False
    )
    base = alt.Chart(df).encode(
        x=alt.X("epoch:Q", title="epoch", scale=alt.Scale(nice=False)),
        y=alt.Y(f"{value}:Q", title=y_title, scale=alt.Scale(type="log") if log_scale else alt.Scale()),
        color=alt.Color(f"{series}:N", scale=colour, legend=alt.Legend(title=legend_title, orient="top")),
    )
    lines = base.mark_line(strokeWidth=2).properties(name="lines")  # fixed view names keep the spec stable
    if highlight is not None:
        lines = lines.encode(opacity=alt.when(highlight).then(alt.value(1.0)).otherwise(alt.value(0.15)))
        lines = lines.add_params(highlight)
    points = (
        base.mark_point(filled=True, size=50)
        .properties(name="hover_points")
        .encode(
            opacity=alt.when(hover).then(alt.value(1.0)).otherwise(alt.value(0.0)),
            tooltip=[
                alt.Tooltip(f"{series}:N", title=legend_title),
                alt.Tooltip("epoch:Q", format=",.0f"),
                alt.Tooltip(f"{value}:Q", title=y_title, format=".5g"),
            ],
        )
        .add_params(hover)
    )
    return stretch(alt.layer(lines, points), height).properties(title=title)


def loss_frames(
    epochs: np.ndarray,
    train: np.ndarray,
    test: np.ndarray | None = None,
    *,
    log_scale: bool = False,
    max_points: int = 600,
    height: int = 260,
) -> Frames:
    """loss_chart's frame "loss" (epoch, loss, series "train"/"test"), downsampled to ~max_points."""
    ys = {"train": train} if test is None else {"train": train, "test": test}
    x, ys = downsample(epochs, ys, max_points)
    return named(_long_frame("loss", {k: (x, v) for k, v in ys.items()}, "loss", "series", log_scale))


def loss_chart(
    epochs: np.ndarray,
    train: np.ndarray,
    test: np.ndarray | None = None,
    *,
    log_scale: bool = False,
    max_points: int = 600,
    height: int = 260,
) -> alt.LayerChart:
    """Training (and test) loss per epoch. epochs, train, test: (T,). Frame "loss": epoch, loss, series.

    Structural: log_scale, height, and whether ``test`` is given (the legend names only the curves drawn).
    """
    frames = loss_frames(epochs, train, test, log_scale=log_scale, max_points=max_points, height=height)
    return _curves_chart(
        frames["loss"],
        value="loss",
        series="series",
        colour=alt.Scale(domain=["train"] if test is None else ["train", "test"], range=["#3b3b3b", ORANGE]),
        log_scale=log_scale,
        height=height,
        title="Loss",
        y_title="loss (log scale)" if log_scale else "loss",
        legend_title="set",
    )


def _layer_names(norms: np.ndarray) -> list[str]:
    """Layer names W1..WL for norms of shape (T, L), or W1 alone for (T,)."""
    return [f"W{i + 1}" for i in range(1 if np.ndim(norms) == 1 else np.shape(norms)[1])]


def grad_flow_frames(
    epochs: np.ndarray,
    norms: np.ndarray,
    *,
    log_scale: bool = True,
    max_points: int = 600,
    height: int = 220,
) -> Frames:
    """grad_flow_chart's frame "grad" (epoch, norm, layer "W1".."WL"), downsampled to ~max_points."""
    norms = np.asarray(norms, float)
    norms = norms[:, None] if norms.ndim == 1 else norms
    x, ys = downsample(epochs, {n: norms[:, i] for i, n in enumerate(_layer_names(norms))}, max_points)
    return named(_long_frame("grad", {k: (x, v) for k, v in ys.items()}, "norm", "layer", log_scale))


def grad_flow_chart(
    epochs: np.ndarray,
    norms: np.ndarray,
    *,
    log_scale: bool = True,
    max_points: int = 600,
    height: int = 220,
) -> alt.LayerChart:
    """Per-layer gradient norms ‖dW_l‖. epochs: (T,), norms: (T, L). Frame "grad": epoch, norm, layer "W1".."WL".

    Structural: the number of layers L, log_scale, height.
    """
    frames = grad_flow_frames(epochs, norms, log_scale=log_scale, max_points=max_points, height=height)
    return _curves_chart(
        frames["grad"],
        value="norm",
        series="layer",
        colour=alt.Scale(domain=_layer_names(norms), scheme="tableau10"),
        log_scale=log_scale,
        height=height,
        title="Gradient flow",
        legend_title="layer",
        y_title="‖dW‖ (log scale)" if log_scale else "‖dW‖",
    )


def overlay_loss_frames(
    runs: dict[str, tuple[np.ndarray, np.ndarray]],
    *,
    log_scale: bool = False,
    max_points: int = 400,
    height: int = 300,
) -> Frames:
    """overlay_loss_chart's frame "runs" (epoch, loss, run), each run downsampled to ~max_points."""
    curves = {}
    for name, (x, y) in runs.items():
        xd, yd = downsample(x, {"loss": y}, max_points)
        curves[name] = (xd, yd["loss"])
    return named(_long_frame("runs", curves, "loss", "run", log_scale))


def overlay_loss_chart(
    runs: dict[str, tuple[np.ndarray, np.ndarray]],
    *,
    log_scale: bool = False,
    max_points: int = 400,
    height: int = 300,
) -> alt.LayerChart:
    """One loss curve per pinned run {name: (epochs (T,), loss (T,))}; frame "runs": epoch, loss, run.

    Clicking a legend entry selects that run (selection "run", bound to the legend) and dims the others.
    Structural: the run names in order (``list(runs)``), log_scale, height.
    """
    frames = overlay_loss_frames(runs, log_scale=log_scale, max_points=max_points, height=height)
    return _curves_chart(
        frames["runs"],
        value="loss",
        series="run",
        colour=alt.Scale(domain=list(runs), scheme="tableau10"),
        log_scale=log_scale,
        height=height,
        title="Loss per run",
        legend_title="run",
        y_title="loss (log scale)" if log_scale else "loss",
        highlight=alt.selection_point(fields=["run"], bind="legend", name="run"),
    )
