"""Input features: what the network's first layer sees, computed from the raw points (x1, x2).

TensorFlow Playground offers seven inputs; so does this package (``FEATURES``, in this order):

    x1, x2        the coordinates as given (the lab's inputs)
    x1sq, x2sq    v1², v2²       in [0, 1] on the unit square
    x1x2          v1·v2          in [−1, 1]
    sinx1, sinx2  sin(6·v1), sin(6·v2)

where v = 2·(x − c) are the coordinates *centred* on a fixed point c and scaled so that the unit square
becomes [−1, 1]² (the scale of the raw inputs, so no feature dwarfs another at N(0, 1) weights). Centred,
v1² + v2² measures the squared distance from c: a circle around c is one straight boundary in the
features (x1sq, x2sq). x1 and x2 stay the raw coordinates, so the lab's network (x1, x2 only) computes
exactly what it computes without features.

The sines. On v in [−1, 1], sin(v) is nearly v itself (sin 1 = 0.84): a feature no different from x1.
TensorFlow Playground's inputs span [−6, 6], where sin(x) makes about two periods; sin(6·v) is that
same curve on our square: about two periods across it, so sinx1 is not monotonic in x1.

The centre c is fixed per run — the training points, the held-out points and the decision grid all
use the same one, so the network means one function of the plane. It belongs to the network
(`Features.centre`, saved with its weights by ``mlp.io``); ``lab.experiment`` picks it: the middle of
the unit square (0.5, 0.5) for the built-in data sets, which are laid out around it, and the middle of
the training points' bounding box for your own points.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

MAX_CENTRE = 1e6  # |c1|, |c2| at most this (points beyond it are no one's data)
SIN_SCALE = 6.0  # sin(6·v): TensorFlow Playground's sin(x) over its [−6, 6], on our [−1, 1]
DEFAULT = ("x1", "x2")  # the lab's inputs: no transform at all
Rule = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (x (n, 2) raw, v (n, 2) centred) → (n,)


@dataclass(frozen=True)
class Feature:
    """One input: its rule (from the raw coordinates x and the centred ones v) and its formula in LaTeX."""

    name: str
    rule: Rule
    latex: str


FEATURES: dict[str, Feature] = {
    f.name: f
    for f in (
        Feature("x1", lambda x, v: x[:, 0], r"x_1"),
        Feature("x2", lambda x, v: x[:, 1], r"x_2"),
        Feature("x1sq", lambda x, v: v[:, 0] * v[:, 0], r"v_1^2"),
        Feature("x2sq", lambda x, v: v[:, 1] * v[:, 1], r"v_2^2"),
        Feature("x1x2", lambda x, v: v[:, 0] * v[:, 1], r"v_1 v_2"),
        Feature("sinx1", lambda x, v: np.sin(SIN_SCALE * v[:, 0]), r"\sin(6 v_1)"),
        Feature("sinx2", lambda x, v: np.sin(SIN_SCALE * v[:, 1]), r"\sin(6 v_2)"),
    )
}


def names(values: Iterable[object], arg: str = "features") -> tuple[str, ...]:
    """Feature names in the registry's order, each once; ValueError naming ``arg`` for an unknown one."""
    if isinstance(values, str):
        raise ValueError(f"{arg}: expected a list of names, got {values!r}; allowed: {', '.join(FEATURES)}")
    try:
        given = list(values)
    except TypeError:
        raise ValueError(f"{arg}: expected a list of names; allowed: {', '.join(FEATURES)}") from None
    unknown = [v for v in given if not isinstance(v, str) or v not in FEATURES]
    if unknown:
        raise ValueError(f"{arg}: unknown name{'s' if len(unknown) > 1 else ''} "
                         f"{', '.join(map(repr, unknown[:3]))}; allowed: {', '.join(FEATURES)}")
    if not given:
        raise ValueError(f"{arg}: choose at least one input; allowed: {', '.join(FEATURES)}")
    return tuple(name for name in FEATURES if name in given)


@dataclass(frozen=True)
class Features:
    """The network's inputs: which features (in the registry's order) and the centre c they use.

    Calling it maps raw points X (n, 2) to the network's inputs (n, len(names)); with the default
    names (x1, x2) that is X itself, at no cost.
    """

    names: tuple[str, ...] = DEFAULT
    centre: tuple[float, float] = (0.5, 0.5)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", names(self.names))
        try:
            c = tuple(float(v) for v in self.centre)  # type: ignore[union-attr]
        except (TypeError, ValueError):
            c = ()
        if len(c) != 2 or not all(math.isfinite(v) and abs(v) <= MAX_CENTRE for v in c):
            raise ValueError(f"centre: expected two numbers (c1, c2) within ±{MAX_CENTRE:g}, got {self.centre!r}")
        object.__setattr__(self, "centre", c)

    def __len__(self) -> int:
        return len(self.names)

    @property
    def identity(self) -> bool:
        """True when the inputs are the raw coordinates themselves (x1, x2)."""
        return self.names == DEFAULT

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """The inputs (n, len(names)) for raw points X (n, 2) float64 (already checked by the caller)."""
        if self.identity:
            return X
        out = np.empty((X.shape[0], len(self.names)))
        with np.errstate(all="ignore"):  # points near float's limit give inf features: the network says so
            V = X - np.asarray(self.centre)
            V *= 2.0
            for j, name in enumerate(self.names):
                out[:, j] = FEATURES[name].rule(X, V)
        return out
