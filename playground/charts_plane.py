"""Chart builders for the plane (x1, x2): decision regions, run small multiples, the report's figure.

Pure functions like those in charts (which re-exports them). Labels are 0/1 (red = 0, blue = 1, as in
the lab's show_result); probabilities are P(class 1); a domain is (x1_min, x1_max, x2_min, x2_max) and
every layer on the plane uses the same non-nice scales fixed to it.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from playground.chart_data import BLUE_TINT, RED_TINT, class_scale, frame, labels, square_domain, stretch

Domain = tuple[float, float, float, float]


def _axes(domain: Domain) -> tuple[alt.Scale, alt.Scale]:
    """Non-nice x1/x2 scales fixed to the domain, shared by every layer on the plane."""
    return (
        alt.Scale(domain=[float(domain[0]), float(domain[1])], nice=False, zero=False),
        alt.Scale(domain=[float(domain[2]), float(domain[3])], nice=False, zero=False),
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
    width: int | str = "container",
    legend: bool = True,
    suffix: str = "",
) -> alt.LayerChart:
    """Decision regions with the data on top.

    xs: (gx+1,) cell edges along x1; ys: (gy+1,) edges along x2; probs: (gy, gx) P(class 1) per cell,
    drawn red → white → blue over [0, 1] (two flat tints split at 0.5 with ``discretize``).
    X: (n, 2); y, pred: (n,) or (n, 1) 0/1 labels; is_test: (n,) bool; p: (n,) P(class 1) for tooltips.
    Fill = truth, shape = prediction (circle 0, square 1), black ring = misclassified, hollow = test.
    Domain defaults to the grid's extent. Frames "grid"+suffix (x1_lo, x1_hi, x2_lo, x2_hi, p) and
    "points"+suffix (x1, x2, truth, prediction, wrong, set[, p]); distinct suffixes let several of these
    charts share one spec. ``legend=False`` drops the legends (the subtitle still explains the marks).
    """
    xs, ys, probs = (
        np.asarray(xs, float).reshape(-1),
        np.asarray(ys, float).reshape(-1),
        np.asarray(probs, float),
    )
    gy, gx = ys.size - 1, xs.size - 1
    if probs.shape != (gy, gx):
        raise ValueError(f"probs must have shape (len(ys)-1, len(xs)-1) = {(gy, gx)}, got {probs.shape}")
    x_scale, y_scale = _axes(domain if domain is not None else (xs[0], xs[-1], ys[0], ys[-1]))

    def leg(name: str, direction: str = "vertical") -> alt.Legend | None:
        # stacked entries and a short gradient keep the legends within a phone's width
        return (
            alt.Legend(title=name, orient="bottom", direction=direction, gradientLength=80)
            if legend
            else None
        )

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
    if discretize:
        p_scale = alt.Scale(type="threshold", domain=[0.5], range=[RED_TINT, BLUE_TINT])
    else:
        p_scale = alt.Scale(domain=[0.0, 0.5, 1.0], range=[RED_TINT, "#ffffff", BLUE_TINT])
    regions = (
        alt.Chart(grid)
        .transform_calculate(p_edge="datum.p")
        .mark_rect(clip=True, strokeWidth=0.6)  # a stroke in the fill colour hides anti-aliasing seams
        .encode(
            x=alt.X("x1_lo:Q", scale=x_scale, title="x1"),
            x2="x1_hi:Q",
            y=alt.Y("x2_lo:Q", scale=y_scale, title="x2"),
            y2="x2_hi:Q",
            color=alt.Color("p:Q", scale=p_scale, legend=leg("P(class 1)", "horizontal")),
            # a copy of p, so this legend-less channel does not merge into (and spoil) the gradient legend
            stroke=alt.Stroke("p_edge:Q", scale=p_scale, legend=None),
            tooltip=[alt.Tooltip("p:Q", title="P(class 1)", format=".3f")],
        )
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
    points = frame(f"points{suffix}", {k: np.asarray(v)[order] for k, v in cols.items()})
    wrong = alt.datum.wrong
    dots = (
        alt.Chart(points)
        .transform_calculate(ring="datum.truth")  # a copy, so the truth legend keeps plain symbols
        .mark_point(filled=True, size=70, clip=True)
        .encode(
            x=alt.X("x1:Q", scale=x_scale, title="x1"),
            y=alt.Y("x2:Q", scale=y_scale, title="x2"),
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
                *([alt.Tooltip("p:Q", title="P(class 1)", format=".4f")] if p is not None else []),
            ],
        )
    )
    title = alt.Title(
        "Decision regions",
        subtitle=["fill = truth · shape = prediction", "black ring = misclassified · hollow = test"],
    )
    chart = alt.layer(regions, dots).resolve_scale(color="independent").properties(title=title)
    return stretch(chart, height) if width == "container" else chart.properties(width=width, height=height)


def small_multiples_chart(
    panels: list[dict], *, domain: Domain, size: int = 220, columns: int = 3, discretize: bool = False
) -> alt.ConcatChart:
    """Decision regions of several runs on the same axes and colour scales, ``columns`` panels a row.

    Each panel: {"name", "xs", "ys", "probs", "X", "y", "pred"} as for decision_chart, optionally
    "is_test" and "p". Panel i uses frames "grid_i" and "points_i"; its subtitle gives its accuracy.
    """
    if not panels:
        raise ValueError("small_multiples_chart needs at least one panel")
    charts = []
    for i, pnl in enumerate(panels):
        accuracy = float(np.mean(labels(pnl["y"]) == labels(pnl["pred"])))
        charts.append(
            decision_chart(
                pnl["xs"],
                pnl["ys"],
                pnl["probs"],
                pnl["X"],
                pnl["y"],
                pnl["pred"],
                is_test=pnl.get("is_test"),
                p=pnl.get("p"),
                discretize=discretize,
                domain=domain,
                width=size,
                height=size,
                legend=False,
                suffix=f"_{i}",
            ).properties(title=alt.Title(str(pnl["name"]), subtitle=f"accuracy {accuracy:.1%}"))
        )
    return alt.concat(*charts, columns=columns).properties(
        autosize=alt.AutoSizeParams(type="pad"),  # fixed-size panels: no fitting to the container
        title=alt.Title(
            "Decision regions per run",
            subtitle=[
                "red = class 0, blue = class 1 · fill = truth",
                "square = predicted 1 · black ring = wrong",
            ],
        ),
    )


def _label_dots(df: pd.DataFrame, domain: Domain) -> alt.Chart:
    """Points of a frame with x1, x2 and label ("0"/"1"), red 0 / blue 1, on the domain's axes."""
    x_scale, y_scale = _axes(domain)
    return (
        alt.Chart(df)
        .mark_circle(size=70, opacity=0.9, clip=True)
        .encode(
            x=alt.X("x1:Q", scale=x_scale, title="x1"),
            y=alt.Y("x2:Q", scale=y_scale, title="x2"),
            color=alt.Color(
                "label:N", scale=class_scale(), legend=alt.Legend(title="label", orient="bottom")
            ),
            tooltip=[alt.Tooltip("x1:Q", format=".3f"), alt.Tooltip("x2:Q", format=".3f"), "label:N"],
        )
    )


def truth_vs_prediction_chart(
    X: np.ndarray,
    y: np.ndarray,
    pred: np.ndarray,
    *,
    domain: Domain | None = None,
    height: int = 300,
    columns: int = 2,
) -> alt.FacetChart:
    """The lab report's figure: "Ground truth" and "Prediction" panels on the same axes, red 0 / blue 1.

    X: (n, 2); y, pred: (n,) or (n, 1) 0/1 labels. Each panel is height × height px: a facet cannot
    stretch to the container, so two panels overflow a phone; pass columns=1 to stack them, or put two
    ``labels_chart`` in ``st.columns`` (which stack on narrow screens). Frame "scatter": panel, x1, x2,
    label. The subtitle gives the accuracy.
    """
    X = np.asarray(X, float)
    truth, guess = labels(y), labels(pred)
    n, correct = truth.size, int(np.sum(truth == guess))
    panels = ["Ground truth", "Prediction"]
    df = frame(
        "scatter",
        {
            "panel": np.repeat(panels, n),
            "x1": np.tile(X[:, 0], 2),
            "x2": np.tile(X[:, 1], 2),
            "label": np.concatenate([truth, guess]).astype(str),
        },
    )
    return (
        _label_dots(df, domain if domain is not None else square_domain(X))
        .properties(width=height, height=height)
        .facet(
            facet=alt.Facet("panel:N", sort=panels, title=None, header=alt.Header(labelFontSize=14)),
            columns=columns,
        )
        .properties(
            title=alt.Title(
                "Ground truth vs prediction", subtitle=f"accuracy {correct / max(n, 1):.2%} ({correct}/{n})"
            )
        )
    )


def labels_chart(
    X: np.ndarray, y: np.ndarray, *, title: str, domain: Domain | None = None, height: int = 300
) -> alt.Chart:
    """One panel of that figure at the container's width: X (n, 2), y (n,) or (n, 1) 0/1 labels.

    Frame "labels": x1, x2, label.
    """
    X = np.asarray(X, float)
    df = frame("labels", {"x1": X[:, 0], "x2": X[:, 1], "label": labels(y).astype(str)})
    return stretch(_label_dots(df, domain if domain is not None else square_domain(X)), height).properties(
        title=title
    )
