"""Classroom comparison through the page: presets fill the board, pins, the differences table, lesson links."""

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from streamlit.testing.v1 import AppTest
from test_app import share_link, shown

from lab.compare import differences, table
from lab.presets import PRESETS
from playground import shared

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


def page(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in {"epochs": "200", "tab": "Compare", **params}.items():  # the Compare tab open
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def pins(at):
    """The board's (name, record) entries, read from the store through the board id in the link."""
    board = at.query_params.get("board")
    return [(p.name, p.record) for p in shared.reader().board(board).entries] if board else []


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_each_preset_fills_the_board(name):
    at = page(dataset="xor")
    at.selectbox(key="_sweep_choice").set_value(name).run()
    assert PRESETS[name].explanation[:40] in " ".join(m.value for m in at.markdown)
    at.button(key="_sweep_run").click().run()
    assert not at.exception
    board = pins(at)
    preset = PRESETS[name]
    assert len(board) == len(preset.sweep.values)
    assert [getattr(r.exp, preset.sweep.setting) for _, r in board] == list(preset.sweep.values)
    assert differences([r.exp for _, r in board]) == [preset.sweep.setting]
    assert "Comparison board" in [h.value for h in at.header]


def test_both_data_sets_doubles_the_board_and_the_link_reproduces_it():
    at = page(dataset="xor")
    at.selectbox(key="_sweep_choice").set_value("lr").run()
    at.toggle(key="_sweep_both").set_value(True).run()
    at.button(key="_sweep_run").click().run()
    board = pins(at)
    assert [n for n, _ in board] == [f"lr = {v} · {d}" for d in ("linear", "xor") for v in ("0.1", "0.3", "0.9")]
    link = share_link(at)
    params = dict(parse_qsl(urlsplit(link).query))
    assert params["sweep"] == "lr" and params["values"] == "0.1;0.3;0.9" and params["both"] == "1"
    other = page(**params)  # a fresh visitor opening the board's link
    assert pins(other) == board  # the same names and the same records
    assert other.selectbox(key="_sweep_choice").value == "lr" and other.toggle(key="_sweep_both").value
    assert PRESETS["lr"].explanation[:40] in " ".join(m.value for m in other.markdown)


def test_bad_sweep_link_is_reported_not_run():
    at = page(sweep="lr", values="fast;slow")
    assert any("lr" in w and "not run" in w for w in shown(at.warning))
    assert not pins(at)


def test_free_sweep():
    at = page(dataset="xor")
    at.selectbox(key="_sweep_choice").set_value("free").run()
    at.selectbox(key="_sweep_setting").set_value("optimizer").run()
    at.text_input(key="_sweep_values").set_value("gd; nesterov").run()
    at.button(key="_sweep_run").click().run()
    assert [r.exp.optimizer for _, r in pins(at)] == ["gd", "nesterov"]
    at.text_input(key="_sweep_values").set_value("gd").run()
    assert any("2 to 6 values" in e for e in shown(at.error))


def test_pin_rename_load_back_and_remove():
    at = page(dataset="xor")
    at.button(key="_pin").click().run()
    at.number_input(key="lr").set_value(0.3).run()
    at.button(key="_pin").click().run()
    board = pins(at)
    assert [r.exp.lr for _, r in board] == [0.1, 0.3]
    rows = table(board)
    assert [k for k in rows[0] if k in ("dataset", "lr", "epochs")] == ["lr"]  # only what differs
    uids = [p.id for p in shared.reader().board(at.query_params["board"]).entries]
    at.text_input(key=f"_pin_name_{uids[0]}").set_value("slow").run()
    assert pins(at)[0][0] == "slow"
    at.button(key=f"_pin_load_{uids[0]}").click().run()
    assert at.number_input(key="lr").value == 0.1 and at.session_state["run"].exp.lr == 0.1
    at.button(key=f"_pin_remove_{uids[1]}").click().run()
    assert [n for n, _ in pins(at)] == ["slow"]
    at.selectbox(key="dataset").set_value("linear").run()
    assert [n for n, _ in pins(at)] == ["slow"]  # pins survive config changes


def test_lesson_link_hides_and_locks():
    at = page(dataset="xor", hide="optimizer,activation,nonsense", lock="1")
    keys = {w.key for w in at.selectbox}
    assert "optimizer" not in keys and "activation" not in keys and "dataset" in keys
    assert at.selectbox(key="dataset").disabled
    assert any("nonsense" in w for w in shown(at.warning))
    assert not at.button(key="_train").disabled  # students can still train
    link = share_link(at)
    assert "hide=activation%2Coptimizer" in link and "lock=1" in link  # in the config's order
    at.button(key="_leave_lesson").click().run()
    assert "optimizer" in {w.key for w in at.selectbox}
