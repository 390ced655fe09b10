"""Classroom presets: the lab report's comparison figures (15–25) as sweeps, with what to look for.

Each `Preset` is a `Sweep` plus a short explanation of what the class should see and why, and, where
it shows the answer, one of the 2025 lab questions with a plain answer. Every number quoted was
measured with this engine at the report's settings (2-9-4-1, sigmoid, MSE, plain GD, lr 0.1,
10,000 full-batch epochs, summed gradients, N(0, 1) weights, data and weight seed 0);
``tests/lab/test_sweep.py`` re-checks the claims that are cheap to check.
"""

from __future__ import annotations

from dataclasses import dataclass

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
            "overflows to infinity within 5 epochs (set Output activation to linear to see it)."
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
