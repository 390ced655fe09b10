"""The hidden space: the input plane's lattice and the points as a hidden layer sees them (`lab.hidden`).

Lines of constant x1 are drawn dark, lines of constant x2 light, so a fold shows which way the plane bent;
the points are red (class 0) and blue (class 1), as on the decision regions. For the last hidden layer on
its two units, the output unit's line is drawn black and dashed, over the output's own colours (the
decision regions' red → white → blue), so the plane reads as the output unit sees it.

Everything that moves from frame to frame is data (the lattice, the points, the line, the picture, the
extent the axes cover), so an animation keeps one spec: only the axis titles shape it.
"""

from __future__ import annotations

import altair as alt
import numpy as np

from playground.charts import Figure, Frames, class_scale, frame, labels, named, stretch
from playground.charts.plane import P_SPAN, Span, _picture

DARK, LIGHT = "#4a4a4a", "#b3b3b3"  # lattice lines of constant x1, of constant x2
DIRECTIONS = ("x1 fixed", "x2 fixed")


def _frames(lines: np.ndarray, points: np.ndarray, truth: np.ndarray, extent: np.ndarray,
            boundary: np.ndarray | None, background: np.ndarray | None, span: Span) -> Frames:
    """The chart's frames: "background" (the picture over the extent, when given), "lattice" (u, v, line, k,
    direction), "boundary" (its two ends, when given), "points" (u, v, truth, point), "extent" (two corners)."""
    lines = np.asarray(lines, float)
    if lines.ndim != 3 or lines.shape[2] != 2 or lines.shape[0] % 2:
        raise ValueError(f"lines must be (2·L, S, 2), got {lines.shape}")
    points = np.asarray(points, float).reshape(-1, 2)
    truth = labels(truth)
    if truth.size != len(points):
        raise ValueError(f"one label per point: {len(points)} points, {truth.size} labels")
    u0, u1, v0, v1 = (float(e) for e in np.asarray(extent, float).reshape(4))
    count, samples = lines.shape[:2]
    line = np.repeat(np.arange(count), samples)
    frames: Frames = {}  # in the order the layers draw them: what a spec's datasets list
    if background is not None:
        picture = _picture(np.asarray(background, float), False, span)
        frames |= named(frame("background", {"u0": [u0], "u1": [u1], "v0": [v0], "v1": [v1],
                                             "url": np.array([picture], dtype=object)}))
    frames |= named(frame("lattice", {"u": lines[..., 0].reshape(-1), "v": lines[..., 1].reshape(-1), "line": line,
                                      "k": np.tile(np.arange(samples), count),
                                      "direction": np.array(DIRECTIONS, dtype=object)[(line >= count // 2).astype(int)]}))
    if boundary is not None:
        ends = np.asarray(boundary, float).reshape(-1, 2)
        frames |= named(frame("boundary", {"u": ends[:, 0], "v": ends[:, 1]}))
    frames |= named(
        frame("points", {"u": points[:, 0], "v": points[:, 1], "truth": truth.astype(str),
                         "point": np.arange(1, len(points) + 1)}),
        frame("extent", {"u": np.array([u0, u1]), "v": np.array([v0, v1])}),
    )
    return frames


def hidden_space_chart(
    lines: np.ndarray,
    points: np.ndarray,
    truth: np.ndarray,
    *,
    extent: np.ndarray,
    titles: tuple[str, str],
    boundary: np.ndarray | None = None,
    background: np.ndarray | None = None,
    span: Span = P_SPAN,
    height: int = 380,
) -> Figure:
    """The hidden space of one frame.

    lines: (2·L, S, 2) the lattice in the plane (L lines of constant x1, then L of constant x2, S samples
    each); points: (n, 2); truth: (n,) 0/1 labels (for regression, the target's sign); extent: (u0, u1, v0,
    v1), what the axes cover (kept over an animation's frames, so the picture moves and the axes stay);
    titles: the axes' titles; boundary: (2, 2) the ends of the output unit's line, or None; background:
    (res, res) the output over the extent (row 0 the lowest v), coloured over ``span``, or None.
    """
    frames = _frames(lines, points, truth, extent, boundary, background, span)
    return Figure(frames, lambda: _chart(frames, titles, height))


def _chart(frames: Frames, titles: tuple[str, str], height: int) -> alt.LayerChart:
    fit, ticks = alt.Scale(zero=False, nice=False), alt.Axis(tickCount=8)
    u = alt.X("u:Q", title=titles[0], scale=fit, axis=ticks)
    v = alt.Y("v:Q", title=titles[1], scale=fit, axis=ticks)
    layers = []
    if "background" in frames:
        layers.append(alt.Chart(frames["background"]).mark_image(aspect=False, smooth=False, opacity=0.8)
                      .encode(x=alt.X("u0:Q", title=titles[0], scale=fit, axis=ticks), x2="u1:Q",
                              y=alt.Y("v0:Q", title=titles[1], scale=fit, axis=ticks), y2="v1:Q", url="url:N"))
    layers.append(
        alt.Chart(frames["lattice"]).mark_line(strokeWidth=1, opacity=0.75, clip=True)
        .encode(x=u, y=v, detail="line:N", order="k:Q",
                color=alt.Color("direction:N", scale=alt.Scale(domain=list(DIRECTIONS), range=[DARK, LIGHT]),
                                legend=alt.Legend(title="input lattice", orient="bottom")))
    )
    if "boundary" in frames:
        layers.append(alt.Chart(frames["boundary"]).mark_line(color="black", strokeWidth=2.5, strokeDash=[6, 4],
                                                               clip=True).encode(x=u, y=v))
    layers.append(
        alt.Chart(frames["points"]).mark_circle(size=55, opacity=0.95, stroke="white", strokeWidth=0.8, clip=True)
        .encode(x=u, y=v,
                fill=alt.Fill("truth:N", scale=class_scale(), legend=alt.Legend(title="class", orient="bottom")),
                tooltip=[alt.Tooltip("point:Q", title="point"), alt.Tooltip("truth:N", title="class"),
                         alt.Tooltip("u:Q", title=titles[0], format=".3f"),
                         alt.Tooltip("v:Q", title=titles[1], format=".3f")])
    )
    layers.append(alt.Chart(frames["extent"]).mark_point(opacity=0).encode(x=u, y=v))  # the axes cover the extent
    return stretch(alt.layer(*layers).resolve_scale(color="independent"), height)
