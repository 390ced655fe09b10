"""Share links made before the code was reorganised still give the same numbers, bit for bit.

Each figure below was computed by the code as it was before the run record and the single forward and
backward pass (commit 121c177): the final epoch, loss, accuracy and the sum of the trained weights.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import numpy as np
import pytest

from lab.experiment import from_query
from lab.run import finish, new_run
from lab.sweep import Sweep, run_sweep

CUSTOM = "AQYAmpmZmZmZuT_NzMzMzMzsP5qZmZmZmbk_zczMzMzM7D8AAAAg_98AQACA__8AIP-______wBAAABo"  # 6 points
LINKS = {
    "": (10000, 2.2623941945682058e-05, 1.0, -3.5189430655343212),
    "dataset=xor": (10000, 0.00010086328593826773, 1.0, 24.67915436947058),
    "dataset=xor&hidden=20,14&activation=tanh&optimizer=adam&lr=0.01&epochs=2000":
        (2000, 3.8278390957208585e-05, 1.0, -12.743755855692118),
    "dataset=circle&n=200&test=0.25&noise=0.1&batch_size=32&epochs=500&l2=0.001":
        (500, 0.017378185257044057, 1.0, -5.848600386773404),
    f"dataset=custom&points={CUSTOM}&epochs=3000": (3000, 0.0005707193791631002, 1.0, 3.0448812619664),
}


@pytest.mark.parametrize("link", LINKS)
def test_a_link_gives_the_numbers_it_gave(link):
    exp, notices = from_query(dict(parse_qsl(link)))
    assert notices == []
    run = finish(new_run(exp))
    assert (run.last.epoch, run.last.loss, run.last.accuracy, float(np.sum(run.net.params))) == LINKS[link]


def test_a_board_link_gives_the_numbers_it_gave():
    # ?dataset=xor&sweep=lr&values=0.1;0.3;0.9: the board's three runs, trained together
    exp, _ = from_query({"dataset": "xor"})
    records = run_sweep(exp, Sweep.parse("lr", "0.1;0.3;0.9"), every=25)
    assert [(r.last.loss, r.epochs_to_100) for r in records] == [
        (0.00010086328593826773, 700), (3.2533447986514755e-05, 200), (1.3071773142677001e-05, 1275)]
