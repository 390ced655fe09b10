"""Bring your own data: CSV files, data-editor tables, clicked points and share links, all validated.

Every entry point returns a ``Dataset`` named "custom" with X (n, 2) float64 and y (n, 1) float64 in
{0, 1}, 2 ≤ n ≤ MAX_ROWS, or raises ValueError with one message naming the row and the column, e.g.
``CSV row 5, column 2 (x2): 'abc' is not a number``. Rows count from 1 as a spreadsheet shows them (a
CSV's header and blank lines included; a table's rows from its first); columns by position and name.

CSV: columns x1, x2, label; an optional header names them in any order and case. Cells are separated by
commas, semicolons or tabs, detected from the first non-blank line (with semicolons or tabs, a decimal
comma — 0,5 — reads as 0.5). Blank lines, rows of empty cells and empty cells past the third are ignored;
labels are 0/1, 0.0/1.0 or true/false; coordinates are finite with |x| ≤ 1e6 (the page rescales its
axes). UTF-8 text (a BOM is fine), at most MAX_BYTES.

Share links: ``encode_points`` packs 2 to MAX_LINK_POINTS points into URL-safe base64 without padding:

    version (1 byte) | n (uint16) | x1 min, x1 max, x2 min, x2 max (4 float64)
    | n × (q1, q2) (uint16) | n label bits, packed, first point in the top bit, zero padded

little-endian, with q = round((x − min) / (max − min) · 65535) per axis. A coordinate comes back
within LINK_PRECISION · (max − min) = (max − min) / 131070 of its value: under 1e-5 of the data's extent
on that axis (7.6e-6 for points spanning [0, 1]). Labels and the order of the points come back exactly.
200 points take MAX_LINK_CHARS = 1,147 characters. zlib is not used: quantised coordinates look random
and do not shrink. ``decode_points`` treats its text as hostile: anything but a well-formed link raises
ValueError.
"""

from __future__ import annotations

import base64
import binascii
import csv
import math
import re
import struct
from collections.abc import Iterable, Iterator, Mapping, Sequence

import numpy as np

from mlp import checks
from mlp.data import Dataset

NAME = "custom"
COLUMNS = ("x1", "x2", "label")
MIN_POINTS = 2
MAX_ROWS = 2000  # points in a custom data set, however it was made
MAX_BYTES = 1_000_000  # a CSV file, checked before anything is parsed
MAX_COORD = 1e6  # |x1| and |x2| at most this
MAX_LINK_POINTS = 200

_VERSION = 1
_HEADER = struct.Struct("<BH4d")  # version, n, x1 min, x1 max, x2 min, x2 max
_LEVELS = 65535  # uint16 quantisation steps per axis
LINK_PRECISION = 1 / (2 * _LEVELS)  # worst error of a link coordinate, as a fraction of its axis' extent

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # in no text file; \t, \n and \r are fine
_LETTER = re.compile(r"[^\W\d_]")
_URLSAFE = re.compile(r"[A-Za-z0-9_-]*")
_TRUE_FALSE = {"true": 1.0, "false": 0.0}

Cells = Sequence[object]  # one row's x1, x2, label: text from a CSV, numbers or text from a table


def _link_bytes(n: int) -> int:
    return _HEADER.size + 4 * n + (n + 7) // 8


MAX_LINK_CHARS = (4 * _link_bytes(MAX_LINK_POINTS) + 2) // 3  # base64 without padding: 1,147


# ----- one cell ----------------------------------------------------------------------------------
def _show(cell: object) -> str:
    """A cell as a message quotes it: text in quotes, at most 30 characters."""
    text = repr(cell.strip()) if isinstance(cell, str) else str(cell)
    return text if len(text) <= 30 else text[:29] + "…"


def _is_empty(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _number(cell: object, where: str) -> float:
    """A finite float from text or a number; ValueError naming ``where`` otherwise."""
    if _is_empty(cell):
        raise ValueError(f"{where}: empty; expected a number")
    if isinstance(cell, bool) or not isinstance(cell, (str, int, float, np.integer, np.floating)):
        raise ValueError(f"{where}: {_show(cell)} is not a number")
    try:
        value = float(cell)
    except ValueError:
        raise ValueError(f"{where}: {_show(cell)} is not a number") from None
    except OverflowError:  # an int beyond float's range
        value = math.inf
    if not math.isfinite(value):
        raise ValueError(f"{where}: {_show(cell)} is not a finite number; NaN and infinity are not allowed")
    return value


def _coordinate(cell: object, where: str) -> float:
    value = _number(cell, where)
    if abs(value) > MAX_COORD:
        raise ValueError(
            f"{where}: {value:g} is too large; coordinates must lie within ±{MAX_COORD:,.0f} (rescale the data)"
        )
    return value


def _label(cell: object, where: str) -> float:
    if isinstance(cell, (bool, np.bool_)):
        return float(cell)
    if isinstance(cell, str) and cell.strip().lower() in _TRUE_FALSE:
        return _TRUE_FALSE[cell.strip().lower()]
    value = _number(cell, where)
    if value not in (0.0, 1.0):
        raise ValueError(f"{where}: {_show(cell)} is not a label; expected 0 or 1 (or true/false)")
    return value


# ----- rows to a data set, shared by CSV files and tables ----------------------------------------
def _collect(source: str, rows: Iterable[tuple[int, Cells, Sequence[int]]], max_rows: int) -> Dataset:
    """Check each (row number, (x1, x2, label) cells, their column positions) into a Dataset."""
    points: list[tuple[float, float, float]] = []
    for row, cells, positions in rows:
        where = [f"{source} row {row}, column {p} ({name})" for p, name in zip(positions, COLUMNS)]
        if len(points) == max_rows:
            raise ValueError(f"{source} row {row}: more than {max_rows:,} points, the limit")
        points.append((_coordinate(cells[0], where[0]), _coordinate(cells[1], where[1]), _label(cells[2], where[2])))
    if len(points) < MIN_POINTS:
        found = "no data rows" if not points else "only 1 point"
        raise ValueError(f"{source}: {found}; a data set needs at least {MIN_POINTS} points (x1, x2, label)")
    A = np.array(points, dtype=np.float64)
    return Dataset(NAME, A[:, :2].copy(), A[:, 2:].copy())


def _wrong_columns(source: str, row: int, found: int) -> ValueError:
    hint = "; separate them with commas, semicolons or tabs" if found == 1 else ""
    return ValueError(f"{source} row {row}: expected 3 columns (x1, x2, label), found {found}{hint}")


# ----- CSV -----------------------------------------------------------------------------------------
def _text(content: object) -> str:
    """The file as text: at most MAX_BYTES, UTF-8 (BOM dropped), no control characters."""
    not_text = "CSV: not a text file; expected comma-separated text with columns x1, x2, label"
    if isinstance(content, (bytes, bytearray)):
        size = len(content)
    elif isinstance(content, str):
        size = len(content) if len(content) > MAX_BYTES else len(content.encode("utf-8", "surrogatepass"))
    else:
        raise ValueError(f"CSV: expected text or bytes, got {type(content).__name__}")
    if size > MAX_BYTES:
        raise ValueError(f"CSV: the file is {size / 1e6:.1f} MB; the limit is {MAX_BYTES / 1e6:g} MB")
    if isinstance(content, str):
        text = content.removeprefix("\ufeff")
    else:
        try:
            text = bytes(content).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError(not_text + " (it is not UTF-8)") from None
    if _CONTROL.search(text):
        raise ValueError(not_text + " (it holds binary bytes)")
    return text


def _is_float(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _csv_rows(lines: list[tuple[int, str]], delimiter: str) -> Iterator[tuple[int, Cells, Sequence[int]]]:
    """Each data row as (row number, cells in x1, x2, label order, their column positions)."""
    order, header_seen = (0, 1, 2), False
    for row, line in lines:
        try:
            fields = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True, strict=True))
        except csv.Error as exc:
            raise ValueError(f"CSV row {row}: cannot be read as CSV ({exc})") from None
        cells = [c.strip() for c in fields]
        if not any(cells):
            continue
        while len(cells) > 3 and not cells[-1]:  # empty cells past the third, as spreadsheets export them
            cells.pop()
        if delimiter != ",":  # a decimal comma, 0,5; a cell that is no number either way is shown as written
            cells = [c.replace(",", ".") if _is_float(c.replace(",", ".")) else c for c in cells]
        if not header_seen and not any(map(_is_float, cells)) and any(_LETTER.search(c) for c in cells):
            order = _header(cells, row)  # no number and some letter: a header ("0.1 0.2 1" is a data row)
        elif len(cells) != 3:
            raise _wrong_columns("CSV", row, len(cells))
        else:
            yield row, [cells[j] for j in order], [j + 1 for j in order]
        header_seen = True


def _header(cells: list[str], row: int) -> tuple[int, int, int]:
    """Where x1, x2 and label are in a header row (any order and case)."""
    names = [c.lower() for c in cells]
    if sorted(names) != sorted(COLUMNS):
        found = ", ".join(map(_show, cells[:6])) + (", …" if len(cells) > 6 else "")
        hint = "; separate them with commas, semicolons or tabs" if len(cells) == 1 else ""
        raise ValueError(
            f"CSV row {row} (header): found {found}; expected the columns x1, x2 and label, "
            f"in any order (or no header: numbers from the first row){hint}"
        )
    return names.index("x1"), names.index("x2"), names.index("label")


def parse_csv(content: str | bytes, *, max_rows: int = MAX_ROWS) -> Dataset:
    """Read a CSV file (text or the uploaded bytes) of x1, x2, label into a Dataset named "custom".

    The format and every message are in the module docstring; at most ``max_rows`` (≤ MAX_ROWS) points.
    """
    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or not MIN_POINTS <= max_rows <= MAX_ROWS:
        raise ValueError(f"max_rows: expected a whole number from {MIN_POINTS} to {MAX_ROWS}, got {max_rows!r}")
    text = _text(content).replace("\r\n", "\n").replace("\r", "\n")
    lines = [(i, line) for i, line in enumerate(text.split("\n"), 1) if line.strip()]
    if not lines:
        raise ValueError("CSV: the file is empty; expected rows of x1, x2, label")
    first = lines[0][1]
    delimiter = ";" if ";" in first else "\t" if "\t" in first else ","
    return _collect("CSV", _csv_rows(lines, delimiter), max_rows)


def to_csv(data: Dataset) -> str:
    """``x1,x2,label`` then one line per point: floats as repr (read back exactly), labels 0 or 1."""
    lines = [",".join(COLUMNS)]
    lines += [f"{a!r},{b!r},{int(c)}" for (a, b), c in zip(data.X.tolist(), data.y[:, 0].tolist())]
    return "\n".join(lines) + "\n"


# ----- a data-editor table -----------------------------------------------------------------------
def _table_rows(rows: Iterable[object]) -> Iterator[tuple[int, Cells, Sequence[int]]]:
    for row, item in enumerate(rows, 1):
        if isinstance(item, Mapping):
            keys = {str(k).strip().lower(): v for k, v in item.items()}
            missing = [c for c in COLUMNS if c not in keys]
            if missing:
                raise ValueError(f"table row {row}: missing column(s) {', '.join(missing)}; expected x1, x2, label")
            cells: Cells = [keys[c] for c in COLUMNS]
        elif isinstance(item, (list, tuple)) or (isinstance(item, np.ndarray) and item.ndim == 1):
            if len(item) != 3:
                raise _wrong_columns("table", row, len(item))
            cells = list(item)
        else:
            raise ValueError(
                f"table row {row}: expected a dict with keys x1, x2, label or an (x1, x2, label) "
                f"tuple, got {type(item).__name__}"
            )
        # NaN is how a data editor shows a cell nobody has filled in; a row of them is skipped
        cells = [None if isinstance(c, (float, np.floating)) and math.isnan(c) else c for c in cells]
        if not all(_is_empty(c) for c in cells):
            yield row, cells, (1, 2, 3)


def from_table(rows: Iterable[Mapping[str, object]] | Iterable[Sequence[object]]) -> Dataset:
    """A Dataset from table rows: dicts with keys x1, x2, label (any case; other keys ignored), as
    ``DataFrame.to_dict("records")`` gives, or (x1, x2, label) tuples. Rows count from 1; rows whose
    cells are all empty (None, NaN, blank) are skipped; otherwise the checks and messages of parse_csv."""
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Iterable) or getattr(rows, "ndim", 1) == 0:
        raise ValueError(f"table: expected a list of rows, got {type(rows).__name__}")
    return _collect("table", _table_rows(rows), MAX_ROWS)


# ----- click to add, click to remove --------------------------------------------------------------
def add_point(data: Dataset, x1: float, x2: float, label: float | bool) -> Dataset:
    """A new Dataset "custom": ``data`` and the point (x1, x2) with ``label`` (0, 1, True or False)."""
    point = [[_coordinate(x1, "x1"), _coordinate(x2, "x2")]]
    label = _label(label, "label")
    if len(data) >= MAX_ROWS:
        raise ValueError(f"add point: the data set already has {len(data):,} points, the limit; remove some first")
    return Dataset(NAME, np.vstack([data.X, point]), np.vstack([data.y, [[label]]]))


def remove_nearest(data: Dataset, x1: float, x2: float) -> Dataset:
    """A new Dataset "custom": ``data`` without the point nearest (x1, x2) (the first one, on a tie).

    Distance scales each axis by the data's extent on it, as a chart whose axes fit the data shows it.
    """
    click = np.array([_number(x1, "x1"), _number(x2, "x2")])
    if len(data) <= MIN_POINTS:
        raise ValueError(f"remove point: only {len(data)} points left; a data set needs at least {MIN_POINTS}")
    span = np.ptp(data.X, axis=0)
    span[span == 0] = 1.0
    with np.errstate(over="ignore"):  # a click far outside tiny data: an infinite distance is still fine
        distance = np.hypot(*((data.X - click) / span).T)
    keep = np.arange(len(data)) != int(np.argmin(distance))
    return Dataset(NAME, data.X[keep], data.y[keep])


# ----- share links ---------------------------------------------------------------------------------
def encode_points(X: object, y: object) -> str:
    """X (n, 2) and labels y (n,) or (n, 1) as URL-safe text (format in the module docstring).

    ValueError when n > MAX_LINK_POINTS (the link then carries the settings only) or the points are bad.
    """
    X, y = checks.points("X", X, y)
    n = X.shape[0]
    if X.shape[1] != 2:
        raise ValueError(f"X: expected shape (n, 2), got {X.shape}")
    if not MIN_POINTS <= n <= MAX_LINK_POINTS:
        raise ValueError(f"link: {n} points; a link carries {MIN_POINTS} to {MAX_LINK_POINTS}")
    if np.abs(X).max() > MAX_COORD:
        raise ValueError(f"X: coordinates must lie within ±{MAX_COORD:,.0f}")
    lo, hi = X.min(axis=0), X.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    q = np.clip(np.rint((X - lo) / span * _LEVELS), 0, _LEVELS).astype("<u2")
    header = _HEADER.pack(_VERSION, n, lo[0], hi[0], lo[1], hi[1])
    raw = header + q.tobytes() + np.packbits(y[:, 0].astype(np.uint8)).tobytes()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_points(text: str) -> Dataset:
    """The Dataset "custom" a link carries; ValueError (and only ValueError) for anything else."""
    bad = "points link:"
    if not isinstance(text, str):
        raise ValueError(f"{bad} expected text, got {type(text).__name__}")
    if len(text) > MAX_LINK_CHARS:
        raise ValueError(f"{bad} {len(text):,} characters; a link of {MAX_LINK_POINTS} points has {MAX_LINK_CHARS:,}")
    if not _URLSAFE.fullmatch(text):
        raise ValueError(f"{bad} holds characters other than A–Z, a–z, 0–9, - and _")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValueError(f"{bad} not valid base64 (cut short?)") from None
    if len(raw) < _HEADER.size:
        raise ValueError(f"{bad} too short to hold any points")
    version, n, *box = _HEADER.unpack_from(raw)
    if version != _VERSION:
        raise ValueError(f"{bad} unknown version {version}; this page reads version {_VERSION}")
    if not MIN_POINTS <= n <= MAX_LINK_POINTS:
        raise ValueError(f"{bad} says {n} points; allowed: {MIN_POINTS} to {MAX_LINK_POINTS}")
    if len(raw) != _link_bytes(n):
        raise ValueError(f"{bad} {len(raw)} bytes, but {n} points take {_link_bytes(n)}; it is cut short or damaged")
    lo, hi = np.array(box[0::2]), np.array(box[1::2])
    if not (np.isfinite(box).all() and (lo <= hi).all() and np.abs(box).max() <= MAX_COORD):
        raise ValueError(f"{bad} damaged (its bounding box is not finite, ordered and within ±{MAX_COORD:,.0f})")
    q = np.frombuffer(raw, "<u2", 2 * n, _HEADER.size).reshape(n, 2)
    bits = np.unpackbits(np.frombuffer(raw, np.uint8, offset=_HEADER.size + 4 * n))
    if bits[n:].any():
        raise ValueError(f"{bad} damaged (stray bits after the labels)")
    X = lo + q / _LEVELS * (hi - lo)
    return Dataset(NAME, X, bits[:n].astype(np.float64).reshape(n, 1))
