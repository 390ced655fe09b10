"""``python -m mlp``: train one experiment and print the lab's text output; ``python -m mlp check FILE``
checks a student's gradients (`companion.gradcheck`).

Flags are the fields of `lab.experiment.Experiment` (``--dataset --n --noise --test --seed --features x1 x2
x1sq --hidden 9 4 --activation --loss --optimizer --lr --epochs --batch-size --reduction`` …) plus
``--log-every``. ``--hidden 0`` is a network without hidden layers (logistic regression). A regression
set (``--dataset reg_plane``) prints its per-sample targets and predictions and the loss, no accuracy.
A bad value prints one line naming the flag and the allowed values, and exits with code 2. The
command line is the lab's (it prints the lab's text), so it lives here; ``mlp/__main__.py`` calls it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from companion import gradcheck
from lab.experiment import DEFAULT, FIELDS, Experiment, combine, task_defaults
from lab.report import test_lines, training_log
from mlp import train

# what each flag means, in a few words (the CLI's own face of the settings; --help adds what is allowed)
HELP = {
    "dataset": "The data set: the lab's linear and xor (21 points), more shapes, or custom (needs --points).",
    "n": "How many points (xor always has its 21).",
    "noise": "Noise, 0 to 0.5; its meaning per data set is in mlp/data.py.",
    "test": "Share of points held out for testing; 0 tests on the training data, as the lab does.",
    "seed": "Seeds the points and the train/test split.",
    "points": "Custom points, as the page's share links encode them (with --dataset custom).",
    "features": "The network's inputs, e.g. --features x1 x2 x1sq x2sq; squares, product and sines are of the "
                "coordinates centred on the data's middle (see mlp/features.py).",
    "hidden": "Units per hidden layer, e.g. --hidden 9 4; --hidden 0 for none (logistic regression).",
    "activation": "Hidden layers' activation; linear means none.",
    "output_activation": "The output layer's activation; sigmoid keeps the output a probability.",
    "loss": "mse (the lab's) or bce (binary cross-entropy; classification only).",
    "init": "Weight initialisation; normal is N(0, 1), what the lab's students use.",
    "bias": "Biases on (true) or the lab's bias-free network (false).",
    "weight_seed": "Seeds the initial weights and the mini-batch order.",
    "optimizer": "PyTorch's update rules; momentum and nesterov use 0.9.",
    "lr": "Learning rate.",
    "epochs": "Passes over the training set.",
    "batch_size": "Mini-batch size; 0 means full batch (the lab's).",
    "reduction": "sum: gradients summed over samples, as lab solutions do; mean: PyTorch's.",
    "l1": "L1 penalty l1·Σ|W| on weights.",
    "l2": "L2 penalty (l2/2)·ΣW² on weights.",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit code 2, no usage block
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m mlp", description="Train the lab's network and print its text output. "
                "(python -m mlp check FILE checks your own gradients: python -m mlp check --help, docs/check.md.)")
    regression = task_defaults("reg_plane")
    for f in FIELDS.values():
        default = f.format(getattr(DEFAULT, f.name))
        if f.name in regression:
            default += f" ({f.format(regression[f.name])} for the regression sets)"
        helptext = f"{HELP[f.name]} Allowed: {f.allowed()}. Default: {default}."
        if f.kind in ("sizes", "names"):
            p.add_argument(f.flag, nargs="+", metavar="UNITS" if f.kind == "sizes" else "NAME", help=helptext)
        else:
            p.add_argument(f.flag, metavar=f.kind.upper() if f.kind != "choice" else "NAME", help=helptext)
    p.add_argument("--log-every", type=int, default=500, metavar="N", help="Print the loss every N epochs (500).")
    return p


def command_line(exp: Experiment) -> str:
    """The command that runs ``exp``: ``python -m mlp`` with a flag per setting that is not the default."""
    parts = ["python -m mlp"]
    for key, value in exp.to_query().items():
        parts.append(f"{FIELDS[key].flag} {value.replace(',', ' ') if FIELDS[key].kind in ('sizes', 'names') else value}")
    return " ".join(parts)


def parse(argv: Sequence[str] | None = None) -> tuple[Experiment, int]:
    """The experiment and log interval from command-line arguments; exits 2 on a bad value."""
    parser = build_parser()
    ns = parser.parse_args(argv)
    values = {}
    for f in FIELDS.values():
        raw = getattr(ns, f.name)
        if raw is None:
            continue
        try:
            values[f.name] = f.parse(" ".join(raw) if isinstance(raw, list) else raw)
        except ValueError as exc:
            parser.error(f"argument {f.flag}: {str(exc).removeprefix(f.name + ': ')}")
    if ns.log_every < 1:
        parser.error("argument --log-every: must be at least 1")
    exp, clashes = combine(values)  # a setting that does not go with the others (bce on reg_plane)
    if clashes:
        name = clashes[0].split(":", 1)[0]
        parser.error(f"argument {FIELDS[name].flag}: {clashes[0].split(' — ')[0].removeprefix(name + ': ')}")
    return exp, ns.log_every


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["check"]:  # python -m mlp check FILE: the lab companion's gradient check
        return gradcheck.main(args)
    exp, log_every = parse(args)
    try:
        train_set, test_set = exp.split()
    except ValueError as exc:  # e.g. --dataset custom without --points
        build_parser().error(str(exc))
    net = exp.network(train_set.X)
    test_kw = {} if test_set is train_set else {"X_test": test_set.X, "y_test": test_set.y}
    snaps = train(net, train_set.X, train_set.y, every=log_every, **exp.train_kwargs(), **test_kw)
    try:
        for line in training_log(snaps, log_every):
            print(line)
        for line in test_lines(test_set.y, net.forward(test_set.X), exp.task):
            print(line)
    except BrokenPipeError:  # `python -m mlp | head`: the reader has what it wanted
        sys.stdout = None  # nothing left to flush at exit
    return 0


if __name__ == "__main__":
    sys.exit(main())
