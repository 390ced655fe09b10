"""Chart builders: pure functions from numpy arrays and plain values to Altair 6 charts.

They never call Streamlit and never train. Each builder returns a `Figure`: its data as named frames
(cheap, computed at once) and a function that builds the Altair chart from them (slow: Altair validates
every object it makes, tens of milliseconds). The page builds each chart once per *structure* and
afterwards only drops new frames into the kept Vega-Lite spec (``playground.render``). A builder's
structure is derived from its arguments: every value that is not a numpy array, and each array's shape
past its first axis (the first axis counts samples, points or epochs, and never changes the chart's
structure). So a builder's spec may depend on nothing else; tests/playground/test_charts.py checks
this for every builder.

The modules: curves (loss, gradient flow, runs overlaid), plane (decision regions, small multiples,
the lab's labelled points), network (the weight diagram, the neuron maps). Here: what they share —
colours, named float32 frames, the Vega-Lite export.

Every frame is a pandas DataFrame whose numeric columns are float32 (a smaller Arrow payload), whose
``attrs["name"]`` is a stable name ("loss", "grid", "points", ...) and whose ``attrs["arrow"]`` holds the
Arrow bytes made with it (a frame is a value: never changed once made). ``vega_spec`` turns a chart into a
Vega-Lite dict that refers to the frames by those names, so a redraw that changes only the numbers
produces the same spec with new ``datasets``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

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
GOLD = "#f2b705"  # what the page points at (a step of a calculation), never a value

Frames = dict[str, pd.DataFrame]  # {stable name: frame}, as in a spec's "datasets"


@dataclass(frozen=True)
class Figure:
    """A chart's frames, and how to build the Altair chart from them (only when its spec is not kept)."""

    frames: Frames
    build: Callable[[], alt.TopLevelMixin]

    def chart(self) -> alt.TopLevelMixin:
        return self.build()

    def spec(self, *, validate: bool = False) -> dict:
        """The Vega-Lite dict, its frames in ``datasets`` (see `vega_spec`)."""
        return vega_spec(self.build(), validate=validate)


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
    # what the browser gets, made now from the numpy columns: a quarter of the server's time for a class went
    # to pyarrow reading the DataFrame back (py-spy). NaN becomes null, as pyarrow's pandas conversion does.
    table = pa.table({col: pa.array(values, from_pandas=True) for col, values in cols.items()})
    df.attrs["arrow"] = (len(df), tuple(cols), ipc_bytes(table))
    return df


def ipc_bytes(table: pa.Table) -> bytes:
    """The table as Arrow IPC stream bytes, what ``st.vega_lite_chart`` sends for a dataset."""
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
