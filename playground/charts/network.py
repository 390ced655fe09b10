"""Inside the network: the weight diagram and the per-neuron activation maps.

Every magnitude the marks show (line widths, opacities, bias labels, map colours) is a frame column, so
the spec depends only on the network's shape (the weights' and maps' shapes past their first axis). Weights follow ``X @ W + b``: weights[l]
has shape (fan_in, fan_out), biases[l] shape (fan_out,) or (1, fan_out). Colours: blue = positive,
orange = negative, for weights and biases alike.
"""

from __future__ import annotations

import re

import altair as alt
import numpy as np
import pandas as pd

from playground.charts import BLUE, GOLD, GREY, ORANGE, RED, Figure, Frames, frame, named, stretch
from playground.charts.raster import grid_data_url, linear_rgb

DENSE_EDGES = 200  # above this many edges, lines get thinner and fainter so the diagram stays legible
MARK = re.compile(r"d([Wb])([1-9]\d*)")  # a parameter's gradient as companion.gradcheck names it: dW2, db3


def _layout(sizes: list[int]) -> list[np.ndarray]:
    """Vertical position in (0, 1) of each neuron, layer by layer, centred, equally spaced across layers."""
    step = 1.0 / max(max(sizes), 2)
    return [0.5 + ((m - 1) / 2 - np.arange(m)) * step for m in sizes]


def _sizes(weights: list[np.ndarray]) -> list[int]:
    """Units per layer, inputs first, from the weight matrices' shapes (fan_in, fan_out)."""
    return [np.shape(weights[0])[0]] + [np.shape(W)[1] for W in weights]


def neuron_names(sizes: list[int], input_names: tuple[str, ...] = ("x1", "x2")) -> list[list[str]]:
    """Per layer, its neurons' names as the diagram shows them: the inputs (``input_names`` when there are
    that many, else x1, x2, …), h1.1 … for hidden layer 1's units, and "out"."""
    names = [list(input_names) if len(input_names) == sizes[0] else [f"x{i + 1}" for i in range(sizes[0])]]
    names += [[f"h{layer}.{j + 1}" for j in range(m)] for layer, m in enumerate(sizes[1:-1], 1)]
    names.append(["out"] if sizes[-1] == 1 else [f"out{j + 1}" for j in range(sizes[-1])])
    return names


def _marked_layers(marked: tuple[str, ...], layers: int) -> tuple[set[int], set[int]]:
    """The 1-based layers whose weights (dW) and whose biases (db) are marked; raises on an unknown name."""
    found: dict[str, set[int]] = {"W": set(), "b": set()}
    for name in marked:
        m = MARK.fullmatch(name) if isinstance(name, str) else None
        if m is None or int(m.group(2)) > layers:
            raise ValueError(f"marked: {name!r} is not dW1 … dW{layers} or db1 … db{layers}")
        found[m.group(1)].add(int(m.group(2)))
    return found["W"], found["b"]


def _network_frames(
    weights: list[np.ndarray],
    biases: list[np.ndarray],
    input_names: tuple[str, ...],
    marked: tuple[str, ...] = (),
    focus: np.ndarray | None = None,
) -> Frames:
    """The diagram's frames "edges", "nodes" and "heads" (see network_chart); raises on inconsistent shapes."""
    Ws = [np.asarray(W, float) for W in weights]
    bs = [np.asarray(b, float).reshape(-1) for b in biases]
    if not Ws or len(bs) != len(Ws):
        raise ValueError(f"need one bias vector per weight matrix, got {len(Ws)} and {len(bs)}")
    sizes = _sizes(Ws)
    for layer, (W, b) in enumerate(zip(Ws, bs)):
        if W.shape[0] != sizes[layer] or b.size != W.shape[1]:
            raise ValueError(
                f"layer {layer + 1}: W {W.shape} does not follow {sizes[layer]} units or b {b.shape}"
            )
    marked_W, marked_b = _marked_layers(marked, len(Ws))
    focused = np.zeros(sum(sizes), bool) if focus is None else np.asarray(focus, bool).reshape(-1)
    if focused.size != sum(sizes):
        raise ValueError(f"focus: expected one flag per neuron ({sum(sizes)}), got {focused.size}")
    names = neuron_names(sizes, input_names)
    pos = _layout(sizes)
    starts = np.cumsum([0, *sizes])  # where each layer's neurons begin in the flat node order

    # edges: W[i, j] joins unit i of layer l to unit j of layer l+1; ravel walks j fastest, as i/j do
    parts: dict[str, list] = {k: [] for k in ("x", "y", "x_to", "y_to", "w", "weight", "source", "target", "focus",
                                              "i", "j")}
    for layer, W in enumerate(Ws):
        i, j = (a.ravel() for a in np.meshgrid(np.arange(W.shape[0]), np.arange(W.shape[1]), indexing="ij"))
        parts["focus"].append(focused[starts[layer] + i] & focused[starts[layer + 1] + j])
        parts["x"].append(np.full(i.size, layer))
        parts["x_to"].append(np.full(i.size, layer + 1))
        parts["y"].append(pos[layer][i])
        parts["y_to"].append(pos[layer + 1][j])
        parts["w"].append(W.ravel())
        parts["i"].append(i + 1)  # the weight w[x_to][i→j], units numbered from 1 (what a click selects)
        parts["j"].append(j + 1)
        parts["weight"] += [f"w[{layer + 1}][{a + 1}→{c + 1}]" for a, c in zip(i, j)]
        parts["source"] += [names[layer][a] for a in i]
        parts["target"] += [names[layer + 1][c] for c in j]
    cols = {
        k: np.concatenate(v) if isinstance(v[0], np.ndarray) else np.array(v, dtype=object)
        for k, v in parts.items()
    }
    w = cols["w"]
    mag = np.abs(w) / max(float(np.max(np.abs(w), initial=0.0)), 1e-12)
    dense = w.size > DENSE_EDGES
    max_px, alpha = (2.5, 0.35) if dense else (7.0, 0.85)
    cols |= {
        "sign": np.where(w >= 0, "positive", "negative"),
        "width": 0.4 + (max_px - 0.4) * mag,
        "opacity": alpha * (0.3 + 0.7 * mag),
        "marked": np.isin(cols["x_to"], list(marked_W)),  # x_to is the 1-based layer the weight belongs to
    }
    edges = frame("edges", cols)

    # nodes: inputs grey without a bias; every other unit (the output too) carries its bias
    b_all = np.concatenate([np.full(sizes[0], np.nan), *bs])
    b_mag = np.abs(b_all) / max(float(np.nanmax(np.abs(b_all), initial=0.0)), 1e-12)
    is_input = np.isnan(b_all)
    kinds = ["input"] * sizes[0] + [
        k for m, k in zip(sizes[1:], [*["hidden"] * (len(sizes) - 2), "output"]) for _ in range(m)
    ]
    flat_names = [n for layer in names for n in layer]
    layer_of = np.concatenate([np.full(m, layer) for layer, m in enumerate(sizes)])
    show_b = max(sizes) <= 10
    nodes = frame(
        "nodes",
        {
            "x": layer_of,
            "y": np.concatenate(pos),
            "name": flat_names,
            "kind": kinds,
            "bias": b_all,
            "fill": np.where(is_input, "input", np.where(b_all >= 0, "positive", "negative")),
            "fill_opacity": np.where(is_input, 1.0, 0.25 + 0.75 * np.nan_to_num(b_mag)),
            "label": [
                n if inp else (f"b={b:+.2f}" if show_b else "")
                for n, inp, b in zip(flat_names, is_input, b_all)
            ],
            "marked": np.isin(layer_of, list(marked_b)),
            "focus": focused,
        },
    )
    heads = frame(
        "heads",
        {
            "x": np.arange(len(sizes)),
            "y": np.full(len(sizes), 1.0),
            "head": ["input", *[f"hidden {k}" for k in range(1, len(sizes) - 1)], "output"],
        },
    )
    return named(edges, nodes, heads)


def network_chart(
    weights: list[np.ndarray],
    biases: list[np.ndarray],
    *,
    height: int = 320,
    input_names: tuple[str, ...] = ("x1", "x2"),
    input_maps: np.ndarray | None = None,
    marked: tuple[str, ...] = (),
    focus: np.ndarray | None = None,
    select: bool = False,
) -> Figure:
    """The network as a diagram: a column of neurons per layer, a line per weight.

    Line colour = sign of w, width and opacity = |w| relative to the largest |w| in the network (the
    tooltip gives the value, "w[l][i→j]" with 1-based layer and unit numbers). Every non-input neuron,
    the output included, is filled with the colour of its bias's sign, opacity ∝ |b|, and labelled with
    b when no layer has more than 10 units.

    ``input_maps`` (gy, gx, inputs): each input's value over the data's plane (row 0 the lowest x2), as
    TensorFlow Playground draws its input features: each input neuron becomes a small map of it, scaled to its
    own range as the neuron maps are (orange = low, blue = high; the tooltip gives the range). Frame "inputs"
    (x, y, name, url, low, high).

    ``marked``: gradients to point out, named as `companion.gradcheck` does ("dW2", "db3", 1-based from the
    input): a marked dW's weight lines get a red halo, a marked db's neurons a red ring, and the subtitle
    says "red = wrong gradient".

    ``focus``: one flag per neuron, layer by layer from the inputs (``sum(layer sizes)``), for what a
    calculation is looking at: focused neurons get a gold ring, and each weight joining two focused
    neurons a gold halo. The flags are data, so moving the focus keeps the chart's spec (a None focus
    draws no rings at all). Frames "edges" (x, y, x_to, y_to, w, sign, width, opacity, weight, source,
    target, marked, focus, i, j), "nodes" (x, y, name, kind, bias, fill, fill_opacity, label, marked, focus),
    "heads".

    ``select`` makes the weights clickable: a click on a line (or near it: an invisible wider line lies
    along each) selects it, as the point selection "edge" with fields x_to, i, j — the weight w[x_to][i→j].
    """
    frames = _network_frames(weights, biases, input_names, marked, focus)
    if input_maps is not None:  # in the order the layers use them
        edges, nodes, heads = frames.values()
        frames = named(edges, nodes, _inputs_frame(_sizes(weights), input_names, input_maps), heads)
    return Figure(frames, lambda: _diagram(frames, _sizes(weights), height, marked, focus is not None, select))


def _diagram(frames: Frames, sizes: list[int], height: int, marked: tuple[str, ...] = (),
             focus: bool = False, select: bool = False) -> alt.LayerChart:
    edges, nodes, heads = frames["edges"], frames["nodes"], frames["heads"]
    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[-0.5, len(sizes) - 0.5], nice=False))
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[-0.02, 1.06], nice=False))
    # an input drawn as a map has no colour of its own: no grey "input" in the legend then
    kinds = {"positive": BLUE, "negative": ORANGE} | ({} if "inputs" in frames else {"input": GREY})
    sign = alt.Scale(domain=list(kinds), range=list(kinds.values()))
    lines = (
        alt.Chart(edges)
        .mark_rule()
        .encode(
            x=x,
            y=y,
            x2="x_to:Q",
            y2="y_to:Q",
            color=alt.Color(
                "sign:N", scale=sign, legend=alt.Legend(title="sign of w and b", orient="bottom")
            ),
            strokeWidth=alt.StrokeWidth("width:Q", scale=None),
            opacity=alt.Opacity("opacity:Q", scale=None),
            tooltip=[
                alt.Tooltip("weight:N", title="weight"),
                alt.Tooltip("w:Q", title="value", format=".4f"),
                alt.Tooltip("source:N", title="from"),
                alt.Tooltip("target:N", title="to"),
            ],
        )
        .properties(name="weight_lines")  # a fixed view name (tests find the lines by it)
    )
    diameter = min(26.0, 0.7 * height / max(sizes))
    dots, names_in, biases, top = _neurons(nodes, heads, frames.get("inputs"), x, y, sign, diameter,
                                           side=min(34.0, 0.8 * height / max(sizes)))
    # under the lines, wider lines along the flagged weights; around the flagged neurons, rings
    shown = [(flag, colour) for flag, colour, on in (("marked", RED, bool(marked)), ("focus", GOLD, focus)) if on]
    pairs = [_highlight(edges, nodes, x, y, flag, colour, diameter) for flag, colour in shown]
    hits = [_hit_lines(edges, x, y, lines)] if select else []
    chart = alt.layer(*(halo for halo, _ in pairs), lines, *hits, dots, *(ring for _, ring in pairs), names_in, biases,
                      top)
    title: str | alt.Title = "Network"
    if marked:
        title = alt.Title("Network", subtitle=f"red = wrong gradient: {', '.join(marked)}", subtitleColor=RED)
    return stretch(chart, height).properties(title=title, view=alt.ViewBackground(stroke=None))


def _hit_lines(edges: pd.DataFrame, x: alt.X, y: alt.Y, lines: alt.Chart) -> alt.Chart:
    """Invisible lines along the weights, wide enough to click (a weight's own line may be under 1 px), that
    carry the "edge" click selection and the weights' tooltip."""
    return (
        alt.Chart(edges)
        .mark_rule(opacity=0, strokeWidth=10, cursor="pointer")
        .encode(x=x, y=y, x2="x_to:Q", y2="y_to:Q", tooltip=lines.encoding.tooltip)
        .add_params(alt.selection_point(name="edge", on="click", fields=["x_to", "i", "j"]))
        .properties(name="edge_targets")  # a fixed view name, not Altair's generated one
    )


def _highlight(edges: pd.DataFrame, nodes: pd.DataFrame, x: alt.X, y: alt.Y, flag: str, colour: str,
               diameter: float) -> tuple[alt.Chart, alt.Chart]:
    """A wider line along each weight whose ``flag`` column is set, and a ring around each such neuron."""
    # as wide as a neuron allows: a dense layer's neurons sit closer than a halo or ring of fixed size
    halo = (
        alt.Chart(edges)
        .transform_filter(f"datum.{flag}")
        .transform_calculate(halo=f"datum.width + {min(8.0, diameter / 2):.2f}")
        .mark_rule(color=colour, opacity=0.25 if flag == "marked" else 0.55)
        .encode(x=x, y=y, x2="x_to:Q", y2="y_to:Q", strokeWidth=alt.StrokeWidth("halo:Q", scale=None))
    )
    ring = (
        alt.Chart(nodes)
        .transform_filter(f"datum.{flag}")
        .mark_point(shape="circle", filled=False, color=colour, strokeWidth=3 if diameter > 12 else 1.5,
                    size=(diameter + min(9.0, diameter * 0.6)) ** 2)
        .encode(x=x, y=y)
    )
    return halo, ring


def _neurons(nodes: pd.DataFrame, heads: pd.DataFrame, inputs: pd.DataFrame | None, x: alt.X, y: alt.Y,
             sign: alt.Scale, diameter: float, side: float) -> tuple[alt.TopLevelMixin, alt.Chart, alt.Chart, alt.Chart]:
    """The neurons (a disc each; with ``inputs``, the frame of the input maps, each input a small map of side
    ``side`` px instead), and the text beside them: the inputs' names on the left, the biases on the right, and
    the layers' heads."""
    shown = alt.Chart(nodes) if inputs is None else alt.Chart(nodes).transform_filter(alt.datum.kind != "input")
    dots = (
        shown.mark_circle(size=diameter**2, stroke="#444444", strokeWidth=1)
        .encode(
            x=x,
            y=y,
            fill=alt.Fill("fill:N", scale=sign, legend=None),
            fillOpacity=alt.FillOpacity("fill_opacity:Q", scale=None),
            tooltip=[
                alt.Tooltip("name:N", title="neuron"),
                alt.Tooltip("kind:N"),
                alt.Tooltip("bias:Q", title="bias", format=".4f"),
            ],
        )
    )
    if inputs is not None:
        dots = alt.layer(dots, *_input_pictures(inputs, x, y, side))
    labelled = alt.Chart(nodes).encode(x=x, y=y, text="label:N")
    names_in = labelled.transform_filter(alt.datum.kind == "input").mark_text(
        align="right", dx=-((diameter if inputs is None else side) / 2 + 4), fontSize=12, fontWeight="bold"
    )
    biases = labelled.transform_filter(alt.datum.kind != "input").mark_text(
        align="left", dx=diameter / 2 + 3, fontSize=10
    )
    top = alt.Chart(heads).mark_text(fontSize=12, fontWeight="bold").encode(x=x, y=y, text="head:N")
    return dots, names_in, biases, top


def _input_pictures(inputs: pd.DataFrame, x: alt.X, y: alt.Y, side: float) -> list[alt.Chart]:
    """Each input neuron as a small map of its feature, centred where its disc would be, with a thin frame."""
    base = alt.Chart(inputs).encode(x=x, y=y)
    pictures = base.mark_image(width=side, height=side, aspect=False, smooth=False).encode(
        url="url:N",
        tooltip=[alt.Tooltip("name:N", title="input"), alt.Tooltip("low:Q", title="lowest on the plane", format=".3f"),
                 alt.Tooltip("high:Q", title="highest on the plane", format=".3f")],
    )
    frame_ = base.mark_point(shape="square", filled=False, size=(side + 1) ** 2, color="#444444", strokeWidth=1)
    return [pictures, frame_]


def _inputs_frame(sizes: list[int], input_names: tuple[str, ...], input_maps: np.ndarray) -> pd.DataFrame:
    """The input neurons' maps (see network_chart's ``input_maps``), at the input nodes' places."""
    m = np.asarray(input_maps, float)
    if m.ndim != 3 or m.shape[2] != sizes[0] or 0 in m.shape:
        raise ValueError(f"input_maps must be (gy, gx, {sizes[0]}): one map per input, got {m.shape}")
    urls, lo, hi = _pictures(m)
    return frame("inputs", {"x": np.zeros(sizes[0]), "y": _layout(sizes)[0],
                            "name": np.array(neuron_names(sizes, input_names)[0], dtype=object),
                            "url": urls, "low": lo, "high": hi})


def _panel_names(layer: int, units: int) -> list[str]:
    return [f"L{layer}·n{j + 1}" for j in range(units)]


MAP_STOPS, MAP_COLOURS = [0.0, 0.5, 1.0], [ORANGE, "#ffffff", BLUE]  # low → high, each map on its own range


def _pictures(m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each map of m (gy, gx, k) as a picture scaled to its own min → max (orange → white → blue; a flat map is
    white): (urls (k,), lows (k,), highs (k,))."""
    lo, hi = m.min(axis=(0, 1)), m.max(axis=(0, 1))
    with np.errstate(all="ignore"):  # inf or NaN values (a diverged network) draw as missing: white
        v = np.where(hi > lo, (m - lo) / np.where(hi > lo, hi - lo, 1.0), 0.5)
    urls = [grid_data_url(linear_rgb(v[:, :, j], MAP_STOPS, MAP_COLOURS)) for j in range(m.shape[2])]
    return np.array(urls, dtype=object), lo, hi


def _maps_frames(xs: np.ndarray, ys: np.ndarray, maps: list[np.ndarray]) -> Frames:
    """The maps' frames "maps_1".."maps_L": one row per neuron, its picture and its range (see neuron_maps_chart)."""
    if not maps:
        raise ValueError("neuron_maps_chart needs at least one hidden layer")
    xs, ys = np.asarray(xs, float).reshape(-1), np.asarray(ys, float).reshape(-1)
    gx, gy = xs.size - 1, ys.size - 1
    frames: Frames = {}
    for layer, m in enumerate(maps, 1):
        m = np.asarray(m, float)
        if m.ndim != 3 or m.shape[:2] != (gy, gx):
            raise ValueError(f"maps[{layer - 1}] must be (gy, gx, units) = ({gy}, {gx}, ·), got {m.shape}")
        urls, lo, hi = _pictures(m)
        frames |= named(frame(f"maps_{layer}", {"panel": np.array(_panel_names(layer, m.shape[2]), dtype=object),
                                                "url": urls, "low": lo, "high": hi}))
    return frames


def neuron_maps_chart(
    xs: np.ndarray,
    ys: np.ndarray,
    maps: list[np.ndarray],
    *,
    size: int = 70,
    columns: int = 8,
) -> Figure:
    """What every hidden neuron computes over the plane: one small map per neuron, a row per layer.

    xs: (gx+1,) and ys: (gy+1,) cell edges as for decision_chart; maps[l]: (gy, gx, units_l) activations
    of hidden layer l. Each map is scaled to its own min → max (orange → white → blue), because the
    shape of a neuron's response is what matters and activations differ in range (sigmoid (0, 1),
    tanh (−1, 1), ReLU [0, ∞)); the tooltip gives the neuron's range. Each map is one picture (a PNG, one
    pixel a cell). Frames "maps_1".."maps_L": panel ("L1·n3"), url, low, high.
    """
    frames = _maps_frames(xs, ys, maps)
    return Figure(frames, lambda: _maps(frames, [np.shape(m)[2] for m in maps], size, columns))


def _maps(frames: Frames, units: list[int], size: int, columns: int) -> alt.FacetChart | alt.VConcatChart:
    rows = []
    for layer, count in enumerate(units, 1):
        panels = _panel_names(layer, count)
        pictures = (
            alt.Chart(frames[f"maps_{layer}"])
            .mark_image(width=size, height=size, aspect=False, smooth=False, align="left", baseline="top")
            .encode(
                x=alt.value(0),
                y=alt.value(0),
                url="url:N",
                tooltip=[
                    alt.Tooltip("panel:N", title="neuron"),
                    alt.Tooltip("low:Q", title="lowest activation", format=".4f"),
                    alt.Tooltip("high:Q", title="highest activation", format=".4f"),
                ],
            )
        )
        rows.append(
            pictures.properties(width=size, height=size).facet(
                facet=alt.Facet(
                    "panel:N", sort=panels, title=None, header=alt.Header(labelFontSize=11, labelPadding=2)
                ),
                columns=min(len(panels), columns),
                spacing=4,
            )
        )
    title = alt.Title(
        "Hidden neurons", subtitle="each map scaled to its own range: orange = low, blue = high"
    )
    chart = rows[0] if len(rows) == 1 else alt.vconcat(*rows, spacing=10)
    return chart.properties(title=title)
