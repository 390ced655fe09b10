"""Curves over epochs: the loss, the gradient flow, and several runs' losses overlaid.

The axes' extents come from the data in the browser, so they are not part of a chart's structure.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from lab.curves import downsample
from playground.charts import ORANGE, Figure, frame, named, stretch


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
    marks: pd.DataFrame | None = None,
) -> alt.LayerChart:
    """Lines per series plus a hover layer: the points nearest the pointer's epoch show with a tooltip.

    With ``highlight`` (a selection on the series field) the other lines are dimmed; ``marks`` (a frame of
    epoch and what) draws a dashed vertical rule at each of its epochs.
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
    rules = [] if marks is None else [
        alt.Chart(marks).mark_rule(color="#7a5c00", strokeDash=[4, 3], strokeWidth=1.5)
        .encode(x="epoch:Q", tooltip=[alt.Tooltip("epoch:Q", format=",.0f"), alt.Tooltip("what:N", title="at this epoch")])
    ]
    return stretch(alt.layer(lines, *rules, points), height).properties(title=title)


def loss_chart(
    epochs: np.ndarray,
    train: np.ndarray,
    test: np.ndarray | None = None,
    *,
    log_scale: bool = False,
    max_points: int = 600,
    height: int = 260,
    edits: np.ndarray | None = None,
) -> Figure:
    """Training (and test) loss per epoch. epochs, train, test: (T,), downsampled to ~max_points.

    Frame "loss": epoch, loss, series ("train"/"test"); the legend names only the curves drawn. ``edits``:
    the epochs (E,) where weights were set by hand, each marked by a dashed rule (frame "edits": epoch, what).
    """
    ys = {"train": train} if test is None else {"train": train, "test": test}
    x, ys = downsample(epochs, ys, max_points)
    frames = named(_long_frame("loss", {k: (x, v) for k, v in ys.items()}, "loss", "series", log_scale))
    if edits is not None:
        at, count = np.unique(np.asarray(edits, float).reshape(-1), return_counts=True)
        what = [f"{c} weight{'s' if c != 1 else ''} edited by hand" for c in count]
        frames |= named(frame("edits", {"epoch": at, "what": np.array(what, dtype=object)}))
    return Figure(frames, lambda: _curves_chart(
        frames["loss"],
        value="loss",
        series="series",
        colour=alt.Scale(domain=list(ys), range=["#3b3b3b", ORANGE][: len(ys)]),
        log_scale=log_scale,
        height=height,
        title="Loss",
        y_title="loss (log scale)" if log_scale else "loss",
        legend_title="set",
        marks=frames.get("edits"),
    ))


def grad_flow_chart(
    epochs: np.ndarray,
    norms: list[np.ndarray],
    *,
    log_scale: bool = True,
    max_points: int = 600,
    height: int = 220,
) -> Figure:
    """Per-layer gradient norms ‖dW_l‖: epochs (T,) and one (T,) series per layer. Frame "grad": epoch,
    norm, layer "W1".."WL"."""
    names = [f"W{i + 1}" for i in range(len(norms))]
    x, ys = downsample(epochs, dict(zip(names, norms)), max_points)
    frames = named(_long_frame("grad", {k: (x, v) for k, v in ys.items()}, "norm", "layer", log_scale))
    return Figure(frames, lambda: _curves_chart(
        frames["grad"],
        value="norm",
        series="layer",
        colour=alt.Scale(domain=names, scheme="tableau10"),
        log_scale=log_scale,
        height=height,
        title="Gradient flow",
        legend_title="layer",
        y_title="‖dW‖ (log scale)" if log_scale else "‖dW‖",
    ))


def overlay_loss_chart(
    runs: dict[str, tuple[np.ndarray, np.ndarray]],
    *,
    log_scale: bool = False,
    max_points: int = 400,
    height: int = 300,
    title: str = "Loss per run",
) -> Figure:
    """One loss curve per run {name: (epochs (T,), loss (T,))}, each downsampled; frame "runs": epoch, loss, run.

    Clicking a legend entry selects that run (selection "run", bound to the legend) and dims the others.
    """
    curves = {}
    for name, (x, y) in runs.items():
        xd, yd = downsample(x, {"loss": y}, max_points)
        curves[name] = (xd, yd["loss"])
    frames = named(_long_frame("runs", curves, "loss", "run", log_scale))
    return Figure(frames, lambda: _curves_chart(
        frames["runs"],
        value="loss",
        series="run",
        colour=alt.Scale(domain=list(runs), scheme="tableau10"),
        log_scale=log_scale,
        height=height,
        title=title,
        legend_title="run",
        y_title="loss (log scale)" if log_scale else "loss",
        highlight=alt.selection_point(fields=["run"], bind="legend", name="run"),
    ))
