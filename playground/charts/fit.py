"""A regression's predictions against the true targets: one dot a point, and the line y = x where a perfect
network puts every dot.

Both axes span the same range, the targets' [−1, 1] widened to every prediction, so the line is the plot's
diagonal: a dot above it is predicted too high, below it too low, and its distance up or down is the error.
The range comes from the data (a small two-row frame drawn as the line), not from the spec.
"""

from __future__ import annotations

import altair as alt
import numpy as np

from lab.plane import output_span
from playground.charts import BLUE, GREY, Figure, frame, named, stretch


def fit_chart(target: np.ndarray, predicted: np.ndarray, *, height: int = 320,
              title: str = "Predicted against true") -> Figure:
    """target, predicted: (n,) or (n, 1), the points' true values and the network's outputs, point i numbered i+1
    ("Iter", as the prediction table numbers them). Non-finite predictions (a diverged run) are left out.

    Frames "diagonal" (v: the range's two ends, drawn as (v, v): the line y = x, which also fixes both axes to
    one range) and "fit" (iter, target, predicted, error = predicted − target)."""
    target = np.asarray(target, float).reshape(-1)
    predicted = np.asarray(predicted, float).reshape(-1)
    if predicted.size != target.size:
        raise ValueError(f"target and predicted must have one value per point, got {target.size} and {predicted.size}")
    keep = np.isfinite(predicted) & np.isfinite(target)
    lo, hi = output_span("regression")
    if keep.any():
        lo, hi = min(lo, target[keep].min(), predicted[keep].min()), max(hi, target[keep].max(), predicted[keep].max())
    frames = named(
        frame("diagonal", {"v": np.array([lo, hi])}),
        frame("fit", {"iter": np.arange(1, target.size + 1)[keep], "target": target[keep],
                      "predicted": predicted[keep], "error": (predicted - target)[keep]}),
    )

    def build() -> alt.LayerChart:
        axes = {"scale": alt.Scale(nice=False, zero=False)}
        line = (alt.Chart(frames["diagonal"]).mark_line(color=GREY, strokeDash=[5, 4], strokeWidth=1.5)
                .encode(x=alt.X("v:Q", title="true value (target)", **axes), y=alt.Y("v:Q", title="prediction", **axes)))
        dots = (alt.Chart(frames["fit"]).mark_circle(size=55, color=BLUE, opacity=0.75, stroke="white", strokeWidth=0.5)
                .encode(x="target:Q", y="predicted:Q",
                        tooltip=[alt.Tooltip("iter:Q", title="Iter", format="d"),
                                 alt.Tooltip("target:Q", format=".4f"), alt.Tooltip("predicted:Q", format=".4f"),
                                 alt.Tooltip("error:Q", title="error (predicted − target)", format=".4f")]))
        subtitle = ["dashed: y = x, a perfect prediction", "above the line: predicted too high"]
        return stretch(alt.layer(line, dots), height).properties(title=alt.Title(title, subtitle=subtitle))

    return Figure(frames, build)
