"""Boards of mixed runs: the table's columns and the ranking know a regression run has no accuracy."""

from lab.compare import default_name, score, table
from lab.experiment import Experiment
from lab.run import finish, new_run


def record(epochs: int = 60, **settings):
    return finish(new_run(Experiment(epochs=epochs, **settings))).record()


def test_a_regression_board_has_no_accuracy_and_ranks_by_loss():
    slow, fast = record(dataset="reg_plane", lr=0.0005), record(dataset="reg_plane", lr=0.003)
    assert fast.last.loss < slow.last.loss
    rows = table([("slow", slow), ("fast", fast)])
    assert [set(r) for r in rows] == [{"run", "lr", "train loss", "time (s)", "status"}] * 2
    assert sorted([("slow", slow), ("fast", fast)], key=lambda e: score(e[1]))[0][0] == "fast"


def test_a_mixed_board_leaves_the_regression_cells_empty_and_ranks_classification_first():
    xor, reg = record(dataset="xor"), record(dataset="reg_plane")
    rows = table([("xor", xor), ("reg", reg)])
    assert rows[0]["train accuracy"] == 100 * xor.last.accuracy and rows[0]["epochs to 100%"] == "never"
    assert rows[1]["train accuracy"] is None and rows[1]["epochs to 100%"] == "—"
    assert score(xor) < score(reg)


def test_classification_ranks_by_accuracy_then_loss():
    good, bad = record(300, dataset="xor", lr=0.3), record(300, dataset="xor", hidden=())
    assert good.last.accuracy == 1.0 > bad.last.accuracy and score(good) < score(bad)
    # equal accuracy: the lower loss first
    close = record(300, dataset="xor", lr=0.5)
    assert close.last.accuracy == 1.0 and close.last.loss < good.last.loss and score(close) < score(good)


def test_default_names():
    assert default_name(Experiment(dataset="circle", hidden=())) == "circle · no hidden layer · gd lr 0.1"
    assert default_name(Experiment(dataset="xor")) == "xor · 9×4 sigmoid · gd lr 0.1"


def test_a_features_sweep_and_its_board_table():
    from lab.sweep import Sweep

    sweep = Sweep.parse("features", "x1,x2; x1,x2,x1sq,x2sq")
    assert sweep.labels == ["x1,x2", "x1,x2,x1sq,x2sq"] and sweep.query()["values"] == "x1,x2;x1,x2,x1sq,x2sq"
    base = Experiment(dataset="circle", hidden=(), epochs=2000)
    plain, squares = (finish(new_run(e)).record() for e in sweep.experiments(base))
    rows = table([("plain", plain), ("squares", squares)])
    assert [r["features"] for r in rows] == ["x1,x2", "x1,x2,x1sq,x2sq"] and "hidden" not in rows[0]
    assert squares.last.accuracy > plain.last.accuracy and score(squares) < score(plain)
