"""Check my backprop: compare a student's hand-computed gradients with the engine's exact ones.

The student dumps their network, data and gradients to one JSON file (docs/check.md has a
ten-line snippet that does it):

    {"layer_sizes": [2, 9, 4, 1], "activation": "sigmoid", "output_activation": "sigmoid",
     "loss": "mse", "reduction": "sum",
     "X": [[x1, x2], ...], "y": [[0], ...],
     "weights": [W1, W2, W3], "biases": [b1, b2, b3],
     "grad_weights": [dW1, dW2, dW3], "grad_biases": [db1, db2, db3]}

- Weights are (fan_in, fan_out), ``z = a_prev @ W + b``, as in `mlp`. A matrix given (fan_out, fan_in)
  is read transposed when its shape says so (non-square) and the report says so; square ones follow
  the layout of the non-square weights.
- ``biases`` and ``grad_biases`` are optional: without them the network is the lab's bias-free one,
  Z1 = σ(X·W1). A bias may be (fan_out,), (1, fan_out) or (fan_out, 1).
- ``activation`` / ``output_activation``: a name from ``mlp.ACTIVATIONS`` (default sigmoid);
  ``loss``: mse (the mean of (p − y)², default) or bce; ``reduction``: "sum" (default; the gradient
  of the summed loss, what most lab solutions compute) or "mean" (the mean loss's, PyTorch's).
- At most 1 MB of text and 100,000 numbers; NaN, infinities, strings and booleans are refused.

The check builds the engine's network with the file's weights, computes the exact gradient for the
declared reduction, and compares each parameter (dW1, db1, … numbered from 1 at the input) by
relative error ‖g − ĝ‖ / (‖g‖ + ‖ĝ‖): "ok" below 1e-6. Then `companion.diagnose` says which classic
mistake the numbers match, or where the error sits. ``python -m mlp check FILE`` exits 0
when every gradient matches, 1 when one doesn't, 2 when the file cannot be checked (one line on
stderr naming the key).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from .checkfile import MAX_BYTES, CheckFile, CheckFileError, load, make_file, validate
from .diagnose import OK_TOL, Diagnosis, explain, first_wrong_layer, rel_error
from .mistakes import Problem

__all__ = ["CheckFileError", "Report", "Row", "check", "format_report", "load", "main", "make_file"]


@dataclass(frozen=True)
class Row:
    """One parameter's comparison: shape as the engine holds it ((fan_in, fan_out) or (fan_out,))."""

    name: str
    shape: tuple[int, ...]
    rel_error: float
    verdict: str  # "ok" or "wrong"
    transposed: bool  # the student gave it (fan_out, fan_in) and it was read transposed


@dataclass(frozen=True)
class Report:
    """The whole check: rows from the input up, the first wrong layer counting back from the output
    (None when all are right), the diagnoses (several: explanations the file cannot tell apart), notes."""

    network: str
    rows: tuple[Row, ...]
    first_wrong_layer: int | None
    diagnoses: tuple[Diagnosis, ...]
    notes: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return all(r.verdict == "ok" for r in self.rows)


def check(data: dict[str, Any]) -> Report:
    """Check a file (from `load`, or a plain dict in the same format). Raises `CheckFileError` when the
    file is malformed, or when its weights overflow the network so there is nothing exact to compare."""
    f = data if isinstance(data, CheckFile) else validate(data)
    problem = Problem.from_file(f)
    exact = problem.gradients(problem.exact)
    if not all(np.isfinite(g).all() for g in exact):
        raise CheckFileError(
            "weights: the network overflows on X with these weights (the exact gradient is "
            "NaN or infinite); check smaller weights"
        )
    given, flipped = [], set()  # in the order of problem.names: dW1, db1, dW2, …
    for l, dW in enumerate(f["grad_weights"]):
        given += [dW] if f["grad_biases"] is None else [dW, f["grad_biases"][l]]
        if f"grad_weights[{l}]" in f["transposed"]:
            flipped.add(f"dW{l + 1}")
    rows = []
    for name, g, e in zip(problem.names, given, exact):
        err = rel_error(g, e)
        rows.append(Row(name, e.shape, err, "ok" if err < OK_TOL else "wrong", name in flipped))
    wrong = [r.verdict == "wrong" for r in rows]
    return Report(
        _describe(f),
        tuple(rows),
        first_wrong_layer(problem.names, wrong),
        explain(problem, given, exact),
        _notes(f, rows),
    )


def _describe(f: dict[str, Any]) -> str:
    sizes = "-".join(map(str, f["layer_sizes"]))
    bias = "with biases" if f["biases"] is not None else "no biases"
    return (
        f"{sizes}, {f['activation']} hidden, {f['output_activation']} output, {f['loss']}, "
        f"reduction {f['reduction']}, {f['X'].shape[0]} points, {bias}"
    )


def _notes(f: dict[str, Any], rows: list[Row]) -> tuple[str, ...]:
    notes = []
    if f["transposed"]:
        notes.append(f"read transposed (given as (fan_out, fan_in)): {', '.join(f['transposed'])}.")
    if f["biases"] is None:
        notes.append("no biases: checked as the lab's bias-free network, Z1 = f(X @ W1).")
    if all(r.verdict == "ok" for r in rows):
        notes.append(f"largest relative error {max(r.rel_error for r in rows):.1e} (ok below {OK_TOL:g}).")
    return tuple(notes)


def format_report(report: Report) -> str:
    """Plain text for the CLI: an aligned table, the verdict line, then the diagnoses and notes."""
    table = [("param", "shape", "rel. error", "verdict", "")]
    for r in report.rows:
        table.append(
            (r.name, str(r.shape), f"{r.rel_error:.1e}", r.verdict, "given transposed" if r.transposed else "")
        )
    widths = [max(len(row[i]) for row in table) for i in range(5)]
    lines = [f"Gradient check: {report.network}", ""]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in table]
    lines += ["", verdict_line(report)]
    if len(report.diagnoses) == 1:
        d = report.diagnoses[0]
        head = "Diagnosis (together):" if len(d.mistakes) > 1 else "Diagnosis:"
        lines += ["", head] + [f"- {s}" for s in d.sentences]
    elif report.diagnoses:
        lines += ["", "Diagnosis — these explanations give the same numbers on this file:"]
        for k, d in enumerate(report.diagnoses, 1):
            lines += [f"{k}. {d.sentences[0]}"] + [f"   {s}" for s in d.sentences[1:]]
    if report.notes:
        lines += ["", "Notes:"] + [f"- {n}" for n in report.notes]
    return "\n".join(lines)


def verdict_line(report: Report) -> str:
    """One sentence: all right, or how many are wrong and the first wrong layer from the output."""
    total, bad = len(report.rows), [r.name for r in report.rows if r.verdict == "wrong"]
    if not bad:
        return f"Verdict: all {total} gradients match the exact ones."
    l = report.first_wrong_layer
    layer_rows = [r.name for r in report.rows if r.name[2:] == str(l) and r.verdict == "wrong"]
    where = f"layer {l}" + (", the output layer" if l == max(int(r.name[2:]) for r in report.rows) else "")
    return (
        f"Verdict: {len(bad)} of {total} gradients {'is' if len(bad) == 1 else 'are'} wrong; counting back from the output, the first "
        f"wrong layer is {where} ({', '.join(layer_rows)})."
    )


def build_parser() -> argparse.ArgumentParser:
    """``python -m mlp check``'s arguments; ``-h``/``--help`` prints its usage (the check file's format is in
    docs/check.md)."""
    p = argparse.ArgumentParser(
        prog="python -m mlp check", usage="%(prog)s [-h] FILE", add_help=False,
        description="Compare the gradients in a check file with the exact ones, parameter by parameter, and say "
        "which classic mistake the numbers match. Exit code 0: every gradient matches; 1: some don't; 2: the "
        "file cannot be checked (one line on stderr names the key).",
        epilog="The file's format and a snippet that writes it from a lab solution: docs/check.md.",
    )
    p.add_argument("file", metavar="FILE", nargs="?", help="the check file (JSON, at most 1 MB); - reads stdin")
    p.add_argument("-h", "--help", action="store_true", help="show this message and exit")
    return p


def main(argv: list[str]) -> int:
    """``check FILE`` (FILE may be - for stdin): print the report; exit 0 all right, 1 some gradient
    wrong, 2 the file cannot be read or checked (one line on stderr). ``check --help`` prints the usage."""
    parser = build_parser()
    args = argv[1:] if argv[:1] == ["check"] else None
    ns, extra = parser.parse_known_args(args) if args is not None else (None, [])
    if ns is not None and ns.help:
        print(parser.format_help(), end="")
        return 0
    if ns is None or extra or ns.file is None:
        print(parser.format_usage().strip() + "   (the format: docs/check.md)", file=sys.stderr)
        return 2
    path = ns.file
    try:
        if path == "-":
            text = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            with open(path, "rb") as fh:
                text = fh.read(MAX_BYTES + 1)  # one byte over the limit is enough to refuse it
        report = check(load(text))
    except OSError as exc:
        print(f"{path}: cannot read the file ({exc.strerror or exc})", file=sys.stderr)
        return 2
    except CheckFileError as exc:
        print(f"{path}: {' '.join(str(exc).splitlines())}", file=sys.stderr)
        return 2
    except MemoryError:  # the file's bounds keep a check to tens of MB: a machine short of even that
        print(f"{path}: the check ran out of memory; check a smaller batch of points or a smaller network",
              file=sys.stderr)
        return 2
    print(format_report(report))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
