"""The hidden space: the lattice and the points are the network's own layer outputs; the projection is the
one chosen; the output unit's line is where the network's output is at its middle; the cases with nothing to
draw are said in plain words."""

from __future__ import annotations

import numpy as np
import pytest

import mlp
from lab import frames, hidden
from lab.experiment import Experiment
from lab.plane import domain
from lab.run import finish, new_run


def test_the_lattice_is_lines_of_constant_x1_then_of_constant_x2_across_the_square():
    dom = (-0.1, 1.1, -0.2, 1.0)
    L = hidden.lattice(dom, lines=5, samples=7)
    assert L.shape == (10, 7, 2)
    np.testing.assert_array_equal(L[:5, :, 0], np.linspace(-0.1, 1.1, 5)[:, None].repeat(7, 1))  # x1 fixed
    np.testing.assert_array_equal(L[:5, :, 1], np.linspace(-0.2, 1.0, 7)[None, :].repeat(5, 0))
    np.testing.assert_array_equal(L[5:, :, 1], np.linspace(-0.2, 1.0, 5)[:, None].repeat(7, 1))  # x2 fixed
    assert L[5:, :, 0].min() == -0.1 and L[5:, :, 0].max() == 1.1


@pytest.fixture(scope="module")
def xor():
    return finish(new_run(Experiment(dataset="xor", hidden=(6, 2), activation="tanh", epochs=800)))


def test_two_units_are_the_axes_and_the_picture_is_the_layers_own_outputs(xor):
    net, X = xor.net, xor.train.X
    L = hidden.lattice(domain(xor.data.X))
    for layer in (1, 2):
        axes = hidden.Units(2, 5) if layer == 1 else hidden.PCA()  # a 2-unit layer always shows its units
        s = hidden.space(net, layer, L, X, axes)
        h_points = net.layer_outputs(X)[layer - 1]
        h_lines = net.layer_outputs(L.reshape(-1, 2))[layer - 1]
        cols = [1, 4] if layer == 1 else [0, 1]
        np.testing.assert_array_equal(s.points, h_points[:, cols])
        np.testing.assert_array_equal(s.lines.reshape(-1, 2), h_lines[:, cols])
        assert s.titles == (("h1.2", "h1.5") if layer == 1 else ("h2.1", "h2.2")) and s.shares is None


def test_pca_projects_the_centred_activations_of_the_lattice_and_the_points(xor):
    net, X = xor.net, xor.train.X
    L = hidden.lattice(domain(xor.data.X))
    s = hidden.space(net, 1, L, X, hidden.PCA())
    h = np.concatenate(net.layer_outputs(np.concatenate([L.reshape(-1, 2), X]))[:1])
    centred = h - h.mean(axis=0)
    np.testing.assert_allclose(np.concatenate([s.lines.reshape(-1, 2), s.points]), centred @ s.basis)
    np.testing.assert_allclose(s.basis.T @ s.basis, np.eye(2), atol=1e-12)  # orthonormal directions
    variance = np.linalg.svd(centred, compute_uv=False) ** 2
    np.testing.assert_allclose(s.shares, variance[:2] / variance.sum())
    # the most variance two directions can keep: no other pair of units does better
    kept = (centred @ s.basis).var(axis=0).sum()
    assert kept >= max(centred[:, [a, b]].var(axis=0).sum() for a in range(6) for b in range(6) if a != b)
    assert s.titles == ("PC1", "PC2") and s.boundary is None


def test_frames_keep_the_components_signs_from_one_frame_to_the_next(xor):
    run = xor
    out = frames.replay(run, frames.in_process(run))
    spaces = hidden.frames(run.net, out.params, 1, hidden.lattice(domain(run.data.X)), run.train.X)
    assert len(spaces) == len(out.epochs) == 41
    for before, after in zip(spaces, spaces[1:]):
        assert ((before.basis * after.basis).sum(axis=0) >= 0).all()
    twin = run.net.copy()
    twin.params[...] = out.params[7]  # each frame is the network at its epoch
    direct = hidden.space(twin, 1, hidden.lattice(domain(run.data.X)), run.train.X, hidden.PCA(), spaces[6].basis)
    np.testing.assert_array_equal(direct.points, spaces[7].points)


def test_the_output_units_line_is_where_the_output_is_one_half(xor):
    net = xor.net
    s = hidden.space(net, 2, hidden.lattice(domain(xor.data.X)), xor.train.X)
    w1, w2, b = s.readout
    # the output is a function of the last hidden layer: g(w1·u + w2·v + b) is the network's output
    np.testing.assert_allclose(net.output_activation(s.points @ [w1, w2] + b), net.forward(xor.train.X)[:, 0])
    ends = hidden.clip_line(s.boundary, s.extent)
    assert ends is not None and ends.shape == (2, 2)
    np.testing.assert_allclose(net.output_activation(ends @ [w1, w2] + b), 0.5, atol=1e-12)
    grid = hidden.output_grid(net, s.readout, s.extent, res=4)
    assert grid.shape == (4, 4) and ((grid > 0) & (grid < 1)).all()
    # the classes sit on either side of the line once the network is right
    side = s.points @ [w1, w2] - s.boundary[2] >= 0
    assert xor.last.accuracy == 1.0 and (side == (xor.train.y[:, 0] == 1)).all()


def test_no_hidden_layer_a_one_unit_layer_and_a_diverged_net_say_why():
    flat = hidden.lattice((0, 1, 0, 1), 3, 3)
    X = np.zeros((2, 2))
    with pytest.raises(ValueError, match="no hidden layer: the inputs feed the output unit directly"):
        hidden.space(mlp.MLP((2, 1)), 1, flat, X)
    with pytest.raises(ValueError, match="Hidden layer 2 has one unit"):
        hidden.space(mlp.MLP((2, 3, 1, 1)), 2, flat, X)
    assert hidden.problem(mlp.MLP((2, 3, 1, 1)), 1) == ""
    with pytest.raises(ValueError, match="There is no hidden layer 3"):
        hidden.space(mlp.MLP((2, 3, 2, 1)), 3, flat, X)
    broken = mlp.MLP((2, 3, 2, 1))
    broken.params[0] = np.nan
    with pytest.raises(ValueError, match="This run diverged"):
        hidden.space(broken, 1, flat, X)
    with pytest.raises(ValueError, match="choose two different units from 1 to 3"):
        hidden.space(mlp.MLP((2, 3, 2, 1)), 1, flat, X, hidden.Units(2, 2))


def test_a_regression_run_has_its_zero_line():
    run = finish(new_run(Experiment(dataset="reg_plane", hidden=(4, 2), epochs=300)))
    assert run.net.output_activation.name == "linear"
    s = hidden.space(run.net, 2, hidden.lattice(domain(run.data.X)), run.train.X, middle=0.0)
    w1, w2, b = s.readout
    assert s.boundary == (w1, w2, -b)  # w1·u + w2·v + b = 0: a linear output's zero
    assert hidden.level(run.net, 0.0) == 0.0


def test_a_relu_output_never_reaches_a_negative_middle():
    net = mlp.MLP((2, 2, 1), output_activation="relu")
    assert hidden.level(net, -0.5) is None and hidden.output_line((1.0, 1.0, 0.0), None) is None
    assert hidden.level(net, 0.5) == 0.5


def test_a_line_outside_the_box_has_no_segment():
    assert hidden.clip_line((1.0, 0.0, 5.0), (0, 1, 0, 1)) is None  # u = 5
    np.testing.assert_allclose(hidden.clip_line((1.0, -1.0, 0.0), (0, 1, 0, 1)), [[0, 0], [1, 1]])


def test_frames_end_before_the_first_that_cannot_be_drawn():
    net = mlp.MLP((2, 3, 2, 1))
    flat, X = hidden.lattice((0, 1, 0, 1), 3, 3), np.zeros((2, 2))
    broken = net.params.copy()
    broken[0] = np.inf
    assert len(hidden.frames(net, [net.params.copy(), net.params.copy(), broken, net.params.copy()], 1, flat, X)) == 2
    with pytest.raises(ValueError, match="This run diverged"):
        hidden.frames(net, [broken, net.params.copy()], 1, flat, X)
    assert np.isfinite(net.params).all()  # the network itself is left as it was
