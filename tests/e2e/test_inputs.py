"""In a real browser: a link with input features and no hidden layer keeps its settings in the address bar,
and a regression link draws every chart without an error."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from test_page import assert_charts_drawn, assert_healthy

pytestmark = pytest.mark.e2e


def test_a_features_link_stays_in_the_address_bar_and_the_share_link(open_app):
    app = open_app("dataset=circle&hidden=0&features=x1,x2,x1sq,x2sq&epochs=2000")
    query = parse_qs(urlsplit(app.page.url).query)
    assert query.get("features") == ["x1,x2,x1sq,x2sq"] and query.get("hidden") == ["0"], app.page.url
    assert app.warnings() == [], app.warnings()
    shared = app.page.get_by_label("Share link", exact=True).input_value()
    assert parse_qs(urlsplit(shared).query) == query, (shared, app.page.url)
    assert float(app.metric("Train accuracy").rstrip("%")) >= 95.0
    app.screenshot("features-circle")
    assert_healthy(app)


def test_a_regression_link_draws_its_charts(open_app):
    app = open_app("dataset=reg_gaussians&epochs=500")
    assert_charts_drawn(app, 3)  # the output map, the loss, predicted against true (the Prediction tab)
    query = parse_qs(urlsplit(app.page.url).query)
    assert query == {"dataset": ["reg_gaussians"], "epochs": ["500"]}, app.page.url  # defaults stay out
    app.screenshot("regression")
    assert_healthy(app)
