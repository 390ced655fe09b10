"""The Equations tab's formulas with one sample's numbers filled in: LaTeX, no Streamlit.

Each step of `lab.sample.Trace` becomes a few lines of math: the formula in symbols, the same with the
numbers in, the result. The page shows each line as inline math in display style, so a long sum (a unit
with 32 inputs has 32 terms) wraps at its plus signs to the width of the screen, a phone's as a
projector's; every term is one unbreakable group. Numbers are rounded to `DIGITS` significant digits (as the
tables beside them are), and a negative factor is put in parentheses. Layers are numbered from 1 as
the tab does (``W^{[1]}`` takes the inputs), units from 1; ``W^{[l]}_{i,j}`` joins input i to unit j.

The rules of an activation, its derivative and a loss are looked up by name (`DERIVATIVES`, `LOSS`,
`LOSS_DP`); a rule this module does not know (an engine variant built for a check) still gets its value,
without the symbols.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

import mlp
from lab.sample import Trace
from mlp.activations import Activation

DIGITS = 4
MOST_ROWS = 8  # a gradient step writes out this many weights of the unit's column; the table has them all


def num(v: float) -> str:
    """``v`` with DIGITS significant digits, in LaTeX: 0.1235, -2.5, 1.235\\times10^{-5}."""
    v = float(v)
    if not np.isfinite(v):
        return r"\text{NaN}" if np.isnan(v) else ("-" if v < 0 else "") + r"\infty"
    text = f"{v:.{DIGITS}g}"
    mantissa, _, exponent = text.partition("e")
    return mantissa if not exponent else rf"{mantissa}\times10^{{{int(exponent)}}}"


def factor(v: float) -> str:
    """``v`` as a factor of a product or a power's base: parenthesised when negative or in ×10ⁿ form."""
    text = num(v)
    return f"({text})" if text.startswith("-") or r"\times" in text else text


def product(a: float, b: float) -> str:
    """a · b as one group, so a wrapped line never splits it."""
    return rf"{{{factor(a)} \cdot {factor(b)}}}"


def total(terms: Sequence[str]) -> str:
    """Terms added up: a term written with a leading minus (a negative bias, from `num`) is subtracted."""
    parts = [terms[0]] + [f"- {t[1:]}" if t.startswith("-") else f"+ {t}" for t in terms[1:]]
    return " ".join(parts)


def sup(layer: int) -> str:
    return f"^{{[{layer}]}}"


def prev_symbol(layer: int, i: int | str) -> str:
    """The input i of weight layer ``layer``: x_i for the first, a^{[l-1]}_i above it."""
    return f"x_{{{i}}}" if layer == 1 else f"a{sup(layer - 1)}_{{{i}}}"


def partial(of: str) -> str:
    return rf"\frac{{\partial \ell}}{{\partial {of}}}"


# ----- rules by name ------------------------------------------------------------------------------
def activation_at(f: Activation, z: float) -> str:
    """f's formula (its registry LaTeX, right of any "=") with the number z in place of z."""
    expr = f.latex.split("=", 1)[1] if "=" in f.latex else f.latex

    def put(m: re.Match) -> str:
        after_digit = m.start() > 0 and m.string[m.start() - 1].isdigit()  # 0.01z → 0.01 \cdot z
        return (r"\cdot " if after_digit else "") + factor(z)

    return re.sub(r"(?<![A-Za-z\\])z(?![A-Za-z])", put, expr)


def _step(z: float, slope: float) -> str:
    """The (leaky) ReLU's slope: 1 where z > 0, else ``slope``."""
    return r"1 \text{ since } z > 0" if z > 0 else rf"{num(slope)} \text{{ since }} z \le 0"


# f'(z) written from the output a (as the engine computes it): name → (symbols on a, numbers from (a, z))
DERIVATIVES: dict[str, tuple[str, Callable[[float, float], str]]] = {
    "sigmoid": ("{a}(1-{a})", lambda a, z: f"{factor(a)}(1-{factor(a)})"),
    "tanh": ("1-{a}^2", lambda a, z: f"1-{factor(a)}^2"),
    "relu": (r"[z>0]", lambda a, z: _step(z, 0.0)),
    "leaky_relu": (r"1 \text{ or } 0.01", lambda a, z: _step(z, 0.01)),
    "linear": ("1", lambda a, z: "1"),
}
# this sample's loss ℓ(p, y): name → (symbols, numbers)
LOSS: dict[str, tuple[str, Callable[[float, float], str]]] = {
    "mse": ("(p-y)^2", lambda p, y: f"({num(p)} - {factor(y)})^2"),
    "bce": (r"-\big[y\log p + (1-y)\log(1-p)\big]",
            lambda p, y: rf"-\big[{factor(y)}\log {factor(p)} + (1-{factor(y)})\log(1-{factor(p)})\big]"),
}
# ∂ℓ/∂p: name → (symbols, numbers)
LOSS_DP: dict[str, tuple[str, Callable[[float, float], str]]] = {
    "mse": ("2(p-y)", lambda p, y: f"2({num(p)} - {factor(y)})"),
    "bce": (r"\frac{p-y}{p(1-p)}", lambda p, y: rf"\frac{{{num(p)} - {factor(y)}}}{{{factor(p)}(1-{factor(p)})}}"),
}


def _rule(table: dict, name: str, symbols: dict[str, str], *values: float) -> list[str]:
    """[symbols, numbers] of a rule by name, or [] for a rule this module does not know."""
    if name not in table:
        return []
    sym, numbers = table[name]
    for key, text in symbols.items():
        sym = sym.replace("{" + key + "}", "{" + text + "}")  # a group: a^{[1]}_{1} can take a power
    return [f"{{{sym}}}", f"{{{numbers(*values)}}}"]  # each a group: a line breaks only between them


def derivative(f: Activation, a: float, z: float, symbol: str = "a") -> list[str]:
    return _rule(DERIVATIVES, f.name, {"a": symbol}, a, z)


# ----- the steps (layer: the weight layer, from 1; j: the unit, from 0) -> lines of math --------------
def z_step(t: Trace, net: mlp.MLP, layer: int, j: int) -> list[str]:
    """z of one unit: Σᵢ aᵢ Wᵢⱼ (+ bⱼ), every term shown, then its value."""
    prev, W, b = (t.x if layer == 1 else t.a[layer - 2]), net.weights[layer - 1], net.biases[layer - 1]
    J = j + 1
    symbols = rf"\sum_{{i=1}}^{{{len(prev)}}} {prev_symbol(layer, 'i')}\,W{sup(layer)}_{{i,{J}}}"
    terms = [product(v, w) for v, w in zip(prev, W[:, j])]
    if net.bias:
        symbols += rf" + b{sup(layer)}_{{{J}}}"
        terms.append(num(b[j]))
    return [f"z{sup(layer)}_{{{J}}} = {symbols}", f"= {total(terms)}", f"= {num(t.z[layer - 1][j])}"]


def a_step(t: Trace, net: mlp.MLP, layer: int, j: int) -> list[str]:
    """a = f(z) of one unit (g and p at the output)."""
    last = layer == net.n_layers
    f = net.output_activation if last else net.activation
    z, a = t.z[layer - 1][j], t.a[layer - 1][j]
    lhs = f"p = a{sup(layer)}" if last else f"a{sup(layer)}_{{{j + 1}}}"
    zs = f"z{sup(layer)}" if last else f"z{sup(layer)}_{{{j + 1}}}"
    return [f"{lhs} = {'g' if last else 'f'}({zs}) = {activation_at(f, z)}", f"= {num(a)}"]


def loss_step(t: Trace, net: mlp.MLP) -> list[str]:
    """This sample's loss ℓ(p, y)."""
    rule = _rule(LOSS, net.loss.name, {}, t.p, t.y)
    return [r"\ell = " + (" = ".join(rule) if rule else r"\ell(p, y)"), f"= {num(t.loss)}"]


def output_delta_step(t: Trace, net: mlp.MLP) -> list[str]:
    """δ at the output: p − y when fused (BCE with a sigmoid), else ∂ℓ/∂p · g'(z)."""
    L, p, y = net.n_layers, t.p, t.y
    d = rf"\delta{sup(L)} = {partial(f'z{sup(L)}')}"
    if t.fused:
        return [f"{d} = p - y", f"= {num(p)} - {factor(y)}", f"= {num(t.delta[-1][0])}"]
    dp, gp = t.da[-1][0], t.fprime[-1][0]
    lines = [rf"{d} = {partial('p')}\; g'(z{sup(L)})", f"= {product(dp, gp)}", f"= {num(t.delta[-1][0])}"]
    return (lines + _where(partial("p"), _rule(LOSS_DP, net.loss.name, {}, p, y), dp)
            + _where(f"g'(z{sup(L)})", derivative(net.output_activation, p, t.z[-1][0], "p"), gp))


def hidden_delta_step(t: Trace, net: mlp.MLP, layer: int, j: int) -> list[str]:
    """δ of one hidden unit: (Σₖ δₖ^{[l+1]} Wⱼₖ^{[l+1]}) · f'(zⱼ), every term of the sum shown."""
    J, nxt = j + 1, layer + 1
    W, above = net.weights[layer], t.delta[layer]
    symbols = (rf"\Big(\sum_{{k=1}}^{{{len(above)}}} \delta{sup(nxt)}_k\,W{sup(nxt)}_{{{J},k}}\Big)"
               rf"\, f'(z{sup(layer)}_{{{J}}})")
    da, fp = t.da[layer - 1][j], t.fprime[layer - 1][j]
    lines = [rf"\delta{sup(layer)}_{{{J}}} = {symbols}",
             rf"= \big({total([product(d, w) for d, w in zip(above, W[j])])}\big) \cdot {factor(fp)}",
             f"= {product(da, fp)}" if len(above) > 1 else None,
             f"= {num(t.delta[layer - 1][j])}"]
    rule = derivative(net.activation, t.a[layer - 1][j], t.z[layer - 1][j], f"a{sup(layer)}_{{{J}}}")
    return [line for line in lines if line] + _where(f"f'(z{sup(layer)}_{{{J}}})", rule, fp)


def grad_step(t: Trace, net: mlp.MLP, layer: int, j: int, mean_over: int | None = None) -> list[str]:
    """∂ℓ/∂Wᵢⱼ = aᵢ δⱼ for the unit's column (the first `MOST_ROWS`) and ∂ℓ/∂bⱼ = δⱼ; with ``mean_over`` n
    (reduction mean), the first weight's share of the mean's gradient, (1/n)·∂ℓ/∂W₁ⱼ, too."""
    J = j + 1
    prev = t.x if layer == 1 else t.a[layer - 2]
    d, dW = t.delta[layer - 1][j], t.dW[layer - 1][:, j]
    delta = rf"\delta{sup(layer)}_{{{J}}}"
    lines = [rf"{partial(f'W{sup(layer)}_{{{i + 1},{J}}}')} = {prev_symbol(layer, i + 1)}\,{delta} = "
             rf"{product(prev[i], d)} = {num(dW[i])}" for i in range(min(MOST_ROWS, len(prev)))]
    if len(prev) > MOST_ROWS:
        lines.append(rf"\vdots \quad \text{{({len(prev) - MOST_ROWS} more in the table)}}")
    if net.bias:
        lines.append(rf"{partial(f'b{sup(layer)}_{{{J}}}')} = {delta} = {num(t.db[layer - 1][j])}")
    if mean_over:
        w1 = partial(f"W{sup(layer)}_{{1,{J}}}")
        lines.append(rf"\tfrac{{1}}{{{mean_over}}}\,{w1} = \tfrac{{1}}{{{mean_over}}} \cdot {factor(dW[0])}"
                     rf" = {num(dW[0] / mean_over)} \quad \text{{(its share)}}")
    return lines


def _where(symbol: str, rule: list[str], value: float) -> list[str]:
    """A factor's own line under the result: symbol = rule's symbols = its numbers = value."""
    return [f"{symbol} = " + " = ".join([*rule, num(value)])]
