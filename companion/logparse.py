"""Reading a pasted training log: the lines a lab solution prints, out of whatever surrounds them.

Students print ``Epoch: 500, Loss: 0.02298729887447683`` every N epochs and, when testing,
``Iter1 | Ground truth: 0 | prediction: 0.00012 |`` per sample, then ``loss=0.00001 accuracy=100.00%``.
`parse_log` reads those from pasted text, tolerant of spacing, case, separators (``epoch 500 loss
0.02``, ``[Epoch 500/10000] train_loss=2e-2``), tabs, Windows line endings, scientific notation,
``nan``/``inf``, and of everything else in between (warnings, tracebacks, prose), which it skips and
counts. At most 1 MB of text and 100,000 lines.

Duplicated epochs: the **last** line for an epoch wins. A re-run, or output pasted over an older one,
prints the newer value later; in the report's own log (Fig. 5) the first of the two "Epoch: 3000"
lines repeats epoch 2,500's digits and the second continues the curve. Every duplicated epoch is
listed in the notes. Lines out of order are sorted by epoch (also noted).

Gaps are measured against the print interval (the greatest common divisor of the steps between
logged epochs, when it is one of those steps) and listed in the notes too.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

MAX_CHARS = 1_000_000
MAX_LINES = 100_000
MAX_EPOCH = 10**12

# Possessive quantifiers (*+, ++) never backtrack, so a hostile 1 MB line costs linear time.
_NUM = r"[-+]?(?:(?:\d++(?:\.\d*+)?|\.\d++)(?:e[-+]?\d++)?|nan|inf(?:inity)?)(?!\w|\.\d)"
_SEP = r"\s*+[:=#]?\s*+"
_EPOCH = re.compile(rf"(?<![a-z])epochs?{_SEP}\[?\s*+(\d++)(?:\s*+/\s*+\d++)?\]?", re.I)
_LOSS = re.compile(rf"(?<![a-z])loss\w*+{_SEP}({_NUM})", re.I)
_BARE = re.compile(rf"\s*+[:,|=-]?\s*+({_NUM})", re.I)  # "Epoch 500: 0.023", no word "loss"
_ITER = re.compile(rf"(?<![a-z])iter(?:ation)?s?{_SEP}(\d++)", re.I)
_TRUTH = re.compile(rf"(?<![a-z])(?:ground[\s_-]*+truth|truth|label|target){_SEP}({_NUM})", re.I)
_PRED = re.compile(rf"(?<![a-z])pred(?:iction|icted)?s?{_SEP}({_NUM})", re.I)
_ACC = re.compile(rf"(?<![a-z])acc(?:uracy)?{_SEP}({_NUM})\s*+(%?)", re.I)
_WARNING = re.compile(r"Warning:\s*+((?:overflow|invalid value|divide by zero|underflow) encountered in \w++)?")


@dataclass(frozen=True, eq=False)
class StudentLog:
    """What a pasted log holds.

    epochs (k,) int64, increasing, one per logged epoch; losses (k,) float64, as printed (NaN/inf kept);
    predictions: (iter, truth, prediction) per test line, in text order; printed_accuracy in [0, 1] and
    printed_loss from the summary line, if any; warnings: distinct numpy warnings seen; notes: what was
    skipped, merged or sorted.
    """

    epochs: np.ndarray
    losses: np.ndarray
    predictions: tuple[tuple[int, float, float], ...]
    printed_accuracy: float | None
    printed_loss: float | None
    warnings: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def accuracy(self) -> float | None:
        """Recomputed from the predictions: prediction ≥ 0.5 means class 1 (the lab's rule)."""
        if not self.predictions:
            return None
        return sum((p >= 0.5) == (t >= 0.5) for _, t, p in self.predictions) / len(self.predictions)


def parse_log(text: str | bytes) -> StudentLog:
    """Read the training and test lines out of pasted text (see the module docstring)."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", errors="replace")
    if not isinstance(text, str):
        raise ValueError(f"text: expected the pasted log as a string, got {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise ValueError(f"text: longer than {MAX_CHARS:,} characters; paste the training and test lines only")
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise ValueError(f"text: more than {MAX_LINES:,} lines; print the loss every few hundred epochs")
    seen: list[tuple[int, float]] = []
    preds, warnings, skipped = [], {}, []
    acc = printed_loss = None
    for line in lines:
        if not line.strip():
            continue
        if (entry := _epoch_line(line)) is not None:
            seen.append(entry)
        elif (pred := _prediction_line(line, len(preds) + 1)) is not None:
            preds.append(pred)
        elif m := _ACC.search(line):
            value = float(m.group(1))
            acc = value / 100 if m.group(2) or value > 1 else value
            loss = _LOSS.search(line)
            printed_loss = float(loss.group(1)) if loss else None
        else:
            if w := _WARNING.search(line):  # numpy's RuntimeWarning: overflow encountered in square …
                warnings.setdefault(w.group(1) or "a Warning", None)
            skipped.append(line.strip())
    if not seen and not preds and acc is None:
        raise ValueError(
            "text: no training or test lines found; paste lines like 'Epoch: 500, Loss: 0.0229' "
            "or 'Iter1 | Ground truth: 0 | prediction: 0.00012 |'"
        )
    epochs, losses, notes = _merge(seen)
    if skipped:
        notes.append(f"skipped {len(skipped):,} other line{'s' * (len(skipped) > 1)}, e.g. {skipped[0][:80]!r}")
    return StudentLog(epochs, losses, tuple(preds), acc, printed_loss, tuple(warnings), tuple(notes))


def _epoch_line(line: str) -> tuple[int, float] | None:
    m = _EPOCH.search(line)
    if not m or int(m.group(1)) > MAX_EPOCH:
        return None
    loss = _LOSS.search(line, m.end()) or _BARE.match(line, m.end())
    return (int(m.group(1)), float(loss.group(1))) if loss else None


def _prediction_line(line: str, k: int) -> tuple[int, float, float] | None:
    truth, pred = _TRUTH.search(line), _PRED.search(line)
    if not truth or not pred:
        return None
    it = _ITER.search(line)
    return (
        int(it.group(1)) if it and int(it.group(1)) <= MAX_EPOCH else k,
        float(truth.group(1)),
        float(pred.group(1)),
    )


def _merge(seen: list[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """One loss per epoch (the last line wins), sorted; notes on duplicates, order, runs and gaps."""
    notes = []
    by_epoch: dict[int, list[float]] = {}
    for e, loss in seen:
        by_epoch.setdefault(e, []).append(loss)
    dups = {e: v for e, v in by_epoch.items() if len(v) > 1}
    if dups:
        shown = ", ".join(f"{e:,} ({_values(v)})" for e, v in list(dups.items())[:6])
        more = f" and {len(dups) - 6} more" if len(dups) > 6 else ""
        notes.append(f"epochs logged more than once: {shown}{more}; the last line for each is kept")
    order = [e for e, _ in seen]
    if any(b < a for a, b in zip(order, order[1:])):
        restarts = sum(1 for a, b in zip(order, order[1:]) if b < a and b == min(order))
        notes.append(
            "lines out of order, sorted by epoch"
            + (f"; the log seems to hold {restarts + 1} runs (paste one at a time)" if restarts else "")
        )
    epochs = np.array(sorted(by_epoch), dtype=np.int64)
    losses = np.array([by_epoch[e][-1] for e in epochs.tolist()], dtype=np.float64)
    steps = np.diff(epochs).tolist()
    step = math.gcd(*steps) if steps else 0
    if step in steps:  # the print interval: every step between logged epochs is a multiple of it
        gaps = [(a, b) for a, b in zip(epochs.tolist(), epochs[1:].tolist()) if b - a > step]
        if 0 < sum((b - a) // step - 1 for a, b in gaps) <= 10:  # counted first: a gap may be 10¹² wide
            missing = [e for a, b in gaps for e in range(a + step, b, step)]
            notes.append(f"epochs {', '.join(f'{e:,}' for e in missing)} are missing (logged every {step:,} elsewhere)")
    epochs.setflags(write=False)
    losses.setflags(write=False)
    return epochs, losses, notes


def _values(v: list[float]) -> str:
    """'0.00731 then 0.00634', or '2× the same' when the lines agree."""
    if len({repr(x) for x in v}) == 1:
        return f"{len(v)}× the same"
    return " then ".join(f"{x:.3g}" for x in v)
