"""Argument checks shared by every public entry point.

Each raises ``ValueError`` with a message that names the argument, what was wrong and what is
allowed, so that whoever called can show it as is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def choice(arg: str, value: object, registry: Mapping[str, T]) -> T:
    """Look ``value`` up in a registry; an unknown name lists the allowed ones."""
    if isinstance(value, str) and value in registry:
        return registry[value]
    raise ValueError(f"{arg}: unknown value {value!r}; allowed: {', '.join(registry)}")


def integer(arg: str, value: object, lo: int, hi: int | None = None) -> int:
    """A whole number in [lo, hi] (hi None: no upper bound)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
            value = int(value)
        else:
            raise ValueError(f"{arg}: expected a whole number, got {value!r}")
    value = int(value)
    if value < lo or (hi is not None and value > hi):
        allowed = f"from {lo} to {hi}" if hi is not None else f"at least {lo}"
        raise ValueError(f"{arg}: {value} is out of range; allowed: {allowed}")
    return value


def number(arg: str, value: object, lo: float, hi: float | None = None, *, lo_open: bool = False) -> float:
    """A finite real number in [lo, hi] (or (lo, hi] when lo_open)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{arg}: expected a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{arg}: must be a finite number, got {value!r}")
    if value < lo or (lo_open and value == lo) or (hi is not None and value > hi):
        left = "greater than" if lo_open else "from"
        allowed = f"{left} {lo:g} to {hi:g}" if hi is not None else f"{left} {lo:g} up"
        raise ValueError(f"{arg}: {value:g} is out of range; allowed: {allowed}")
    return value


def sizes(arg: str, values: Iterable[object], lo: int = 1, hi: int | None = None) -> tuple[int, ...]:
    """A non-empty sequence of whole numbers, each in [lo, hi]."""
    try:
        items = list(values)  # type: ignore[arg-type]
    except TypeError:
        raise ValueError(f"{arg}: expected a list of whole numbers, got {values!r}") from None
    if not items:
        raise ValueError(f"{arg}: expected at least one whole number")
    return tuple(integer(arg, v, lo, hi) for v in items)


def points(
    arg: str, X: object, y: object | None = None, y_arg: str = "y", *, labels: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """Inputs X as float64 (n, features) and, if given, targets y as float64 (n, 1): labels in {0, 1}, or
    any finite values when ``labels`` is False (regression); all finite.

    ``arg`` and ``y_arg`` are the names the messages use (X/y, X_test/y_test…).
    """
    try:
        raw = np.asarray(X)
        if raw.dtype.kind not in "biuf":  # booleans, integers, floats — not complex, text or objects
            raise TypeError
        X = raw.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{arg}: expected real numbers of shape (n, 2)") from None
    if X.ndim != 2 or X.shape[0] < 1:
        raise ValueError(f"{arg}: expected shape (n, features) with n ≥ 1, got {X.shape}")
    if not np.isfinite(X).all():
        raise ValueError(f"{arg}: contains NaN or infinite values; only finite numbers are allowed")
    if y is None:
        return X, None
    try:
        raw = np.asarray(y)
        if raw.dtype.kind not in "biuf":
            raise TypeError
        y = raw.astype(np.float64).reshape(-1, 1)
    except (TypeError, ValueError):
        raise ValueError(f"{y_arg}: expected {'labels 0 or 1' if labels else 'real numbers'}") from None
    if y.shape[0] != X.shape[0]:
        what = "labels" if labels else "targets"
        raise ValueError(f"{y_arg}: has {y.shape[0]} {what} for {X.shape[0]} points; they must match")
    if labels and not np.isin(y, (0.0, 1.0)).all():
        raise ValueError(f"{y_arg}: labels must be 0 or 1")
    if not np.isfinite(y).all():
        raise ValueError(f"{y_arg}: contains NaN or infinite values; only finite numbers are allowed")
    return X, y
