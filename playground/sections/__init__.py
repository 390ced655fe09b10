"""The page's sections: each file draws one part of the page and is the only place that calls ``st.`` for it.

sidebar (the experiment's controls), lesson (lesson links), live (actions, status, metrics, the live
charts and the training loop), tabs (the tab bar) and one file per tab: prediction, network, data,
compare, log (with pasted_log: your own log read back), equations (with check: Check my backprop), and
classroom/ (a package: the Class tab and the projector's page); board (runs side by side, for the Compare
tab and a class); share (the share link, and every address the page hands out). Here: what they share,
and `plain` for text a visitor typed or uploaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from lab.experiment import Experiment
from lab.run import Run


@dataclass(frozen=True)
class Display:
    """Display options: they change the drawing, never the model."""

    log_scale: bool = False
    show_test: bool = True
    discretize: bool = False


@dataclass(frozen=True)
class Page:
    """What the tabs draw from: the run on screen, the sidebar's experiment, the display options."""

    run: Run
    exp: Experiment
    display: Display


def chart(target, spec: dict, key: str | None = None, select: tuple[str, ...] = ()) -> None:  # noqa: ANN001
    """Send a prebuilt Vega-Lite spec (its frames go as named Arrow datasets) to ``target`` (st or a slot)."""
    if select:
        target.vega_lite_chart(spec, width="stretch", key=key, on_select="rerun", selection_mode=list(select))
    else:
        target.vega_lite_chart(spec, width="stretch", key=key)


def pct(x: float | None) -> str:
    return "—" if x is None or not np.isfinite(x) else f"{100 * x:.2f}%"


def num(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:.3g}" if not np.isfinite(x) or x == 0 or abs(x) >= 1e-3 else f"{x:.2e}"


# every ASCII punctuation character: CommonMark lets each be escaped with a backslash
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def plain(text: str) -> str:
    """``text`` escaped for Streamlit's markdown (st.error, st.warning, st.markdown, …) so it shows as typed:
    no emphasis, links, HTML, LaTeX, :colour[…] or :emoji: (an escaped colon no longer opens a shortcode).
    For what a visitor typed or uploaded, and for the lab's sentences, which hold ``*`` (``a*(1-a)``)."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(text).splitlines()))


def bullets(lines: Iterable[str]) -> str:
    """A markdown list of ``lines``, each shown as typed (see `plain`)."""
    return "\n".join(f"- {plain(line)}" for line in lines)
