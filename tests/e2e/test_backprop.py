"""Backprop with numbers in a real browser: the formulas as KaTeX draws them, stepping with Next, a phone's width.

AppTest sees the LaTeX the page writes; only a browser shows that KaTeX parses it (a parse error is drawn as
a red ``.katex-error``) and that a 32-term sum wraps inside a phone's screen.
"""

from __future__ import annotations

import re

import pytest
from test_page import MEASURE_OVERFLOW, assert_healthy

pytestmark = pytest.mark.e2e

# the TeX source of each formula on the page (KaTeX keeps it in the MathML annotation), for the step's lines
FORMULAS = """() => [...document.querySelectorAll('[data-testid=stMain] .katex annotation')]
    .map(a => a.textContent).filter(t => t.startsWith('\\\\displaystyle'))"""


def step(app, title: str) -> list[str]:
    """Wait until the step titled ``title`` is drawn; its formula lines (TeX), after checking KaTeX parsed them."""
    page = app.page
    page.get_by_text(title, exact=True).wait_for()
    app.wait_finished()
    errors = page.locator("[data-testid=stMain] .katex-error")
    assert errors.count() == 0, f"KaTeX could not parse: {errors.first.get_attribute('title')}"
    return page.evaluate(FORMULAS)


def test_a_linked_point_shows_its_numbers_and_next_shows_the_next_step(open_app):
    app = open_app("tab=Equations&sample=3")
    page = app.page
    lines = step(app, "Step 1 of 13: z¹")
    assert page.get_by_text(re.compile(r"^Point 3: x1 = ")).count() == 1
    assert lines[0].startswith(r"\displaystyle z^{[1]}_{1} = \sum_{i=1}^{2} x_{i}")
    z = re.fullmatch(r"\\displaystyle = (-?[\d.]+)", lines[-1])
    assert z, lines  # the result: a number
    app.screenshot("backprop-z1")
    app.button("Next").click()
    lines = step(app, "Step 2 of 13: a¹")
    # a¹ = σ(z¹) with the z just shown: the same number, in the sigmoid's exponent
    exponent = f"-{z.group(1)}" if not z.group(1).startswith("-") else f"-({z.group(1)})"
    assert lines[0] == rf"\displaystyle a^{{[1]}}_{{1}} = f(z^{{[1]}}_{{1}}) = \frac{{1}}{{1+e^{{{exponent}}}}}", lines
    assert "sample=3" in page.url
    app.screenshot("backprop-a1")
    assert_healthy(app)


def test_every_step_of_a_wide_tanh_network_parses_and_fits_a_phone(open_app):
    app = open_app("dataset=circle&hidden=32,32&activation=tanh&epochs=200&tab=Equations&sample=5",
                   viewport={"width": 390, "height": 844})
    for k, label in enumerate(["z¹", "a¹", "z²", "a²", "z³", "p", "loss", "δ³", "dW³ db³", "δ²", "dW² db²", "δ¹",
                               "dW¹ db¹"], 1):
        lines = step(app, f"Step {k} of 13: {label}")
        assert lines, f"no formula at step {label}"
        if label == "z²":  # a unit of 32 inputs: every term, wrapped inside the screen
            assert len(re.findall(r"\\cdot", lines[1])) == 32
            w = app.page.evaluate(MEASURE_OVERFLOW)
            assert w["doc"] <= w["inner"] + 1 and w["main"] <= w["mainClient"] + 1, w["offenders"]
            app.screenshot("backprop-phone-z2")
        if k < 13:
            app.button("Next").click()
    assert app.button("Next").is_disabled()
    assert_healthy(app)
