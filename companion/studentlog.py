"""Paste my training log: what a lab solution printed, read back, and what it shows.

Students print ``Epoch: 500, Loss: 0.02298729887447683`` every N epochs and, when testing,
``Iter1 | Ground truth: 0 | prediction: 0.00012 |`` per sample, then ``loss=0.00001 accuracy=100.00%``.

- `parse_log(text) -> StudentLog` reads those lines out of pasted text (`companion.logparse`: the tolerated
  spellings, the bounds, and why the *last* line for a duplicated epoch wins).
- `symptoms(log)` names the classic shapes of the curve in plain words, one function per symptom in
  `SYMPTOMS`: divergence (NaN/inf), a loss that never changes, XOR's 0.25 plateau, a loss above 1,
  a rising end, spikes, not yet converged, and an accuracy that disagrees with its predictions.
- `compare(log, epochs, losses)` sets the student's curve against a reference run of the same settings.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mlp.train import divergence_reason

from .logparse import MAX_EPOCH, StudentLog, parse_log

__all__ = ["SYMPTOMS", "StudentLog", "compare", "parse_log", "symptoms"]

# A loss stuck here means the network outputs about one value for every point. A student's log may be of any
# data set, so the window (±0.01) is centred on 0.25, the MSE of an output stuck at 0.5 on labels half ones;
# XOR's best constant guess (10 ones of 21: MSE 10/21 · 11/21 = 0.2494, the figure the page names, lab.run.PLATEAU)
# lies well inside it.
STUCK_AT_HALF = 0.25
PASS_MARK = 0.9  # the lab's accuracy to pass


# ----- what the curve shows ------------------------------------------------------------------------
def _finite(log: StudentLog) -> tuple[np.ndarray, np.ndarray]:
    ok = np.isfinite(log.losses)
    return log.epochs[ok], log.losses[ok]


def _word(x: float) -> str:
    return "NaN" if np.isnan(x) else "infinite"


def _diverged(log: StudentLog) -> str | None:
    bad = np.flatnonzero(~np.isfinite(log.losses))
    if not bad.size:
        return None
    first = int(log.epochs[bad[0]])
    text = divergence_reason("the loss", first)
    text = text[0].upper() + text[1:]
    if bad[0] > 0:
        before = int(log.epochs[bad[0] - 1])
        text += f" Your last finite loss was {log.losses[bad[0] - 1]:.4g} at epoch {before:,}: it blew up in between."
    if log.warnings:
        text += f" numpy warned first: {'; '.join(log.warnings[:3])}."
    return text


def _flat(log: StudentLog) -> str | None:
    _, losses = _finite(log)
    if len(losses) >= 3 and abs(losses[0]) > 1e-12 and np.ptp(losses) <= 1e-12 * abs(losses[0]):
        return (
            f"The loss never changes ({losses[0]:.6g} at every logged epoch): the weights are probably not "
            "updated. Check that the update is assigned back (self.w1 -= lr * dw1) and that lr is not 0."
        )
    return None


def _plateau(log: StudentLog) -> str | None:
    epochs, losses = _finite(log)
    near = np.abs(losses - STUCK_AT_HALF) <= 0.01
    if not near.any() or _flat(log):
        return None
    # the longest run of consecutive logged points near 0.25
    runs, start = [], None
    for i, flag in enumerate([*near.tolist(), False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((start, i - 1))
            start = None
    a, b = max(runs, key=lambda r: r[1] - r[0])
    if b == len(losses) - 1 and b - a >= 1:
        return (
            f"Your loss is stuck near 0.25 ({losses[-1]:.4g} at epoch {int(epochs[-1]):,}): XOR's constant-"
            "prediction plateau, where the network outputs about the same value for every point (the best "
            "constant gives MSE 0.2494). Try more epochs, a larger learning rate or summed gradients, another "
            "seed, or more hidden units."
        )
    if b - a >= 2:
        return (
            f"Your loss sat near 0.25 from epoch {int(epochs[a]):,} to {int(epochs[b]):,}, then fell: XOR's "
            "constant-prediction plateau (MSE 0.2494). It is normal; a larger learning rate or summed "
            "gradients shorten it."
        )
    return None


def _above_one(log: StudentLog) -> str | None:
    epochs, losses = _finite(log)
    if not losses.size or losses.max() <= 1:
        return None
    i = int(np.argmax(losses))
    return (
        f"Your loss exceeds 1 ({losses[i]:.4g} at epoch {int(epochs[i]):,}), which the mean squared error of a "
        "sigmoid output cannot: the output has no sigmoid (a linear output can grow without bound), or the "
        "loss is summed over the points rather than averaged (divide by n to compare)."
    )


def _rising(log: StudentLog) -> str | None:
    epochs, losses = _finite(log)
    if len(losses) < 2 or losses[-1] <= 1.5 * losses.min():
        return None
    i = int(np.argmin(losses))
    return (
        f"Your loss ends higher than it was: lowest {losses[i]:.3g} at epoch {int(epochs[i]):,}, final "
        f"{losses[-1]:.3g} at epoch {int(epochs[-1]):,}. The steps overshoot: try a smaller learning rate."
    )


def _spikes(log: StudentLog) -> str | None:
    epochs, losses = _finite(log)
    ups = [i for i in range(1, len(losses)) if losses[i] > 1.5 * losses[i - 1] and losses[i - 1] > 0]
    if not ups or _rising(log):
        return None
    shown = ", ".join(f"at epoch {int(epochs[i]):,} ({losses[i - 1]:.3g} → {losses[i]:.3g})" for i in ups[:3])
    return (
        f"The loss jumps up {shown}, then falls again: a learning rate near the edge of stability makes such "
        "spikes (or the line was copied wrong); if they recur, lower it."
    )


def _not_converged(log: StudentLog) -> str | None:
    epochs, losses = _finite(log)
    if len(losses) < 2 or not np.isfinite(log.losses[-1]) or not (0.001 < losses[-1] < 0.9 * losses[-2]):
        return None
    return (
        f"Your loss was still falling at the end ({losses[-2]:.3g} → {losses[-1]:.3g} over the last "
        f"{int(epochs[-1] - epochs[-2]):,} epochs): more epochs would help."
    )


def _accuracy(log: StudentLog) -> str | None:
    acc, printed = log.accuracy, log.printed_accuracy
    n = len(log.predictions)
    if acc is not None and printed is not None and abs(acc - printed) > 0.5 / n:
        right = round(acc * n)
        return (
            f"The printed accuracy ({printed:.2%}) disagrees with the {n} predictions listed ({right} of {n} "
            f"right with prediction ≥ 0.5 as class 1 = {acc:.2%}): check the threshold and which set it counts."
        )
    value = acc if acc is not None else printed
    if value is not None and value < PASS_MARK:
        return f"Accuracy {value:.2%} is below the lab's {PASS_MARK:.0%} pass mark."
    return None


SYMPTOMS: dict[str, Callable[[StudentLog], str | None]] = {
    "diverged": _diverged,
    "flat": _flat,
    "plateau": _plateau,
    "above_one": _above_one,
    "rising": _rising,
    "spikes": _spikes,
    "not_converged": _not_converged,
    "accuracy": _accuracy,
}


def symptoms(log: StudentLog) -> list[str]:
    """The classic shapes the log shows, in plain words (an empty list: nothing to remark)."""
    with np.errstate(over="ignore", invalid="ignore"):  # printed losses may be as large as 1e308
        return [s for check in SYMPTOMS.values() if (s := check(log))]


# ----- against a reference run ------------------------------------------------------------------------
THRESHOLDS = (0.1, 0.01, 0.001)


def compare(log: StudentLog, epochs: np.ndarray, losses: np.ndarray) -> list[str]:
    """Sentences setting the student's curve against a reference run of the same settings.

    epochs (k,) and losses (k,): the reference's logged epochs and mean losses (e.g. the page's run).
    For each threshold in THRESHOLDS that either curve crosses, the first logged epoch at or below it
    ("Yours reaches 0.01 at epoch 3,000; this run at 600."), then both final losses.
    """
    ref_e, ref_l, ref_finite = _curve(epochs, losses)
    if not log.epochs.size:
        return ["Your log has no training lines to compare."]
    my_e, my_l = _finite(log)
    out = []
    with np.errstate(over="ignore", invalid="ignore"):
        for t in THRESHOLDS:
            a, b = _reaches(my_e, my_l, t), _reaches(ref_e, ref_l, t)
            if (my_l[:1] <= t).all() and (ref_l[:1] <= t).all() or (a is None and b is None):
                continue  # both start below it, or neither gets there: nothing to say
            if a is not None and b is not None:
                out.append(f"Yours reaches {t:g} at epoch {a:,}; this run at {b:,}.")
            elif b is not None:
                out.append(f"This run reaches {t:g} at epoch {b:,}; yours never does{_lowest(my_e, my_l)}.")
            else:
                out.append(f"Yours reaches {t:g} at epoch {a:,}; this run never does{_lowest(ref_e, ref_l)}.")
    if (bad := np.flatnonzero(~np.isfinite(log.losses))).size:
        also = "; this run stays finite." if ref_finite else "."
        out.append(f"Yours became {_word(log.losses[bad[0]])} at epoch {int(log.epochs[bad[0]]):,}{also}")
    if ref_l.size:
        last = log.losses[-1]
        yours = f"{last:.3g}" if np.isfinite(last) else _word(last)
        out.append(
            f"Final loss: yours {yours} at epoch {int(log.epochs[-1]):,}; this run {ref_l[-1]:.3g} at epoch "
            f"{int(ref_e[-1]):,}."
        )
    return out


def _curve(epochs: object, losses: object) -> tuple[np.ndarray, np.ndarray, bool]:
    """The reference's (epochs, losses) where both are finite, and whether every loss was."""
    e, l = np.asarray(epochs), np.asarray(losses)
    if e.dtype.kind not in "biuf" or l.dtype.kind not in "biuf":
        raise ValueError("epochs, losses: expected two arrays of real numbers")
    e, l = e.astype(np.float64).reshape(-1), l.astype(np.float64).reshape(-1)
    if e.shape != l.shape:
        raise ValueError(f"losses: {l.size} losses for {e.size} epochs; they must match")
    ok = np.isfinite(e) & (np.abs(e) <= MAX_EPOCH) & np.isfinite(l)
    return e[ok].astype(np.int64), l[ok], bool(np.isfinite(l).all())


def _reaches(epochs: np.ndarray, losses: np.ndarray, t: float) -> int | None:
    hit = np.flatnonzero(losses <= t)
    return int(epochs[hit[0]]) if hit.size else None


def _lowest(epochs: np.ndarray, losses: np.ndarray) -> str:
    if not losses.size:
        return ""
    i = int(np.argmin(losses))
    return f" (lowest {losses[i]:.3g} at epoch {int(epochs[i]):,})"
