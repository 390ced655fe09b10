"""What the chart builders share: colours, named float32 frames, curve downsampling, spec export.

Every frame a builder puts into a chart is a pandas DataFrame whose numeric columns are float32 (a
smaller Arrow payload) and whose ``attrs["name"]`` is a stable name ("loss", "grid", "points", ...).
``vega_spec`` turns a chart into a Vega-Lite dict that refers to the frames by those names, so a
live redraw that changes only the numbers produces the same spec with new ``datasets``.

Each builder ``X_chart`` has a twin ``X_frames`` taking the same arguments and returning just those
frames ({name: DataFrame}, what ``vega_spec`` puts in ``datasets``); the chart is built from them.
A builder's spec apart from ``datasets`` depends only on the arguments its docstring calls
structural, so ``playground.specs.SpecCache`` can build it once and refill only the frames.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa

RED = "#d62728"  # class 0, as in the lab's show_result
BLUE = "#1f77b4"  # class 1; also positive weights and biases
ORANGE = "#ff7f0e"  # negative weights and biases
RED_TINT = "#eb9394"  # decision regions: each class colour halfway to white, so points stay readable
BLUE_TINT = "#8fbbd9"
GREY = "#9e9e9e"

Frames = dict[str, pd.DataFrame]  # {stable name: frame}, as in a spec's "datasets"


def class_scale() -> alt.Scale:
    """Labels "0"/"1" to red/blue (a fresh object each call: Altair objects are mutable)."""
    return alt.Scale(domain=["0", "1"], range=[RED, BLUE])


def stretch(chart: alt.TopLevelMixin, height: int) -> alt.TopLevelMixin:
    """Fill the container's width; ``height`` is the plot area's (fit-x), so titles and legends add to it."""
    return chart.properties(
        width="container", height=height, autosize=alt.AutoSizeParams(type="fit-x", contains="padding")
    )


def frame(name: str, columns: Mapping[str, object]) -> pd.DataFrame:
    """A DataFrame from equal-length 1-D columns, numeric ones as float32, tagged with a stable name.

    Values beyond float32's range or not finite (a diverged run) become NaN, which Vega-Lite skips.
    """
    cols = {}
    for col, values in columns.items():
        values = np.asarray(values)
        if values.dtype.kind in "iuf":  # numbers, not booleans: converted in numpy, before pandas sees them
            with np.errstate(over="ignore", invalid="ignore"):
                values = values.astype(np.float32)
            values[~np.isfinite(values)] = np.nan
        cols[col] = values
    df = pd.DataFrame(cols)
    df.attrs["name"] = name
    return df


def arrow_bytes(df: pd.DataFrame) -> bytes:
    """The frame as Arrow IPC stream bytes, what ``st.vega_lite_chart`` sends for a dataset.

    Streamlit converts a DataFrame itself, but pyarrow then starts a thread pool for every long frame
    (rows > 100 × columns), which under the GIL only costs; and bytes can be shared between visitors.
    """
    table = pa.Table.from_pandas(df, preserve_index=False, nthreads=1)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def named(*frames: pd.DataFrame) -> Frames:
    """{attrs["name"]: frame} of frames made by ``frame``, in the given order."""
    return {df.attrs["name"]: df for df in frames}


def labels(a: np.ndarray) -> np.ndarray:
    """0/1 labels of shape (n,) or (n, 1) as a flat int array (n,)."""
    return np.asarray(a).reshape(-1).astype(int)


def square_domain(X: np.ndarray, pad: float = 0.05) -> tuple[float, float, float, float]:
    """(x1_min, x1_max, x2_min, x2_max) of the square centred on the points X (n, 2), padded by ``pad``."""
    lo, hi = np.min(X, axis=0), np.max(X, axis=0)
    centre, half = (lo + hi) / 2, max(float(np.max(hi - lo)) / 2, 1e-9) * (1 + pad)
    return (
        float(centre[0] - half),
        float(centre[0] + half),
        float(centre[1] - half),
        float(centre[1] + half),
    )


def downsample(
    x: np.ndarray, ys: dict[str, np.ndarray], max_points: int = 600
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Keep about ``max_points`` of the points x (n,) shared by the curves ys (each (n,)).

    The run is cut into equal buckets and each bucket keeps, for every curve, the index of its minimum
    and of its maximum, so a 100,000-epoch oscillation still shows its full swing; the first and the
    last point are always kept. NaNs never win a bucket (a bucket of NaNs keeps its first index).
    Returns x[idx] and {name: y[idx]} with the same index set for every curve.
    """
    x = np.asarray(x).reshape(-1)
    n = x.size
    cols = {k: np.asarray(v, dtype=float).reshape(-1) for k, v in ys.items()}
    if any(v.size != n for v in cols.values()):
        raise ValueError(f"every curve needs {n} values, got {[v.size for v in cols.values()]}")
    if n <= max_points:
        return x, cols
    per_bucket = 2 * max(len(cols), 1)
    size = math.ceil(n / max(1, (max_points - 2) // per_bucket))
    buckets = math.ceil(n / size)  # the last bucket holds at least one real point
    starts, pad = np.arange(buckets) * size, buckets * size - n
    keep = [np.array([0, n - 1])]
    for v in cols.values():
        # padding with +inf/-inf never beats a real value; ties go to the first (real) index
        low = np.pad(np.where(np.isnan(v), np.inf, v), (0, pad), constant_values=np.inf)
        high = np.pad(np.where(np.isnan(v), -np.inf, v), (0, pad), constant_values=-np.inf)
        keep += [
            starts + low.reshape(buckets, size).argmin(1),
            starts + high.reshape(buckets, size).argmax(1),
        ]
    if not cols:
        keep.append(starts)
    idx = np.unique(np.concatenate(keep))
    return x[idx], {k: v[idx] for k, v in cols.items()}


def vega_spec(chart: alt.TopLevelMixin, *, validate: bool = False) -> dict:
    """The chart's Vega-Lite dict with its frames in ``spec["datasets"]`` under their stable names.

    Feed it to ``st.vega_lite_chart(spec)``: Streamlit turns the DataFrames into Arrow. Unlike
    ``st.altair_chart`` (whose dataset names are content hashes), two calls on charts that differ only
    in their numbers give the same spec apart from ``datasets``. Skipping validation saves most of the
    cost of the conversion; the test suite validates every builder. Uses no global Altair state.
    """
    datasets: dict[str, pd.DataFrame] = {}
    swapped: list[tuple[alt.SchemaBase, pd.DataFrame]] = []

    def walk(c: alt.SchemaBase) -> None:
        data = getattr(c, "data", alt.Undefined)
        if isinstance(data, pd.DataFrame):
            name = data.attrs.get("name", f"data{len(datasets)}")
            datasets[name] = data
            swapped.append((c, data))
            c.data = alt.NamedData(name=name)
        for attr in ("layer", "concat", "hconcat", "vconcat"):
            subs = getattr(c, attr, None)
            for sub in subs if isinstance(subs, list) else ():
                walk(sub)
        inner = getattr(c, "spec", alt.Undefined)
        if isinstance(inner, alt.SchemaBase):
            walk(inner)

    walk(chart)
    try:
        spec = chart.to_dict(validate=validate)
    finally:
        for c, data in swapped:
            c.data = data
    spec["datasets"] = datasets
    return spec
