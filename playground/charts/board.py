"""A class's runs as points: one setting across, the final loss up, another setting as the colour.

The class doing the report's sweep together: each student's run is one point of the landscape.
"""

from __future__ import annotations

import altair as alt
import numpy as np

from playground.charts import Figure, frame, named, stretch


def landscape_chart(
    x: np.ndarray,
    loss: np.ndarray,
    colour: np.ndarray,
    names: np.ndarray,
    *,
    x_title: str,
    colour_title: str,
    numeric: bool = True,
    log_x: bool = False,
    height: int = 300,
) -> Figure:
    """Each run a point: ``x`` (n,) its value of one setting (numbers when ``numeric``, else labels), ``loss``
    (n,) its final loss on a log axis, ``colour`` (n,) its value of another setting, ``names`` (n,) for the
    tooltip.
    Frame "runs": x, loss, colour, name (non-finite losses are dropped: a log axis cannot show them)."""
    loss = np.asarray(loss, float)
    keep = np.isfinite(loss) & (loss > 0)
    xs = np.asarray(x, dtype=float if numeric else object)[keep]
    frames = named(frame("runs", {"x": xs, "loss": loss[keep], "colour": np.asarray(colour, object)[keep],
                                  "name": np.asarray(names, object)[keep]}))

    def build() -> alt.Chart:
        x_enc = (alt.X("x:Q", title=x_title, scale=alt.Scale(type="log") if log_x else alt.Scale(zero=False))
                 if numeric else alt.X("x:N", title=x_title))
        return stretch(
            alt.Chart(frames["runs"])
            .mark_point(filled=True, size=110, opacity=0.85)
            .encode(
                x=x_enc,
                y=alt.Y("loss:Q", title="final loss (log scale)", scale=alt.Scale(type="log")),
                color=alt.Color("colour:N", title=colour_title, legend=alt.Legend(orient="top")),
                tooltip=[alt.Tooltip("name:N", title="run"), alt.Tooltip("x:Q" if numeric else "x:N", title=x_title),
                         alt.Tooltip("colour:N", title=colour_title), alt.Tooltip("loss:Q", format=".4g")],
            ),
            height,
        ).properties(title="Class landscape")

    return Figure(frames, build)
