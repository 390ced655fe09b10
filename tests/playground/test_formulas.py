"""The Equations tab's formulas with numbers (playground.formulas): the engine's numbers, rounded, in LaTeX."""

import re

import numpy as np
import pytest

import mlp
from lab.sample import trace
from mlp.activations import ACTIVATIONS, Activation
from mlp.losses import LOSSES
from playground import formulas
from playground.formulas import DERIVATIVES, LOSS, LOSS_DP, factor, num, total


@pytest.mark.parametrize("value, text", [
    (0.123456, "0.1235"), (-2.5, "-2.5"), (1234567.0, r"1.235\times10^{6}"), (1.23456e-5, r"1.235\times10^{-5}"),
    (0.0, "0"), (float("nan"), r"\text{NaN}"), (float("-inf"), r"-\infty"),
])
def test_numbers_have_four_significant_digits(value, text):
    assert num(value) == text


def test_negative_and_scientific_factors_are_parenthesised_and_negative_terms_subtracted():
    assert factor(-0.5) == "(-0.5)" and factor(0.5) == "0.5" and factor(2e-7) == r"(2\times10^{-7})"
    assert total(["{a}", "{b}", "-0.25"]) == "{a} + {b} - 0.25"


def test_every_rule_table_covers_its_registry():
    assert set(DERIVATIVES) == set(ACTIVATIONS)
    assert set(LOSS) == set(LOSS_DP) == set(LOSSES)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("z", [-0.75, 1.5])
def test_each_activation_is_written_with_the_number_in_place_of_z(name, z):
    text = formulas.activation_at(ACTIVATIONS[name], z)
    assert num(z) in text
    assert not re.search(r"(?<![A-Za-z\\])z(?![A-Za-z])", text), text  # no z left
    if name == "leaky_relu":  # "0.01z" becomes a product, not the run-on "0.01-0.75"
        assert rf"0.01\cdot {factor(z)}" in text


def balanced(line: str) -> bool:
    depth = 0
    for ch in line.replace(r"\{", "").replace(r"\}", ""):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("bias", [True, False])
def test_every_step_shows_the_engines_numbers(activation, loss, bias):
    net = mlp.MLP((3, 4, 2, 1), activation=activation, loss=loss, bias=bias, seed=4)
    if bias:  # biases start at zero: give them values to be seen
        for b in net.biases:
            b[...] = np.linspace(-0.3, 0.4, b.size)
    t = trace(net, np.array([0.2, -0.6, 0.9]), 1.0)
    L = net.n_layers
    shown = {}
    for layer in range(1, L + 1):
        j = net.layer_sizes[layer] - 1  # the last unit: indices from 1 on the page
        shown[("z", layer)] = z = formulas.z_step(t, net, layer, j)
        assert z[-1] == f"= {num(t.z[layer - 1][j])}"
        W = net.weights[layer - 1]
        assert all(factor(w) in z[1] for w in W[:, j])  # every term, the weight of each input
        assert z[1].endswith(f" {num(net.biases[layer - 1][j]).lstrip('-')}") == bias
        shown[("a", layer)] = a = formulas.a_step(t, net, layer, j)
        assert a[-1] == f"= {num(t.a[layer - 1][j])}"
        shown[("grad", layer)] = g = formulas.grad_step(t, net, layer, j, mean_over=7)
        assert g[0].endswith(f"= {num(t.dW[layer - 1][0, j])}")
        db = [line for line in g if r"\partial b^" in line]
        assert len(db) == bias and all(line.endswith(f"= {num(t.db[layer - 1][j])}") for line in db)
        assert g[-1].startswith(r"\tfrac{1}{7}") and num(t.dW[layer - 1][0, j] / 7) in g[-1]
        if layer < L:
            shown[("delta", layer)] = d = formulas.hidden_delta_step(t, net, layer, j)
            assert f"= {num(t.delta[layer - 1][j])}" in d
            assert d[-1].endswith(f"= {num(t.fprime[layer - 1][j])}")
    shown["loss"] = lo = formulas.loss_step(t, net)
    assert lo[-1] == f"= {num(t.loss)}"
    shown["out"] = out = formulas.output_delta_step(t, net)
    assert f"= {num(t.delta[-1][0])}" in out
    assert ("p - y" in out[0]) == (loss == "bce")  # the sigmoid output's fused shortcut
    for lines in shown.values():
        assert all(balanced(line) for line in lines), lines
        assert not any("$" in line for line in lines)  # the page wraps each line in $…$ itself


def test_the_hand_worked_net_reads_as_worked_by_hand():
    # the 2-2-1 sigmoid net of tests/lab/test_sample.py: z1 = (0.7, −0.5), p = 0.5390585633, δ2 = −0.2290643202
    net = mlp.MLP((2, 2, 1), loss="mse")
    net.set_parameters([[[0.1, 0.2], [0.3, -0.4]], [[0.5], [-1.0]]], [[0.0, 0.1], [0.2]])
    t = trace(net, np.array([1.0, 2.0]), 1.0)
    assert formulas.z_step(t, net, 1, 1) == [
        r"z^{[1]}_{2} = \sum_{i=1}^{2} x_{i}\,W^{[1]}_{i,2} + b^{[1]}_{2}",
        r"= {1 \cdot 0.2} + {2 \cdot (-0.4)} + 0.1",
        "= -0.5",
    ]
    assert formulas.a_step(t, net, 2, 0) == [r"p = a^{[2]} = g(z^{[2]}) = \frac{1}{1+e^{-0.1566}}", "= 0.5391"]
    assert formulas.loss_step(t, net) == [r"\ell = {(p-y)^2} = {(0.5391 - 1)^2}", "= 0.2125"]
    out = formulas.output_delta_step(t, net)
    assert out[1:3] == [r"= {(-0.9219) \cdot 0.2485}", "= -0.2291"]
    assert out[3].endswith("= {2(0.5391 - 1)} = -0.9219")
    assert out[4] == "g'(z^{[2]}) = {{p}(1-{p})} = {0.5391(1-0.5391)} = 0.2485"
    hidden = formulas.hidden_delta_step(t, net, 1, 0)
    assert hidden[1] == r"= \big({(-0.2291) \cdot 0.5}\big) \cdot 0.2217"
    assert hidden[2] == "= -0.02539"


def test_a_rule_the_tables_do_not_know_still_gets_its_value():
    exact = ACTIVATIONS["tanh"]
    variant = Activation("tanh~on_z", exact.forward, exact.grad, exact.latex)
    net = mlp.MLP((2, 3, 1), activation=variant, seed=1)
    t = trace(net, np.array([0.3, 0.3]), 0.0)
    lines = formulas.hidden_delta_step(t, net, 1, 0)
    assert lines[-1] == f"f'(z^{{[1]}}_{{1}}) = {num(t.fprime[0][0])}"


def test_a_network_without_hidden_layers_has_every_step():
    """Logistic regression (one weight layer): z, p, the loss, δ at the output, its gradients."""
    net = mlp.MLP((3, 1), loss="bce", seed=2)
    net.biases[0][...] = 0.25
    t = trace(net, np.array([0.5, -1.0, 2.0]), 0.0)
    z = formulas.z_step(t, net, 1, 0)
    assert z[0].startswith(r"z^{[1]}_{1} = \sum_{i=1}^{3} x_{i}") and z[-1] == f"= {num(t.z[0][0])}"
    assert formulas.a_step(t, net, 1, 0)[-1] == f"= {num(t.p)}"
    assert formulas.output_delta_step(t, net)[-1] == f"= {num(t.p)}"  # p − 0
    grads = formulas.grad_step(t, net, 1, 0)
    assert len(grads) == 4 and grads[2].endswith(f"= {num(2.0 * t.p)}")  # x₃ · δ = 2p
