"""Maps as pictures: colour scales and a PNG encoder in numpy and the standard library only.

A chart that colours a grid of cells (decision regions, neuron maps, small multiples) can draw it as one
image (a Vega-Lite image mark whose ``url`` is a PNG data URL) instead of a mark per cell; the points,
axes and tooltips stay vector (docs/performance.md has the measurements).

The scales mirror Vega's, so a legend drawn by Vega from the same ``domain`` and ``colors`` matches the
picture: ``linear_rgb`` is a linear scale with ``interpolate="rgb"`` (clamped), ``threshold_rgb`` a
threshold scale. Pass the same lists to ``alt.Scale(domain=..., range=...)``; a linear colour scale also
needs ``interpolate="rgb"`` there, because Vega-Lite interpolates colours in HCL by default, where white
has no hue and no chroma: Vega's default red tint → white → blue tint is light pink just below 0.5 and
light cyan from 0.5 on, never white.

Orientation: row 0 of a picture is its top, while row 0 of a grid (``probs[0]`` from
``lab.plane.decision_grid``) is the lowest x2; ``grid_data_url`` turns one into the other.
"""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Sequence

import numpy as np

WHITE = "#ffffff"  # what a cell with no value (NaN) shows, as the chart's background did behind a missing rect


def hex_rgb(color: str) -> tuple[int, int, int]:
    """A colour written "#rrggbb" as (r, g, b), each 0..255."""
    text = color.removeprefix("#")
    if len(text) != 6:
        raise ValueError(f"colors must be written #rrggbb, got {color!r}")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def _palette(colors: Sequence[str]) -> np.ndarray:
    return np.array([hex_rgb(c) for c in colors], dtype=float)


def _to_bytes(rgb: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """Round as JavaScript's Math.round does (d3 formats colours with it), NaN cells white; uint8."""
    rgb[missing] = hex_rgb(WHITE)
    return np.floor(rgb + 0.5).astype(np.uint8)


def linear_rgb(values: np.ndarray, domain: Sequence[float], colors: Sequence[str]) -> np.ndarray:
    """Colours of a piecewise-linear scale: values of any shape → (*shape, 3) uint8.

    ``domain``: increasing stops; ``colors``: one "#rrggbb" per stop. Between two stops the colour is
    interpolated linearly in sRGB (Vega's ``interpolate="rgb"``); values outside the domain take the end
    colours (a clamped scale); NaN is white.
    """
    stops = np.asarray(domain, float)
    palette = _palette(colors)
    if stops.ndim != 1 or stops.size < 2 or stops.size != len(palette) or np.any(np.diff(stops) <= 0):
        raise ValueError(f"need two or more increasing stops and one colour each, got {list(domain)}, {list(colors)}")
    v = np.asarray(values, float)
    missing = np.isnan(v)
    v = np.clip(np.where(missing, stops[0], v), stops[0], stops[-1])
    # the segment each value falls in (the last stop belongs to the last segment), and where in it
    k = np.clip(np.searchsorted(stops, v, side="right") - 1, 0, stops.size - 2)
    t = ((v - stops[k]) / (stops[k + 1] - stops[k]))[..., None]
    return _to_bytes(palette[k] + t * (palette[k + 1] - palette[k]), missing)


def threshold_rgb(values: np.ndarray, thresholds: Sequence[float], colors: Sequence[str]) -> np.ndarray:
    """Colours of a threshold scale: below thresholds[0] → colors[0], from thresholds[i-1] on → colors[i].

    values of any shape → (*shape, 3) uint8; ``colors`` has one more entry than ``thresholds``; NaN is
    white. ``threshold_rgb(p, [0.5], [red, blue])`` colours P(class 1) ≥ 0.5 blue, as accuracy counts it.
    """
    cuts = np.asarray(thresholds, float)
    palette = _palette(colors)
    if cuts.ndim != 1 or len(palette) != cuts.size + 1 or np.any(np.diff(cuts) <= 0):
        raise ValueError(f"need increasing thresholds and one colour more, got {list(thresholds)}, {list(colors)}")
    v = np.asarray(values, float)
    missing = np.isnan(v)
    return _to_bytes(palette[np.searchsorted(cuts, np.where(missing, 0.0, v), side="right")], missing)


def _chunk(kind: bytes, data: bytes) -> bytes:
    """A PNG chunk: length, type, data, CRC-32 of type and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(rgb: np.ndarray) -> bytes:
    """An (h, w, 3) uint8 picture, row 0 at the top, as a PNG file (8-bit RGB, no row filter, deflate).

    A 72 × 72 map is about 3 KB: the rows of one colour compress well, so filters would add little.
    """
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8 or 0 in rgb.shape[:2]:
        raise ValueError(f"a picture is an (h, w, 3) uint8 array with h, w > 0, got {rgb.dtype} {rgb.shape}")
    h, w, _ = rgb.shape
    rows = np.zeros((h, 1 + 3 * w), np.uint8)  # each row starts with its filter type, 0 = None
    rows[:, 1:] = rgb.reshape(h, 3 * w)
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # bit depth 8, colour type 2 (RGB), no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
        + _chunk(b"IEND", b"")
    )


def png_data_url(rgb: np.ndarray) -> str:
    """The picture (see png_bytes) as "data:image/png;base64,…", for a Vega-Lite image mark's ``url``."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(rgb)).decode("ascii")


def grid_data_url(rgb: np.ndarray) -> str:
    """A grid's colours (gy, gx, 3) uint8, row 0 = the lowest x2, as a data URL whose top row is the highest x2."""
    return png_data_url(np.asarray(rgb)[::-1])
