"""Bring your own data: CSV and link round trips, every bad file named by row and column, point editing."""

import base64
import math
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlp
from lab import points
from lab.points import (
    MAX_BYTES,
    MAX_LINK_CHARS,
    MAX_LINK_POINTS,
    MAX_ROWS,
    add_point,
    decode_points,
    encode_points,
    from_table,
    parse_csv,
    remove_nearest,
    to_csv,
)


def error(call, *args, **kwargs) -> str:
    with pytest.raises(ValueError) as info:
        call(*args, **kwargs)
    message = str(info.value)
    assert "\n" not in message  # one message, shown as is
    return message


def link_bytes(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def to_link(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# ----- CSV: what reads -----------------------------------------------------------------------------
def test_csv_round_trip_is_exact_for_awkward_floats():
    X = np.array([[0.1 + 0.2, -0.0], [5e-324, 1e6], [-123456.789012345, 1 / 3], [2.5e-8, -1e6]])
    data = mlp.Dataset("spiral", X, np.array([[0.0], [1.0], [1.0], [0.0]]))
    back = parse_csv(to_csv(data))
    assert back.name == "custom"
    np.testing.assert_array_equal(back.X, X)
    np.testing.assert_array_equal(back.y, data.y)
    assert back.X.dtype == back.y.dtype == np.float64 and back.y.shape == (4, 1)


def test_csv_round_trip_of_a_generated_set():
    data = mlp.make_dataset("moons", 500, noise=0.3, seed=4)
    back = parse_csv(to_csv(data).encode())
    np.testing.assert_array_equal(back.X, data.X)
    np.testing.assert_array_equal(back.y, data.y)


def test_to_csv_writes_a_header_and_labels_as_0_and_1():
    data = mlp.Dataset("x", np.array([[0.5, 0.25], [1e-05, 3.0]]), np.array([[1.0], [0.0]]))
    assert to_csv(data) == "x1,x2,label\n0.5,0.25,1\n1e-05,3.0,0\n"


@pytest.mark.parametrize(
    "text",
    [
        "0.5,0.25,1\n-1,2,0\n",  # no header
        "x1,x2,label\n0.5,0.25,1\n-1,2,0\n",
        "X1,X2,LABEL\n0.5,0.25,1\n-1,2,0\n",
        ' "x1", "x2",  "Label"\n 0.5 , 0.25 , 1 \n-1,2,0',  # quotes and spaces
        "label,x2,x1\n1,0.25,0.5\n0,2,-1\n",  # any order
        "x2;label;x1\n0,25;true;0,5\n2;false;-1\n",  # semicolons, decimal commas, true/false
        "x1\tx2\tlabel\n0.5\t0.25\t1.0\n-1\t2\t0.0\n",  # tabs
        "\ufeffx1,x2,label\r\n0.5,0.25,1\r\n-1,2,0\r\n",  # BOM, Windows line ends
        "\n\nx1,x2,label\n\n0.5,0.25,TRUE\n,,\n   \n-1,2,False\n\n",  # blank lines, a row of empty cells
        "x1,x2,label,,\n0.5,0.25,1,\n-1,2,0\n",  # trailing empty cells (spreadsheet export)
        "0.5,0.25,1\r-1,2,0",  # old Mac line ends, no final newline
    ],
)
def test_csv_variants_read_the_same_points(text):
    for content in (text, text.encode("utf-8")):
        data = parse_csv(content)
        np.testing.assert_array_equal(data.X, [[0.5, 0.25], [-1.0, 2.0]])
        np.testing.assert_array_equal(data.y, [[1.0], [0.0]])


def test_a_utf8_bom_in_bytes_is_dropped():
    data = parse_csv(b"\xef\xbb\xbfx1,x2,label\n0,0,0\n1,1,1\n")
    np.testing.assert_array_equal(data.y, [[0.0], [1.0]])


def test_max_rows_points_read_and_one_more_does_not():
    rows = "".join(f"{i / MAX_ROWS},{1 - i / MAX_ROWS},{i % 2}\n" for i in range(MAX_ROWS))
    assert len(parse_csv("x1,x2,label\n" + rows)) == MAX_ROWS
    message = error(parse_csv, "x1,x2,label\n" + rows + "0,0,0\n")
    assert "row 2002" in message and "2,000" in message
    assert "row 4" in error(parse_csv, rows, max_rows=3) and "more than 3 points" in error(parse_csv, rows, max_rows=3)


# ----- CSV: what does not --------------------------------------------------------------------------
H = "x1,x2,label\n"


@pytest.mark.parametrize(
    "content, words",
    [
        (H + "0.1,0.2,1\n0.3,0.4\n", ["row 3", "3 columns", "found 2"]),
        (H + "0.1,0.2,1,7\n0,0,0\n", ["row 2", "3 columns", "found 4"]),
        ("0.1 0.2 1\n0 0 0\n", ["row 1", "found 1", "commas, semicolons or tabs"]),
        (H + "0.1,abc,1\n0,0,0\n", ["row 2, column 2 (x2)", "'abc' is not a number"]),
        (H + "\n0,0,0\n\n0.1,0.2,\n", ["row 5, column 3 (label)", "empty"]),  # blank lines still count
        ("label,x2,x1\n1,0.5,abc\n0,0,0\n", ["row 2, column 3 (x1)", "'abc'"]),  # named by the header
        (H + "0,0,0\n0.1,0.2,2\n", ["row 3, column 3 (label)", "'2'", "0 or 1"]),
        (H + "0,0,0\n0.1,0.2,0.5\n", ["row 3, column 3 (label)", "0 or 1"]),
        (H + "0,0,0\n0.1,0.2,yes\n", ["row 3, column 3 (label)", "'yes'"]),
        (H + "0,0,0\n0.1,1e400,1\n", ["row 3, column 2 (x2)", "finite"]),
        (H + "0,0,0\n-2e6,0,1\n", ["row 3, column 1 (x1)", "-2e+06", "1,000,000"]),
        ("", ["empty"]),
        ("\n  \n\r\n", ["empty"]),
        (H, ["no data rows"]),
        (H + "\n,,\n", ["no data rows"]),
        (H + "0,0,1\n", ["only 1 point", "at least 2"]),
        ("a,b,c\n0,0,0\n1,1,1\n", ["row 1 (header)", "'a', 'b', 'c'", "x1, x2 and label"]),
        ("x1,x2,x3\n0,0,0\n1,1,1\n", ["row 1 (header)", "'x3'"]),
        ("x1,x2\n0,0\n1,1\n", ["row 1 (header)", "x1, x2 and label"]),
        (H + '0,0,0\n"0.1,0.2,1\n', ["row 3", "cannot be read as CSV"]),
        (bytes(range(256)), ["not a text file"]),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ["not a text file"]),
        ("x1,x2,label\n0,0,0\n1,1,1\n".encode("utf-16"), ["not a text file"]),
        ("0,0,0\n1,1\x001\n", ["not a text file"]),
        ("0,0,0\n1,1,1\n".encode("latin-1") + b"\xe9", ["not a text file", "UTF-8"]),
        (b"\x00" * (MAX_BYTES + 1), ["1.0 MB", "limit is 1 MB"]),  # size first: before it is read as text
        ("0,0,0\n" * (MAX_BYTES // 6 + 1), ["limit is 1 MB"]),
        ("é" * (MAX_BYTES // 2 + 1), ["limit is 1 MB"]),  # counted in UTF-8 bytes
        (12345, ["expected text or bytes"]),
        ("x" * 100_000 + "\n0,0,0\n", ["row 1 (header)", "'xxxxxxxxxxxxxxxxxxxxxxxxxxxx…"]),  # quoted, not dumped
        ("0,0,0\n0," + "9" * 100_000 + ",1\n", ["row 2, column 2 (x2)", "finite"]),
    ],
)
def test_bad_files_are_rejected_naming_row_and_column(content, words):
    message = error(parse_csv, content)
    assert message.startswith("CSV") and len(message) < 300
    for w in words:
        assert w in message, (w, message)


@pytest.mark.parametrize("cell", ["nan", "NaN", "inf", "-inf", "Infinity", "-Infinity", "1e999"])
@pytest.mark.parametrize("column, name", [(1, "x1"), (2, "x2"), (3, "label")])
def test_nan_and_infinity_are_rejected_in_every_column(cell, column, name):
    row = ["0.5", "0.5", "1"]
    row[column - 1] = cell
    message = error(parse_csv, H + "0,0,0\n" + ",".join(row) + "\n")
    assert f"row 3, column {column} ({name})" in message and "finite" in message, message


@pytest.mark.parametrize("max_rows", [1, 0, MAX_ROWS + 1, 2.5, True])
def test_max_rows_is_checked(max_rows):
    assert "max_rows" in error(parse_csv, "0,0,0\n1,1,1\n", max_rows=max_rows)


# ----- tables (st.data_editor records) -------------------------------------------------------------
def test_table_rows_as_dicts_or_tuples():
    records = [
        {"x1": 0.5, "x2": 0.25, "label": 1, "note": "extra keys are ignored"},
        {"X1": -1, "X2": 2, "Label": False},
    ]
    for rows in (records, [(0.5, 0.25, True), [-1, 2, 0.0]], [np.array([0.5, 0.25, 1.0]), ("-1", "2", "false")]):
        data = from_table(rows)
        assert data.name == "custom"
        np.testing.assert_array_equal(data.X, [[0.5, 0.25], [-1.0, 2.0]])
        np.testing.assert_array_equal(data.y, [[1.0], [0.0]])


def test_table_skips_rows_nobody_filled_in():
    rows = [(0, 0, 0), (None, None, None), (math.nan, np.float32("nan"), ""), (1, 1, 1)]
    assert len(from_table(rows)) == 2


BAD_COORDINATES = ["abc", "nan", "inf", "-Infinity", "1e999", "2e6", "", "1,5"]


@pytest.mark.parametrize(
    "column, cell",
    [(c, v) for c in (1, 2) for v in BAD_COORDINATES] + [(3, v) for v in BAD_COORDINATES + ["yes", "2", "0.5", "-1"]],
)
def test_table_messages_are_the_csv_messages(column, cell):
    row = ["0.5", "0.5", "1"]
    row[column - 1] = cell
    from_csv = error(parse_csv, ",".join(f'"{c}"' for c in row) + "\n0,0,0\n")
    from_rows = error(from_table, [tuple(row), (0, 0, 0)])
    assert from_csv.startswith("CSV row 1, column") and from_rows.startswith("table row 1, column")
    assert from_csv.removeprefix("CSV") == from_rows.removeprefix("table")


@pytest.mark.parametrize(
    "rows, words",
    [
        ([(0, 0, 0), (0.1, None, 1)], ["table row 2, column 2 (x2)", "empty"]),
        ([(0, 0, 0), (0.1, math.nan, 1), (1, 1, 1)], ["table row 2, column 2 (x2)", "empty"]),
        ([(0, 0, 0), (math.inf, 0, 1)], ["table row 2, column 1 (x1)", "finite"]),
        ([(0, 0, 0), (10**400, 0, 1)], ["table row 2, column 1 (x1)", "finite"]),
        ([(0, 0, 0), (True, 0, 1)], ["table row 2, column 1 (x1)", "not a number"]),
        ([(0, 0, 0), ([1], 0, 1)], ["table row 2, column 1 (x1)", "not a number"]),
        ([(0, 0, 0), (0, 0, 3)], ["table row 2, column 3 (label)", "0 or 1"]),
        ([(0, 0, 0), {"x1": 0, "label": 1}], ["table row 2", "missing", "x2"]),
        ([(0, 0, 0), (0, 0)], ["table row 2", "3 columns", "found 2"]),
        (["x1", "x2", "label"], ["table row 1", "expected a dict"]),  # a DataFrame passed as is
        ([], ["no data rows"]),
        ([(0, 0, 0)], ["only 1 point"]),
        ([(i / MAX_ROWS, 0, 0) for i in range(MAX_ROWS + 1)], ["table row 2001", "2,000"]),
        (None, ["table", "list of rows"]),
        ("x1,x2,label", ["table", "list of rows"]),
    ],
)
def test_bad_tables_are_rejected(rows, words):
    message = error(from_table, rows)
    for w in words:
        assert w in message, (w, message)


# ----- click to add and remove ----------------------------------------------------------------------
def square() -> mlp.Dataset:
    return from_table([(0, 0, 0), (1, 0, 1), (0, 1, 1), (1, 1, 0)])


def test_add_point_appends_without_touching_the_original():
    data = square()
    more = add_point(data, 0.5, 0.25, True)
    assert len(data) == 4 and len(more) == 5 and more.name == "custom"
    np.testing.assert_array_equal(more.X[-1], [0.5, 0.25])
    assert more.y[-1, 0] == 1.0 and more.y.shape == (5, 1)
    np.testing.assert_array_equal(more.X[:4], data.X)


@pytest.mark.parametrize(
    "x1, x2, label, words",
    [
        (math.nan, 0, 1, ["x1", "finite"]),
        (0, math.inf, 1, ["x2", "finite"]),
        (0, 2e6, 1, ["x2", "1,000,000"]),
        (0, 0, 2, ["label", "0 or 1"]),
        (0, 0, math.nan, ["label", "finite"]),
        ("a", 0, 1, ["x1", "not a number"]),
    ],
)
def test_add_point_checks_its_point(x1, x2, label, words):
    message = error(add_point, square(), x1, x2, label)
    for w in words:
        assert w in message, (w, message)


def test_add_point_respects_max_rows():
    full = from_table([(i / MAX_ROWS, 0, i % 2) for i in range(MAX_ROWS)])
    assert "2,000" in error(add_point, full, 0.5, 0.5, 0)
    assert len(add_point(full.subset(np.arange(MAX_ROWS - 1)), 0.5, 0.5, 0)) == MAX_ROWS


def test_remove_nearest_removes_the_closest_point():
    less = remove_nearest(square(), 0.9, 0.2)
    assert len(less) == 3 and less.name == "custom"
    np.testing.assert_array_equal(less.X, [[0, 0], [0, 1], [1, 1]])
    np.testing.assert_array_equal(less.y, [[0], [1], [0]])


def test_remove_nearest_measures_distance_as_a_fitted_chart_shows_it():
    # x1 spans 1000 and x2 spans 1: the click (10, 0.9) is 10 units from (0, 0) and 290 from (300, 1), but on
    # a chart fitted to the data it is 0.9 of the height from (0, 0) and about 0.3 of it from (300, 1).
    data = from_table([(0, 0, 0), (300, 1, 1), (1000, 0, 0)])
    np.testing.assert_array_equal(remove_nearest(data, 10, 0.9).X, [[0, 0], [1000, 0]])


def test_remove_nearest_on_a_flat_axis():
    data = from_table([(0.5, 0, 0), (0.5, 1, 1), (0.5, 2, 0)])
    np.testing.assert_array_equal(remove_nearest(data, 0.7, 0.9).X, [[0.5, 0], [0.5, 2]])


def test_remove_nearest_keeps_two_points_and_checks_the_click():
    two = from_table([(0, 0, 0), (1, 1, 1)])
    assert "at least 2" in error(remove_nearest, two, 0, 0)
    assert "x2" in error(remove_nearest, square(), 0, math.nan)
    assert len(remove_nearest(square(), 1e300, -1e300)) == 3  # a far click still picks a point


# ----- share links -----------------------------------------------------------------------------------
def within_precision(X: np.ndarray, back: np.ndarray) -> None:
    """Each coordinate within LINK_PRECISION of its axis' extent (plus a few ulps of rounding)."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    bound = points.LINK_PRECISION * (hi - lo) + 4 * np.spacing(np.maximum(abs(lo), abs(hi)))
    assert (np.abs(back - X) <= bound).all(), np.abs(back - X).max(axis=0) / bound


def test_link_round_trip_within_the_documented_precision():
    data = mlp.make_dataset("spiral", 150, noise=0.2, seed=1)
    back = decode_points(encode_points(data.X, data.y))
    assert back.name == "custom" and back.X.shape == (150, 2) and back.y.shape == (150, 1)
    np.testing.assert_array_equal(back.y, data.y)
    within_precision(data.X, back.X)
    assert np.abs(back.X - data.X).max() < 1e-5  # the unit square's figure in the docstring


def test_a_full_link_is_short_and_url_safe():
    data = mlp.make_dataset("linear", MAX_LINK_POINTS, seed=2)
    text = encode_points(data.X, data.y)
    assert len(text) == MAX_LINK_CHARS == 1147 < 1200
    assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert len(decode_points(text)) == MAX_LINK_POINTS


def test_link_refuses_more_than_it_can_carry():
    data = mlp.make_dataset("linear", MAX_LINK_POINTS + 1)
    assert "201 points" in error(encode_points, data.X, data.y)


@pytest.mark.parametrize(
    "X, y, words",
    [
        ([[0, 0]], [0], ["1 points", "2 to 200"]),
        ([[0, 0], [1, math.nan]], [0, 1], ["finite"]),
        ([[0, 0], [1, 2e6]], [0, 1], ["1,000,000"]),
        ([[0, 0], [1, 1]], [0, 2], ["0 or 1"]),
        ([[0, 0, 0], [1, 1, 1]], [0, 1], ["(n, 2)"]),
        ([[0, 0], [1, 1]], [0, 1, 1], ["3 labels for 2 points"]),
        ("abc", [0], ["X: expected real numbers"]),
    ],
)
def test_encode_checks_its_points(X, y, words):
    message = error(encode_points, X, y)
    for w in words:
        assert w in message, (w, message)


def test_a_degenerate_axis_comes_back_exactly():
    X = np.array([[0.3, 7.0], [0.3, -2.0], [0.3, 1.0]])
    back = decode_points(encode_points(X, [1, 0, 1]))
    np.testing.assert_array_equal(back.X[:, 0], 0.3)
    np.testing.assert_array_equal(back.X[[0, 1], 1], [7.0, -2.0])


GOOD = encode_points([[0, 0], [1, 1], [0.5, 0.2]], [0, 1, 1])
RAW = link_bytes(GOOD)


@pytest.mark.parametrize(
    "text, words",
    [
        ("", ["too short"]),
        ("a", ["not valid base64"]),
        ("abc!", ["characters"]),
        ("ab+/", ["characters"]),
        (GOOD + "==", ["characters"]),
        (" " + GOOD, ["characters"]),
        ("A" * (MAX_LINK_CHARS + 1), ["1,148 characters"]),
        (GOOD[:-4], ["cut short or damaged"]),
        (GOOD[:-3], ["not valid base64"]),
        (GOOD + "AAAA", ["cut short or damaged"]),
        (to_link(b"\x02" + RAW[1:]), ["unknown version 2"]),
        (to_link(RAW[:1] + struct.pack("<H", 201) + RAW[3:]), ["201 points", "2 to 200"]),
        (to_link(RAW[:1] + struct.pack("<H", 1) + RAW[3:]), ["1 points"]),
        (to_link(RAW[:3] + struct.pack("<d", math.nan) + RAW[11:]), ["bounding box"]),
        (to_link(RAW[:3] + struct.pack("<d", 2.0) + RAW[11:]), ["bounding box"]),  # min > max
        (to_link(RAW[:3] + struct.pack("<d", -1e7) + RAW[11:]), ["bounding box"]),
        (to_link(RAW[:-1] + b"\x7f"), ["stray bits"]),
        (None, ["expected text"]),
        (GOOD.encode(), ["expected text"]),
    ],
)
def test_damaged_links_are_rejected(text, words):
    message = error(decode_points, text)
    assert message.startswith("points link:")
    for w in words:
        assert w in message, (w, message)


def test_the_good_link_used_above_decodes():
    np.testing.assert_array_equal(decode_points(GOOD).y, [[0], [1], [1]])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=MAX_LINK_CHARS + 5) | st.text("ABCDEFabcdef0123456789-_", max_size=400))
def test_decode_on_arbitrary_text_raises_only_value_error(text):
    try:
        data = decode_points(text)
    except ValueError:
        return
    assert 2 <= len(data) <= MAX_LINK_POINTS


def valid_or_value_error(text: str) -> None:
    """A link decodes to a valid data set or raises ValueError; nothing else escapes."""
    try:
        data = decode_points(text)
    except ValueError:
        return
    assert 2 <= len(data) <= MAX_LINK_POINTS and data.X.shape == (len(data), 2)
    assert np.isfinite(data.X).all() and np.isin(data.y, (0.0, 1.0)).all()


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=900))
def test_decode_on_arbitrary_bytes_raises_only_value_error(raw):
    valid_or_value_error(to_link(raw))
    valid_or_value_error(to_link(RAW[:3] + raw))  # past the version and the count


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(RAW) - 1), st.integers(1, 255))
def test_decode_on_a_damaged_good_link_raises_only_value_error(at, flip):
    damaged = bytearray(RAW)
    damaged[at] ^= flip
    valid_or_value_error(to_link(bytes(damaged)))


coordinate = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(coordinate, coordinate, st.booleans()), min_size=2, max_size=MAX_LINK_POINTS))
def test_link_round_trip_property(rows):
    X = np.array([r[:2] for r in rows], dtype=np.float64)
    y = np.array([[r[2]] for r in rows], dtype=np.float64)
    text = encode_points(X, y)
    assert len(text) <= MAX_LINK_CHARS
    back = decode_points(text)
    np.testing.assert_array_equal(back.y, y)
    within_precision(X, back.X)
