"""lab.plane's grids: what the network's inputs are over the plane (the diagram's input maps)."""

import numpy as np
import pytest

from lab.experiment import Experiment
from lab.plane import cells, domain, input_grids


def test_the_lab_inputs_over_the_plane_are_the_cell_centres():
    exp = Experiment(dataset="xor")
    net = exp.network()
    dom = domain(exp.data().X)
    maps = input_grids(net, dom, res=5)
    assert maps.shape == (5, 5, 2)
    _, _, centres = cells(dom, 5)
    np.testing.assert_array_equal(maps.reshape(-1, 2), centres)
    assert maps[0, 0, 0] < maps[0, -1, 0] and maps[0, 0, 1] < maps[-1, 0, 1]  # x1 to the right, x2 upwards (row 0 lowest)


def test_each_feature_map_is_what_the_first_layer_sees():
    exp = Experiment(dataset="circle", features=("x1sq", "x2sq", "x1x2", "sinx1"))
    net = exp.network()
    dom = domain(exp.data().X)
    maps = input_grids(net, dom, res=7)
    _, _, centres = cells(dom, 7)
    v = 2 * (centres - 0.5)  # the built-in sets' centre (0.5, 0.5), scaled to [−1, 1]
    # worked out by hand from mlp.features' table: v1², v2², v1·v2, sin(6·v1)
    expected = np.column_stack([v[:, 0] ** 2, v[:, 1] ** 2, v[:, 0] * v[:, 1], np.sin(6 * v[:, 0])])
    np.testing.assert_allclose(maps.reshape(-1, 4), expected, rtol=1e-12, atol=1e-12)
    assert maps[3, 3, 0] == pytest.approx(0.0)  # the middle cell sits on the centre: x1sq is 0 there
