"""The hidden space (ConvNetJS's 2-D demo): the input plane as a hidden layer of the network sees it.

A lattice of lines over the input square (`lattice`) and the data points go through the network's own
forward pass (`MLP.layer_outputs`); what a hidden layer outputs for them is a picture of the plane bent by
the layers below it. The picture is 2-D:

- a layer of two units: the units themselves are the axes;
- a wider layer: two units chosen by the visitor (`Units`), or the layer's first two principal components
  (`PCA`), fitted on the activations of the lattice and the points of the frame drawn (each component's
  share of the variance is in its axis title). A component's sign is arbitrary: each frame takes the sign
  that agrees with the frame before (``previous``), so an animation does not flip.

For the last hidden layer drawn on its two units, the output unit is a straight line in that plane: the
points where its pre-activation z = w₁h₁ + w₂h₂ + b puts the output at the middle of its range (P = 0.5,
or 0 for regression). Training moves the lattice until the two classes sit on either side of that line.

Pure numpy; the page draws it (`playground.charts.hidden`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from lab.plane import Domain
from mlp import MLP
from mlp.activations import Activation

LINES = 15  # lattice lines per direction
SAMPLES = 81  # points along each lattice line: dense enough that a bent line stays smooth


def lattice(dom: Domain, lines: int = LINES, samples: int = SAMPLES) -> np.ndarray:
    """(2·lines, samples, 2): ``lines`` lines of constant x1 across the square ``dom``, then ``lines`` of
    constant x2, each sampled at ``samples`` points along it."""
    x1, x2 = np.linspace(dom[0], dom[1], lines), np.linspace(dom[2], dom[3], lines)
    t1, t2 = np.linspace(dom[2], dom[3], samples), np.linspace(dom[0], dom[1], samples)
    vertical = np.stack(np.broadcast_arrays(x1[:, None], t1[None, :]), axis=-1)  # x1 fixed, x2 runs
    horizontal = np.stack(np.broadcast_arrays(t2[None, :], x2[:, None]), axis=-1)  # x2 fixed, x1 runs
    return np.concatenate([vertical, horizontal]).astype(float)


@dataclass(frozen=True)
class Units:
    """Two units of the layer as the axes (numbered from 1)."""

    a: int = 1
    b: int = 2


@dataclass(frozen=True)
class PCA:
    """The layer's first two principal components as the axes."""


Axes = Units | PCA


@dataclass(frozen=True)
class Space:
    """One frame of the hidden space: ``lines`` (2·LINES, SAMPLES, 2) and ``points`` (n, 2) in the plane of
    ``titles``; ``basis`` (units, 2) maps the layer's centred activations to it for PCA (None for units);
    ``readout``: (w1, w2, b), the output unit's weights and bias, when the axes are the last hidden layer's
    two units (the output there is g(w1·u + w2·v + b); else None); ``boundary``: (w1, w2, c), the output
    unit's line w1·u + w2·v = c (None also when no value of z gives the middle output); ``shares``: for PCA,
    each component's share of the variance."""

    lines: np.ndarray
    points: np.ndarray
    titles: tuple[str, str]
    basis: np.ndarray | None = None
    readout: tuple[float, float, float] | None = None
    boundary: tuple[float, float, float] | None = None
    shares: tuple[float, float] | None = None

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """(u_min, u_max, v_min, v_max) over the lattice and the points."""
        both = np.concatenate([self.lines.reshape(-1, 2), self.points])
        lo, hi = both.min(axis=0), both.max(axis=0)
        return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def problem(net: MLP, layer: int) -> str:
    """'' when hidden ``layer`` (from 1) of ``net`` can be drawn, else why not, in plain words."""
    hidden = net.n_layers - 1
    if hidden == 0:
        return ("This network has no hidden layer: the inputs feed the output unit directly, so there is no hidden "
                "space. Its boundary is one straight line in the input features (see the decision regions).")
    if not 1 <= layer <= hidden:
        return f"There is no hidden layer {layer}; this network has hidden layers 1 to {hidden}."
    if net.layer_sizes[layer] < 2:
        return (f"Hidden layer {layer} has one unit: it sees the plane as one number, a line, not a plane. "
                "Choose a layer with two units or more.")
    if not np.isfinite(net.params).all():
        return ("This run diverged: its weights are no longer finite numbers, so there is no hidden space to draw. "
                "Lower the learning rate and train again.")
    return ""


def space(net: MLP, layer: int, lines: np.ndarray, X: np.ndarray, axes: Axes = PCA(),
          previous: np.ndarray | None = None, middle: float = 0.5) -> Space:
    """Hidden ``layer`` (from 1) of ``net`` seeing the lattice ``lines`` (L, S, 2) and the points X (n, 2),
    in the plane of ``axes`` (always its units when the layer has two). ``previous``: the last frame's PCA
    basis, whose signs this frame's keeps. ``middle``: the output value its boundary line stands for.
    Raises ValueError (`problem`) when the layer cannot be drawn."""
    why = problem(net, layer)
    if why:
        raise ValueError(why)
    flat = lines.reshape(-1, 2)
    h = net.layer_outputs(np.concatenate([flat, X]))[layer - 1]  # the network's own forward pass
    if not np.isfinite(h).all():
        raise ValueError(f"Hidden layer {layer}'s outputs overflow (weights grown too large): there is no picture "
                         "to draw. Lower the learning rate and train again.")
    width = h.shape[1]
    if width == 2:
        axes = Units(1, 2)
    basis = shares = None
    if isinstance(axes, Units):
        if not (1 <= axes.a <= width and 1 <= axes.b <= width) or axes.a == axes.b:
            raise ValueError(f"units: choose two different units from 1 to {width}, got {axes.a} and {axes.b}")
        uv = h[:, [axes.a - 1, axes.b - 1]]
        titles = (f"h{layer}.{axes.a}", f"h{layer}.{axes.b}")  # the diagram's names of the units
    else:
        uv, basis, shares = _pca(h, previous)
        titles = ("PC1", "PC2")
    readout = boundary = None
    if layer == net.n_layers - 1 and width == 2:  # the axes are the units the output unit reads
        readout = (float(net.weights[-1][0, 0]), float(net.weights[-1][1, 0]), float(net.biases[-1][0]))
        boundary = output_line(readout, level(net, middle))
    return Space(uv[: len(flat)].reshape(lines.shape), uv[len(flat):], titles, basis, readout, boundary, shares)


def _pca(h: np.ndarray, previous: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    """(coordinates (n, 2), basis (units, 2), each component's share of the variance) of the rows of h: the two
    leading eigenvectors of the scatter matrix (units × units, small, where an SVD of the rows is not)."""
    centred = h - h.mean(axis=0)
    values, vectors = np.linalg.eigh(centred.T @ centred)  # ascending
    basis = vectors[:, ::-1][:, :2].copy()
    if previous is not None and previous.shape == basis.shape:
        basis *= np.where((basis * previous).sum(axis=0) < 0, -1.0, 1.0)  # agree with the last frame
    else:  # the largest loading positive: a fixed rule for a first frame
        basis *= np.where(basis[np.abs(basis).argmax(axis=0), [0, 1]] < 0, -1.0, 1.0)
    variance = np.clip(values[::-1], 0.0, None)
    total = float(variance.sum())
    shares = tuple(float(v) / total if total > 0 else 0.0 for v in variance[:2])
    return centred @ basis, basis, shares  # type: ignore[return-value]


def output_line(readout: tuple[float, float, float], z: float | None) -> tuple[float, float, float] | None:
    """(w1, w2, c): the output unit's boundary w1·u + w2·v = c in the plane of the last hidden layer's two
    units, where its pre-activation w1·u + w2·v + b reaches ``z`` (`level`). None when there is no such z
    (a ReLU output never reaches a negative middle) or both weights are 0."""
    w1, w2, b = readout
    if z is None or (w1 == 0 and w2 == 0):
        return None
    return w1, w2, z - b


def level(net: MLP, middle: float) -> float | None:
    """The pre-activation z where ``net``'s output activation g (monotone, not decreasing) reaches ``middle``:
    the largest z with g(z) ≤ middle; None when g never reaches it within ±60."""
    return _level(net.output_activation, float(middle))


@functools.lru_cache(maxsize=32)
def _level(g: Activation, middle: float) -> float | None:
    lo, hi = -60.0, 60.0
    if float(g(np.array([lo]))[0]) > middle or float(g(np.array([hi]))[0]) < middle:
        return None
    while (mid := (lo + hi) / 2) not in (lo, hi):  # bisection to the last float
        if float(g(np.array([mid]))[0]) <= middle:
            lo = mid
        else:
            hi = mid
    return lo


def clip_line(line: tuple[float, float, float], extent: tuple[float, float, float, float]) -> np.ndarray | None:
    """The segment (2, 2) of the line w1·u + w2·v = c inside the box ``extent`` (u0, u1, v0, v1), or None."""
    w1, w2, c = line
    u0, u1, v0, v1 = extent
    found = []
    if w2 != 0:
        found += [(u, (c - w1 * u) / w2) for u in (u0, u1)]
    if w1 != 0:
        found += [((c - w2 * v) / w1, v) for v in (v0, v1)]
    tol = 1e-9 * max(1.0, u1 - u0, v1 - v0)
    inside = sorted({(round(u, 12), round(v, 12)) for u, v in found
                     if u0 - tol <= u <= u1 + tol and v0 - tol <= v <= v1 + tol})
    if len(inside) < 2:
        return None
    return np.array([inside[0], inside[-1]], float)


def output_grid(net: MLP, readout: tuple[float, float, float], extent: tuple[float, float, float, float],
                res: int = 48) -> np.ndarray:
    """(res, res) the output over the plane of the last hidden layer's two units (row 0 the lowest v):
    g(w1·u + w2·v + b), what the network gives a point that layer maps there (g: ``net``'s output activation)."""
    u = np.linspace(extent[0], extent[1], res + 1)
    v = np.linspace(extent[2], extent[3], res + 1)
    uc, vc = np.meshgrid((u[:-1] + u[1:]) / 2, (v[:-1] + v[1:]) / 2)
    w1, w2, b = readout
    return net.output_activation(uc * w1 + vc * w2 + b)


def frames(net: MLP, params: list[np.ndarray], layer: int, lines: np.ndarray, X: np.ndarray, axes: Axes = PCA(),
           middle: float = 0.5) -> list[Space]:
    """`space` at each of a replay's parameter vectors (``MLP.params`` layout), each PCA frame keeping the
    signs of the one before; up to the first frame that cannot be drawn (a diverging run's), or ValueError
    when the first cannot. ``net`` is left as it was."""
    twin = net.copy()
    out: list[Space] = []
    for p in params:
        twin.params[...] = p
        try:
            out.append(space(twin, layer, lines, X, axes, out[-1].basis if out else None, middle))
        except ValueError:
            if not out:  # not even the first frame: say why
                raise
            break  # a frame past drawing (weights no longer finite, or outputs overflowing): the frames end here
    return out


def union(extents: list[tuple[float, float, float, float]], margin: float = 0.05) -> np.ndarray:
    """(u0, u1, v0, v1) covering every extent, widened by ``margin`` of its size each side (a flat side by 1)."""
    e = np.array(extents, float)
    lo, hi = e[:, [0, 2]].min(axis=0), e[:, [1, 3]].max(axis=0)
    pad = np.where(hi > lo, (hi - lo) * margin, 0.5)
    lo, hi = lo - pad, hi + pad
    return np.array([lo[0], hi[0], lo[1], hi[1]])
