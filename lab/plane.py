"""The input plane (x1, x2): the square a data set is drawn on, and what a network computes over it.

A domain is (x1_min, x1_max, x2_min, x2_max). Grids are cells of equal size, row 0 the lowest x2.
"""

from __future__ import annotations

import numpy as np

from mlp import MLP

Domain = tuple[float, float, float, float]


def domain(X: np.ndarray, pad: float = 0.1) -> Domain:
    """A square covering the points X (n, 2) and the unit square, with a margin: (−0.1, 1.1, −0.1, 1.1)
    for every built-in data set, so their charts share axes."""
    lo, hi = np.minimum(X.min(axis=0), 0.0), np.maximum(X.max(axis=0), 1.0)
    centre, half = (lo + hi) / 2, (hi - lo).max() / 2 + pad
    return (float(centre[0] - half), float(centre[0] + half), float(centre[1] - half), float(centre[1] + half))


def cells(dom: Domain, res: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cell edges xs (res+1,), ys (res+1,) and the (res·res, 2) cell centres, row by row (x2 outer)."""
    xs, ys = np.linspace(dom[0], dom[1], res + 1), np.linspace(dom[2], dom[3], res + 1)
    gx, gy = np.meshgrid((xs[:-1] + xs[1:]) / 2, (ys[:-1] + ys[1:]) / 2)
    return xs, ys, np.column_stack([gx.ravel(), gy.ravel()])


SPANS = {"classification": (0.0, 1.0), "regression": (-1.0, 1.0)}  # the outputs a chart's colours span


def output_span(task: str) -> tuple[float, float]:
    """The range a task's outputs are drawn over: P(class 1) in [0, 1], regression targets in [−1, 1]
    (the range of mlp.data's regression sets)."""
    return SPANS[task]


def decision_grid(net: MLP, dom: Domain, res: int = 72) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs, ys, outputs (res, res)): the network's output over the square — P(class 1) for a classifier
    with a sigmoid output, the predicted value for regression."""
    xs, ys, centres = cells(dom, res)
    return xs, ys, net.forward(centres).reshape(res, res)


def neuron_grids(net: MLP, dom: Domain, res: int = 24) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """(xs, ys, maps): maps[l] is (res, res, units), hidden layer l's activations over the square (an empty
    list for a network without hidden layers)."""
    xs, ys, centres = cells(dom, res)
    return xs, ys, [a.reshape(res, res, -1) for a in net.layer_outputs(centres)[:-1]]


def input_grids(net: MLP, dom: Domain, res: int = 24) -> np.ndarray:
    """(res, res, fan_in): what the network's first layer sees over the square — each input feature's value,
    from the network's own feature transform (`MLP.inputs`), so the maps are the numbers it computes with."""
    _, _, centres = cells(dom, res)
    return net.inputs(centres).reshape(res, res, -1)
