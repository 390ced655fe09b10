"""playground.charts.raster: colour scales that match Vega's, and PNGs that decode back to their pixels."""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np
import pytest

from playground.charts.raster import grid_data_url, hex_rgb, linear_rgb, png_bytes, png_data_url, threshold_rgb

RED_TINT, BLUE_TINT = "#eb9394", "#8fbbd9"  # the decision regions' tints (playground.charts)
P_STOPS, P_COLORS = [0.0, 0.5, 1.0], [RED_TINT, "#ffffff", BLUE_TINT]


def decode_png(data: bytes) -> np.ndarray:
    """(h, w, 3) uint8 from an 8-bit RGB PNG whose rows are unfiltered (what png_bytes writes), checking CRCs."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = {}, 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        chunks[kind] = chunks.get(kind, b"") + body
        pos += 12 + length
    assert list(chunks)[-1] == b"IEND"
    w, h, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, colour, interlace) == (8, 2, 0)
    rows = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(h, 1 + 3 * w)
    assert not rows[:, 0].any()  # filter type None on every row
    return rows[:, 1:].reshape(h, w, 3)


def test_png_decodes_to_the_same_pixels():
    rgb = np.random.default_rng(0).integers(0, 256, size=(5, 7, 3), dtype=np.uint8)  # not square: w, h order
    np.testing.assert_array_equal(decode_png(png_bytes(rgb)), rgb)


def test_data_url_is_the_png_in_base64():
    rgb = np.full((2, 3, 3), 200, np.uint8)
    url = png_data_url(rgb)
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == png_bytes(rgb)


@pytest.mark.parametrize(
    "bad",
    [np.zeros((4, 4), np.uint8), np.zeros((4, 4, 4), np.uint8), np.zeros((4, 4, 3)), np.zeros((0, 4, 3), np.uint8)],
)
def test_png_rejects_what_is_not_an_rgb_picture(bad):
    with pytest.raises(ValueError, match="uint8"):
        png_bytes(bad)


def test_top_row_of_the_picture_is_the_highest_x2():
    # grid row 0 is the lowest x2 (playground.runs.grid): make it red and the last row blue
    p = np.zeros((3, 4))
    p[-1] = 1.0
    url = grid_data_url(linear_rgb(p, P_STOPS, P_COLORS))
    picture = decode_png(base64.b64decode(url.split(",", 1)[1]))
    assert picture.shape == (3, 4, 3)
    assert (picture[0] == hex_rgb(BLUE_TINT)).all()
    assert (picture[-1] == hex_rgb(RED_TINT)).all()


def test_linear_scale_known_colours():
    rgb = linear_rgb(np.array([0.0, 0.5, 1.0]), P_STOPS, P_COLORS)
    assert rgb.tolist() == [[0xEB, 0x93, 0x94], [255, 255, 255], [0x8F, 0xBB, 0xD9]]
    assert rgb.dtype == np.uint8


def test_linear_scale_matches_vega_with_rgb_interpolation():
    # Vega's own colours (Streamlit 1.67's Vega-Lite, Chromium) for scale(domain=P_STOPS, range=P_COLORS,
    # interpolate="rgb") at p = 0, 0.05, …, 1, read from a text mark showing scale('color', datum.p)
    vega = [
        (235, 147, 148), (237, 158, 159), (239, 169, 169), (241, 179, 180), (243, 190, 191), (245, 201, 202),
        (247, 212, 212), (249, 223, 223), (251, 233, 234), (253, 244, 244), (255, 255, 255), (244, 248, 251),
        (233, 241, 247), (221, 235, 244), (210, 228, 240), (199, 221, 236), (188, 214, 232), (177, 207, 228),
        (165, 201, 225), (154, 194, 221), (143, 187, 217),
    ]  # fmt: skip
    p = np.round(np.linspace(0, 1, 21), 2)
    assert [tuple(c) for c in linear_rgb(p, P_STOPS, P_COLORS).tolist()] == vega


def test_linear_scale_clamps_and_paints_nan_white_in_any_shape():
    p = np.array([[-3.0, np.nan], [7.0, 0.25]])
    rgb = linear_rgb(p, P_STOPS, P_COLORS)
    assert rgb.shape == (2, 2, 3)
    assert rgb[0, 0].tolist() == list(hex_rgb(RED_TINT))
    assert rgb[0, 1].tolist() == [255, 255, 255]
    assert rgb[1, 0].tolist() == list(hex_rgb(BLUE_TINT))
    # halfway from #eb9394 (235, 147, 148) to white: (245, 201, 201.5), and .5 rounds up as in JavaScript
    assert rgb[1, 1].tolist() == [245, 201, 202]


def test_threshold_scale_splits_at_one_half_as_accuracy_does():
    p = np.array([0.0, 0.4999, 0.5, 1.0, np.nan])
    rgb = threshold_rgb(p, [0.5], [RED_TINT, BLUE_TINT])
    red, blue = list(hex_rgb(RED_TINT)), list(hex_rgb(BLUE_TINT))
    assert rgb.tolist() == [red, red, blue, blue, [255, 255, 255]]


@pytest.mark.parametrize(
    "call",
    [
        lambda: linear_rgb([0.5], [0.0, 1.0], [RED_TINT]),
        lambda: linear_rgb([0.5], [1.0, 0.0], [RED_TINT, BLUE_TINT]),
        lambda: threshold_rgb([0.5], [0.5], [RED_TINT]),
        lambda: hex_rgb("red"),
    ],
)
def test_bad_scales_are_refused(call):
    with pytest.raises(ValueError):
        call()
