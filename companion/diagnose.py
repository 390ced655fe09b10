"""What a student's wrong gradients are: a combination of classic mistakes, or where the error sits.

Two questions, asked in order:

1. *What.* Every combination of `companion.mistakes.MISTAKES` (one per part) gives a set of gradients. The
   student's numbers match one when every parameter agrees to ``MATCH_TOL`` relative error. 1e-5 is
   loose enough for float32 student code (about 7 significant digits, a few lost in the sums of a
   backward pass) and far tighter than any mistake moves a gradient (a factor 2 is a relative error
   of 1/3, a flipped sign of 1). The smallest combinations that match are the diagnosis; several of
   the same size mean the file cannot tell them apart (a factor n = 2 is a factor 2).
2. *Where*, when nothing matches. Backprop runs from the output down: δ at layer l gives dW_l and db_l
   and, through W_lᵀ and f'(z_{l-1}), δ_{l-1}. So a wrong δ_l spoils layer l and everything below,
   while a mistake in the step from δ_l to dW_l spoils dW_l alone. `PATTERNS` reads the verdicts of
   the first wrong layer counting back from the output and of the layers below it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .mistakes import DP, FROM_A, MISTAKES, Problem, Recipe, formula, fused

OK_TOL = 1e-6  # a gradient is right below this relative error
MATCH_TOL = 1e-5  # the student's numbers are a candidate's below this one (see the module docstring)
TINY = 1e-300


@dataclass(frozen=True)
class Diagnosis:
    """One explanation: ``mistakes`` (registry names, a `PATTERNS` name, or "rounding"), the parameters
    it concerns, and one sentence per mistake, each naming its parameters."""

    mistakes: tuple[str, ...]
    params: tuple[str, ...]
    sentences: tuple[str, ...]


def rel_error(g: np.ndarray, h: np.ndarray) -> float:
    """‖g − h‖ / max(‖g‖ + ‖h‖, tiny), 0 when both are zero; scaled first so huge values cannot overflow."""
    s = max(float(np.max(np.abs(g), initial=0.0)), float(np.max(np.abs(h), initial=0.0)))
    if not np.isfinite(s):  # a candidate that overflowed matches nothing
        return float("inf")
    if s == 0.0:
        return 0.0
    g, h = g / s, h / s
    return float(np.linalg.norm(g - h) / max(np.linalg.norm(g) + np.linalg.norm(h), TINY))


def explain(problem: Problem, given: Sequence[np.ndarray], exact: Sequence[np.ndarray]) -> tuple[Diagnosis, ...]:
    """Diagnoses for gradients ``given`` (in the order of ``problem.names``) against ``exact``."""
    names = problem.names
    wrong = [rel_error(g, e) >= OK_TOL for g, e in zip(given, exact)]
    if not any(wrong):
        return ()
    if all(rel_error(g, e) < MATCH_TOL for g, e in zip(given, exact)):
        bad = tuple(n for n, w in zip(names, wrong) if w)
        advice = f"within {MATCH_TOL:g} of the exact values: rounding, not a mistake (float32?); use float64 to pass"
        return (Diagnosis(("rounding",), bad, (f"{params_text(bad, names)}: {advice}.",)),)
    with np.errstate(all="ignore"):  # a candidate may overflow (huge weights × n): it just does not match
        found = _combinations(problem, given, exact)
        return found or (_locate(problem, wrong, given, exact),)


def _combinations(problem: Problem, given: Sequence[np.ndarray], exact: Sequence[np.ndarray]) -> tuple[Diagnosis, ...]:
    """The smallest combinations of MISTAKES whose gradients match ``given``."""
    parts: dict[str, list[str]] = {}
    for name, m in MISTAKES.items():
        parts.setdefault(m.part, []).append(name)
    combos = [tuple(n for n in c if n) for c in itertools.product(*([None, *names] for names in parts.values()))]
    for size in range(1, len(parts) + 1):
        found = []
        for combo in (c for c in combos if len(c) == size):
            recipe = _recipe(problem, combo)
            if recipe is None:
                continue
            grads = problem.gradients(recipe)
            if all(rel_error(g, c) < MATCH_TOL for g, c in zip(given, grads)) and not _same(grads, exact):
                found.append(_describe(problem, combo, exact))
        if found:
            return tuple(found)
    return ()


def params_text(params: Sequence[str], names: Sequence[str]) -> str:
    """'dW1, dW2', or 'every gradient (dW1 … db3)' when it is all of them."""
    if len(params) == len(names) > 2:
        return f"every gradient ({names[0]} … {names[-1]})"
    return ", ".join(params)


def _recipe(problem: Problem, combo: Sequence[str]) -> Recipe | None:
    recipe: Recipe | None = problem.exact
    for name in combo:
        recipe = MISTAKES[name].edit(recipe, problem)
        if recipe is None:
            return None
    return recipe


def _same(a: Sequence[np.ndarray], b: Sequence[np.ndarray]) -> bool:
    return all(rel_error(x, y) < MATCH_TOL for x, y in zip(a, b))


def _describe(problem: Problem, combo: Sequence[str], exact: Sequence[np.ndarray]) -> Diagnosis:
    """One sentence per mistake, naming the parameters that mistake alone changes."""
    sentences, changed = [], set()
    for name in combo:
        alone = problem.gradients(_recipe(problem, (name,)))
        params = [n for n, a, e in zip(problem.names, alone, exact) if rel_error(a, e) >= OK_TOL]
        changed.update(params)
        sentences.append(f"{params_text(params, problem.names)}: {MISTAKES[name].advice(problem)}.")
    return Diagnosis(tuple(combo), tuple(n for n in problem.names if n in changed), tuple(sentences))


# ----- where: the first wrong layer from the output, and the layers below it -----------------------
@dataclass(frozen=True)
class Layers:
    """Verdicts by layer (1 = input side): ``w[l]`` dW_l wrong, ``b[l]`` db_l wrong (False without biases)."""

    w: dict[int, bool]
    b: dict[int, bool]
    bias: bool

    @property
    def L(self) -> int:
        return len(self.w)

    @property
    def top(self) -> int:
        """The first wrong layer counting back from the output (0: none)."""
        return max((l for l in self.w if self.w[l] or self.b[l]), default=0)

    def below(self, wrong: bool) -> bool:
        """Every parameter under the first wrong layer is wrong (True) / right (False)."""
        return all(self.w[l] == wrong and (not self.bias or self.b[l] == wrong) for l in range(1, self.top))


def first_wrong_layer(names: Sequence[str], wrong: Sequence[bool]) -> int | None:
    """The highest layer number among the wrong parameters (names like dW3, db2), or None."""
    return max((int(n[2:]) for n, w in zip(names, wrong) if w), default=None)


@dataclass(frozen=True)
class Pattern:
    """Where the mistake is, given the verdicts: ``test`` selects, ``advice`` says what to look at."""

    test: Callable[[Layers], bool]
    advice: Callable[[Layers, Problem], str]


def _weight_step(s: Layers, p: Problem) -> str:
    l = s.top
    evidence = [f"db{l}"] * s.bias + [f"dW{l - 1}"] * (l > 1)
    a_prev = "X" if l == 1 else f"a{l - 1}"
    where = (
        ""
        if l == 1
        else f", where a{l - 1} is layer {l - 1}'s output after its activation, shape (n, {p.layer_sizes[l - 1]})"
    )
    return f"wrong although delta{l} is right ({' and '.join(evidence)} right): look at dW{l} = {a_prev}.T @ delta{l}{where}"


def _delta_step(s: Layers, p: Problem) -> str:
    l = s.top
    return (
        f"delta{l} is wrong while everything above it is right: look at the step delta{l} = "
        f"(delta{l + 1} @ W{l + 1}.T) * f'(z{l}), with W{l + 1} from before this step's update and "
        f"f' = {formula(FROM_A, p.activation, f'a{l}')}"
    )


def _output_delta(s: Layers, p: Problem) -> str:
    delta = "p-y" if fused(p) else f"{DP[p.loss]} * {formula(FROM_A, p.output_activation, 'p')}"
    return f"delta at the output is wrong: look at delta{s.L} = {delta}"


# Tried in order; the first whose test holds says where to look.
PATTERNS: dict[str, Pattern] = {
    "bias_step": Pattern(
        lambda s: not s.w[s.top] and s.b[s.top] and s.below(False),
        lambda s, p: (
            f"wrong although dW{s.top} is right, so delta{s.top} is right: look at "
            f"db{s.top} = delta{s.top}.sum(axis=0), one value per unit"
        ),
    ),
    "weight_step": Pattern(
        lambda s: s.w[s.top] and not s.b[s.top] and s.below(False) and (s.bias or s.top > 1), _weight_step
    ),
    "both_steps": Pattern(
        lambda s: s.w[s.top] and s.b[s.top] and s.below(False) and s.top > 1,
        lambda s, p: (
            f"wrong although the layer below is right, so delta{s.top} is "
            f"right: look at how dW{s.top} and db{s.top} are made from delta{s.top}"
        ),
    ),
    "delta": Pattern(
        lambda s: s.top < s.L and s.w[s.top] and (s.b[s.top] or not s.bias and s.top > 1) and s.below(True),
        _delta_step,
    ),
    "first_layer": Pattern(
        lambda s: s.top == 1 < s.L and not s.bias,
        lambda s, p: (
            "wrong while everything above is right: look at delta1 = (delta2 @ W2.T) * f'(z1) and at dW1 = X.T @ delta1"
        ),
    ),
    "output_delta": Pattern(
        lambda s: s.top == s.L and s.w[s.top] and (s.b[s.top] or not s.bias) and s.below(True), _output_delta
    ),
    "several": Pattern(
        lambda s: True,
        lambda s, p: (
            f"wrong in a pattern no single step explains: fix layer {s.top} first (the first wrong one "
            "counting back from the output) and check again"
        ),
    ),
}


def _locate(problem: Problem, wrong: Sequence[bool], given, exact) -> Diagnosis:
    names = problem.names
    flags = dict(zip(names, wrong))
    L = len(problem.layer_sizes) - 1
    s = Layers(
        {l: flags[f"dW{l}"] for l in range(1, L + 1)},
        {l: flags.get(f"db{l}", False) for l in range(1, L + 1)},
        problem.biases is not None,
    )
    name = next(k for k, pat in PATTERNS.items() if pat.test(s))
    bad = tuple(n for n, w in zip(names, wrong) if w)
    sentences = [f"{params_text(bad, names)}: {PATTERNS[name].advice(s, problem)}."]
    sentences += [h for n, g, e in zip(names, given, exact) if flags[n] and (h := _shape_of_error(n, g, e, problem))]
    return Diagnosis((name,), bad, tuple(sentences))


def _shape_of_error(name: str, g: np.ndarray, e: np.ndarray, problem: Problem) -> str | None:
    """A hint when one parameter is the right one scaled or transposed: says by what."""
    if g.ndim == 2 and g.shape[0] == g.shape[1] > 1 and rel_error(g, e.T) < MATCH_TOL:
        return f"{name} is exactly the right value transposed."
    ee = float(np.vdot(e, e))
    c = float(np.vdot(g, e)) / ee if ee else 1.0
    if abs(c - 1) <= MATCH_TOL or rel_error(g, c * e) >= MATCH_TOL:  # c ≈ 1 is rounding, not a factor
        return None
    n = problem.n
    known = {
        -1.0: "the right value with its sign flipped",
        0.5: "half the right value",
        2.0: "twice the right value",
        float(n): f"n = {n} times the right value",
        1 / n: f"the right value divided by n = {n}",
    }
    what = next((w for k, w in known.items() if abs(c - k) <= MATCH_TOL * abs(k)), f"{c:.4g} times the right value")
    return f"{name} is exactly {what}."
