"""Hostile links against the page, headless (AppTest): arbitrary text, NaN/inf, huge, negative, unknown and
repeated keys in the query string never break it, every bad setting is named in a warning, and the run
the page shows stays within the bounds (MAX_EPOCHS epochs, MAX_WORK work).

Each example runs the whole page (and may train), so there are few of them. Sane values are drawn small
(epochs ≤ 300, n ≤ 200, full batches or ≥ 50 points per batch) so that an example costs about a second;
a hostile value falls back to the default (10,000 epochs on 100 points, cached after the first time).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_app import metric, page, shown  # the page's AppTest helpers

from lab.budget import MAX_WORK, work
from lab.budget import error as budget_error
from lab.experiment import FIELDS, MAX_EPOCHS, from_query

KEYS = ("dataset", "n", "noise", "test", "seed", "hidden", "activation", "output_activation", "loss", "init", "bias",
        "weight_seed", "optimizer", "lr", "epochs", "batch_size", "reduction", "l1", "l2", "points")
PAGE_KEYS = ("log", "show_test", "discretize", "hide", "lock", "tab")  # the page's own bound or lesson parameters

NASTY_TEXT = ["", " ", "nan", "NaN", "inf", "-inf", "1e999", "-1", "-5", "0", "1e308", "99999999999999999999",
              "abc", "<script>alert(1)</script>", "%00", "\x00", "🙂", "true", "yes", "9,4", "999", "0x10", "1e-400",
              "32,32,32,32,32", "-3,4", "None", "[]", "{}", "../../etc/passwd", "1" * 600, "custom"]

SANE = {  # small, valid text for each setting: an example with them trains in well under a second
    "dataset": st.sampled_from(["linear", "xor", "circle", "gauss", "spiral", "moons", "xor_noisy", "chessboard"]),
    "n": st.integers(2, 200).map(str),
    "noise": st.sampled_from(["0", "0.1", "0.5"]),
    "test": st.sampled_from(["0", "0.2", "0.9"]),
    "seed": st.integers(0, 2**31 - 1).map(str),
    "hidden": st.sampled_from(["1", "2,1", "9,4", "5,5,5"]),
    "activation": st.sampled_from(FIELDS["activation"].choices),
    "output_activation": st.sampled_from(FIELDS["output_activation"].choices),
    "loss": st.sampled_from(FIELDS["loss"].choices),
    "init": st.sampled_from(FIELDS["init"].choices),
    "bias": st.sampled_from(["true", "false"]),
    "weight_seed": st.integers(0, 2**31 - 1).map(str),
    "optimizer": st.sampled_from(FIELDS["optimizer"].choices),
    "lr": st.sampled_from(["0.1", "0.9", "1e-6", "100"]),
    "epochs": st.integers(1, 300).map(str),
    "batch_size": st.sampled_from(["0", "50", "1000"]),
    "reduction": st.sampled_from(["sum", "mean"]),
    "l1": st.sampled_from(["0", "0.001", "1"]),
    "l2": st.sampled_from(["0", "0.001", "1"]),
    "points": st.just(""),
}
HOSTILE = st.one_of(
    st.sampled_from(NASTY_TEXT),
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**20), 10**20).map(str),
)


INT_INPUTS = ("seed", "weight_seed", "epochs", "batch_size")  # the settings drawn as integer st.number_input


@st.composite
def links(draw) -> dict[str, str | list[str]]:
    """A query: some settings sane, some hostile, some repeated, plus unknown and page keys."""
    params: dict[str, str | list[str]] = {"epochs": draw(SANE["epochs"])}  # small unless made hostile below
    for key in draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=6, unique=True)):
        values = [draw(st.one_of(HOSTILE, SANE[key])) for _ in range(draw(st.integers(1, 3)))]
        params[key] = values if len(values) > 1 else values[0]  # a list: the key repeated in the URL
    for key in draw(st.lists(st.one_of(st.sampled_from(PAGE_KEYS), st.text(min_size=1, max_size=8)), max_size=2)):
        params.setdefault(key, draw(HOSTILE))
    return params


def bad_keys(params: dict) -> set[str]:
    """The settings whose (last) value the config rejects: the page must name each in a warning."""
    _, notices = from_query(params)
    return {n.split(":", 1)[0] for n in notices}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(links())
def test_hostile_links_are_named_and_bounded(params):
    at = page(**params)  # no exception
    warnings = shown(at.warning)
    for key in bad_keys(params):
        assert any(re.search(rf"(^|\s){re.escape(key)}:", w) for w in warnings), (key, params.get(key), warnings)

    # bounded, whatever the link asked: the run on screen is within MAX_EPOCHS and MAX_WORK
    on_screen = at.session_state["run"].exp
    epoch = int(metric(at, "Epoch").replace(",", ""))
    assert 0 <= epoch <= on_screen.epochs <= MAX_EPOCHS and work(on_screen) <= MAX_WORK

    # and it is exactly the link's experiment, bad parts defaulted (Streamlit's own URL parsing of a bound
    # widget must not apply anything the config rejected)
    exp, _ = from_query(params)
    errors = " ".join(shown(at.error))
    if exp.dataset == "custom" and not exp.points:  # custom data named, none given: nothing to train on
        assert "no custom points yet" in errors and epoch <= 1, (exp, errors)
    elif budget_error(exp):
        assert "limit" in errors and epoch <= 1, (exp, errors)  # not trained: the untrained network is shown
    else:
        assert on_screen == exp


def test_long_floats_are_run_as_linked():
    at = page(lr="0.12345678901234", epochs="50")
    assert at.session_state["run"].exp.lr == 0.12345678901234
    at.toggle(key="log").set_value(True).run()  # a display change must not replace the run
    assert not [i.value for i in at.info if "Settings changed" in i.value]


@pytest.mark.parametrize("key, value", list(zip(INT_INPUTS, ["inf", "-inf", "1e999", "9" * 400])))
def test_infinite_integer_links_do_not_crash(key, value):
    at = page(**{key: value, "epochs": "20"} if key != "epochs" else {key: value})
    assert any(w.startswith(f"Ignored a link parameter: {key}:") for w in shown(at.warning))


@pytest.mark.parametrize("key, value", [("n", "50.5"), ("seed", "1e-3"), ("n", ["2", ""]), ("epochs", "1e999")])
def test_rejected_integer_links_are_not_applied(key, value):
    """What the page rejects, Streamlit's own URL parsing (int(float(text))) must not apply behind its back."""
    at = page(**{key: value, "epochs": "20"} if key != "epochs" else {key: value})
    assert any(w.startswith(f"Ignored a link parameter: {key}:") for w in shown(at.warning))
    assert getattr(at.session_state["run"].exp, key) == FIELDS[key].default


@pytest.mark.parametrize("key, value, expected", [("epochs", "2.5e2", 250), ("weight_seed", "1.", 1),
                                                  ("seed", "1e3", 1000), ("n", "50.0", 50)])
def test_whole_numbers_written_as_floats_are_accepted(key, value, expected):
    """Links agree with Streamlit's widgets: a whole number may be written 250, 250.0 or 2.5e2."""
    at = page(**{key: value, "epochs": "20"} if key != "epochs" else {key: value})
    assert not [w for w in shown(at.warning) if w.startswith("Ignored")]
    assert getattr(at.session_state["run"].exp, key) == expected
