"""Classroom presets: the lab report's comparison figures (15–25) as sweeps, with what to look for, and
two of its single runs (Figs. 14 and 19) as named experiments.

Each `Preset` is a `Sweep` plus a short explanation of what the class should see and why, and, where
it shows the answer, one of the 2025 lab questions with a plain answer. Each `Figure` is one experiment
(its link is ``Figure.query()``) that reproduces a figure of the report. Every number quoted was
measured with this engine at the report's settings (2-9-4-1, sigmoid, MSE, plain GD, lr 0.1,
10,000 full-batch epochs, summed gradients, N(0, 1) weights, data and weight seed 0) unless the
figure's settings say otherwise; ``tests/lab/test_sweep.py`` and ``tests/lab/test_presets.py``
re-check the claims that are cheap to check.
"""

from __future__ import annotations

from dataclasses import dataclass

from lab.experiment import Experiment
from lab.sweep import Sweep


@dataclass(frozen=True)
class Preset:
    """A named comparison: the sweep, what to look for, and the lab question it answers (if any)."""

    title: str
    sweep: Sweep
    explanation: str
    question: str = ""
    answer: str = ""
    figures: str = ""  # the report's figures it reproduces, on the linear set and on XOR


PRESETS: dict[str, Preset] = {
    "lr": Preset(
        title="Learning rate: 0.1, 0.3, 0.9",
        sweep=Sweep("lr", (0.1, 0.3, 0.9)),
        explanation=(
            "On XOR, lr 0.1 descends smoothly (100% at epoch ~700), 0.3 gets there sooner (~170) with a few "
            "bumps, and 0.9 makes the loss jump up and down for about 2,000 epochs. The gradient is summed "
            "over the points, so each step is lr × n times the average gradient (n = 21 on XOR, 100 on the "
            "linear set): a step that large overshoots the bottom of the valley and lands higher on the other "
            "side. On the linear set the very first 0.9 step pushes the output sigmoid into its flat tail: "
            "the network answers 0 for every point (52%) until about epoch 6,000."
        ),
        question="What if the learning rate is too large or too small?",
        answer=(
            "Too large, and each step overshoots: the loss oscillates (0.9 on XOR), or the weights jump to "
            "where a sigmoid is flat, its gradient almost vanishes and training stalls (0.9 on the linear "
            "set). Too small, and every step is tiny: lr 0.01 on XOR sits on the 0.25 plateau for about "
            "2,300 epochs and reaches 100% only at epoch ~7,000. A good rate is about the largest that still "
            "descends steadily; it depends on the data, the network and on summing or averaging the gradient."
        ),
        figures="15–16",
    ),
    "hidden": Preset(
        title="Hidden units: 2×1, 9×4, 20×14",
        sweep=Sweep("hidden", ("2,1", "9,4", "20,14")),
        explanation=(
            "On the linear set all three reach 100% (2×1 first, at epoch ~180): one straight boundary is "
            "enough. On XOR, 2×1 sits on the 0.25 plateau for about 3,000 epochs and then settles at 76.2% "
            "(16 of 21): its two first-layer units must place both of XOR's boundary lines, and gradient "
            "descent often finds a one-line answer instead (only 3 of 10 seeds solve it). 9×4 solves XOR by "
            "epoch ~700 and 20×14 by ~360: more units start from more lines, so some are likely near useful ones."
        ),
        figures="17–18",
    ),
    "activation": Preset(
        title="Activation: sigmoid, ReLU, tanh, none (linear)",
        sweep=Sweep("activation", ("sigmoid", "relu", "tanh", "linear")),
        explanation=(
            "On XOR, tanh (100% by epoch 50) and sigmoid (~700) succeed; ReLU's accuracy jumps between 62% "
            "and 100% for 80 epochs, then settles at 76.2% with 4 of its 9 first-layer units dead (output 0 "
            "for every point, so their gradient is 0 for good); with no activation the hidden layers compose into one linear map, "
            "and the network gets 76.2% = 16/21, what the best straight line can do on XOR. On the linear set "
            "the large summed steps kill the ReLU units and push the linear network's output sigmoid flat "
            "(both answer one class, 52%), while sigmoid and tanh reach 100%. The report's 'no activation' "
            "also dropped the output sigmoid: with a linear output nothing bounds the values, and lr 0.1 "
            "overflows to infinity within 5 epochs (the report's Fig. 19, one click away as \"No activation "
            "at all\")."
        ),
        question="What are the purposes of activation functions?",
        answer=(
            "They make the network non-linear. Without them each layer is a matrix product, and a product of "
            "matrices is one matrix, so any depth collapses to a single linear map with one straight "
            "boundary: 76.2% at best on XOR. With a non-linear function between layers, each unit bends the "
            "space and the next layer combines the bends into curved or several boundaries; a sigmoid at the "
            "output also turns the score into a probability between 0 and 1."
        ),
        figures="19–21, 24–25",
    ),
    "optimizer": Preset(
        title="Optimizer: GD, momentum, Adam",
        sweep=Sweep("optimizer", ("gd", "momentum", "adam")),
        explanation=(
            "On the linear set, plain GD's loss spikes hundreds of times in its first 1,000 epochs; momentum "
            "spikes far less and reaches 100% by epoch ~30 instead of ~300, and Adam's loss never rises "
            "(100% by epoch ~20); on XOR all three succeed, by epoch ~700, ~100 and ~40. Momentum keeps a "
            "fading sum of past gradients (b ← 0.9·b + g), so components that flip sign from step to step "
            "cancel while a steady direction builds up speed. Adam divides each weight's step by the "
            "root-mean-square of that weight's own recent gradients, so each weight moves at most about lr "
            "per step whether its gradient is tiny or huge (and summing or averaging the gradient makes "
            "almost no difference)."
        ),
        figures="22–23",
    ),
    "bias": Preset(
        title="Biases: on, off",
        sweep=Sweep("bias", (True, False)),
        explanation=(
            "Both lab sets reach 100% with and without biases here (10 of 10 seeds each; XOR at about the same "
            "epoch). The linear set's boundary x1 = x2 passes through the origin, so it needs no shift, and a "
            "hidden sigmoid's outputs lie between 0 and 1 (0.5 at the origin), so the next layer can use them "
            "as a built-in offset. Without biases, though, each first-layer unit's boundary w·x = 0 must "
            "pass through (0, 0)."
        ),
        question="What are the purposes of weights and biases?",
        answer=(
            "A weight says how strongly, and in which direction, one input pushes one unit; learning is the "
            "adjusting of weights. A unit computes σ(w·x + b), so its boundary w·x + b = 0 is a line whose "
            "direction the weights set and whose position the bias sets; without a bias the line must pass "
            "through the origin. Layer by layer, the weights and biases place the lines that the next layers "
            "combine into the decision boundary."
        ),
    ),
}


@dataclass(frozen=True)
class Figure:
    """One of the report's single runs: the experiment that reproduces it and what to look for."""

    title: str
    exp: Experiment
    explanation: str
    figures: str  # the report's figure numbers

    def query(self) -> dict[str, str]:
        """The experiment as link parameters (what differs from the defaults)."""
        return self.exp.to_query()


FIGURES: dict[str, Figure] = {
    "plateau": Figure(
        title="XOR's long plateau (Fig. 14)",
        # found by a search over the report's plausible settings: lr 0.1, 0.05, 0.03, 0.02; init normal, xavier,
        # he, uniform; biases on and off; sum and mean; 100 weight seeds each, 300 for the chosen one
        exp=Experiment(dataset="xor", init="uniform", weight_seed=262),
        explanation=(
            "The report's XOR loss sits near 0.25 until about epoch 4,000, then drops. With the report's N(0, 1) "
            "weights this engine leaves that plateau by epoch ~1,100 for every one of 100 seeds (epoch ~700 for "
            "seed 0); with averaged gradients the loss drifts down slowly instead of dropping. The report's "
            "curve needs smaller starting weights: TensorFlow Playground's U(−0.5, 0.5) (init uniform), weight "
            "seed 262, everything else the report's. The loss holds at 0.2494, the best constant guess, within "
            "0.0006 from epoch 500 to 3,500, leaves it at about epoch 3,750, is below 0.2 at epoch 4,350 and "
            "0.05 at 5,000; 100% from epoch 5,975, final loss 0.0005 (the report's: 0.0007). Small weights put "
            "every hidden sigmoid near 0.5, where all units compute nearly the same function of the input; the "
            "gradient that sets them apart is tiny, so their differences grow slowly for thousands of epochs, "
            "until the units split into the two lines XOR needs and the loss collapses."
        ),
        figures="9, 14",
    ),
    "no_activation": Figure(
        title="No activation at all: NaN (§4.3, Fig. 19)",
        exp=Experiment(activation="linear", output_activation="linear"),
        explanation=(
            "The report's §4.3 removed every activation: linear hidden layers and a linear output. Then nothing "
            "bounds the values, and the summed gradient's steps (lr 0.1 × 100 points) grow them layer after "
            "layer: on the linear set the loss starts at 12.4 and overflows to infinity at epoch 3 (XOR: 10.7, "
            "NaN at epoch 4). The run stops there; the network answers one class for every point, 48% on the "
            "linear set, 52% on XOR — the report's NaN and its accuracy of about 50% (it printed every 500 "
            "epochs, so its NaN first shows at epoch 500). Removing only the hidden activations (the "
            "activation sweep's \"none\") keeps the output sigmoid, which bounds the output: no NaN, and 76% "
            "on XOR, the best a straight line can do."
        ),
        figures="19–21",
    ),
}
