"""Check my backprop (the Equations tab) and Paste my training log (the Log tab), through the page (AppTest).

Check files come from `student_backprop.student` (tests/companion), a hand-written lab backward pass with one
classic mistake switched on, never from the checker's own code. Whatever a visitor uploads or pastes
must reach the page as typed: in markdown-bodied elements only through `plain`, never raw.
"""

from __future__ import annotations

import json
import re
import sys
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from test_app import page, run_of

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "companion"))
from student_backprop import file_for, problem, student  # noqa: E402

from companion import gradcheck  # noqa: E402
from companion.checkfile import MISSING_GRADIENTS  # noqa: E402
from companion.studentlog import compare, parse_log, symptoms  # noqa: E402
from playground import state  # noqa: E402
from playground.sections import bullets, check, pasted_log, plain  # noqa: E402

FIXTURE = (Path(__file__).resolve().parents[1] / "companion" / "data" / "report_log.txt").read_text()
LINEAR, NAN_RUN = FIXTURE.split("```")[1], FIXTURE.split("```")[3]  # the report's two fenced blocks
HOSTILE = "**bold** <script>alert(1)</script> :red[x] $x$"


def equations(**params):
    return page(dataset="xor", epochs="300", tab="Equations", **params)


def student_file(mistake: str | None = None, **kw) -> bytes:
    W, b, X, y = problem()
    dW, db = student(W, b, X, y, mistake=mistake)
    return json.dumps(file_for(W, b, X, y, dW, db, **kw)).encode()


def upload(at, data: bytes, name: str = "mine.json"):
    at.file_uploader(key=state.CHECK_UPLOAD).upload(name, data, "application/json").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def chart_data(at, title: str) -> tuple[dict, dict]:
    """The spec and the frames (decoded from Arrow) of the last chart titled ``title`` (the check's own network
    is drawn after the one backprop with numbers shows above it)."""
    for c in reversed(at.get("vega_lite_chart")):
        spec = json.loads(c.proto.spec)
        if title in (spec.get("title"), (spec.get("title") or {}).get("text") if isinstance(spec.get("title"), dict) else None):
            return spec, {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in c.proto.datasets}
    raise AssertionError(f"no chart titled {title!r}")


def reports(at) -> list:
    """The check's tables (backprop with numbers, above the check, has tables of its own)."""
    return [d for d in at.dataframe if "verdict" in d.value.columns]


def markdown_bodies(at) -> list[str]:
    """Every element whose text Streamlit renders as markdown."""
    return [e.value for kind in ("markdown", "caption", "error", "warning", "info", "success") for e in getattr(at, kind)]


def assert_shown_as_typed(at, raw: str) -> None:
    bodies = markdown_bodies(at)
    for token in ("**bold**", "<script>", ":red[", "$x$"):
        if token in raw:
            assert not any(token in b for b in bodies), f"{token!r} reached markdown unescaped"
    assert any(plain(raw) in b for b in bodies), "the text is not on the page"


# ----- Check my backprop --------------------------------------------------------------------------
def test_the_download_is_this_network_and_asks_for_the_gradients():
    at = equations()
    assert "Check my backprop" in [h.value for h in at.subheader]
    (button,) = [b for b in at.get("download_button") if b.proto.id.endswith(state.DL_CHECK)]
    assert not button.proto.disabled and button.proto.deferred_file_id  # made on click, not on every rerun
    run = run_of(at)
    text = check.check_file(run.net, run.train.X, run.train.y, run.exp.reduction)  # what the click makes
    with pytest.raises(gradcheck.CheckFileError, match="grad_weights: missing — run your backward pass"):
        gradcheck.load(text)
    data = json.loads(text)
    for W, mine in zip(run.net.weights, data["weights"]):
        np.testing.assert_array_equal(W, mine)
    np.testing.assert_array_equal(run.train.X, data["X"])
    # uploaded back as it is, it gets the checker's message, and nothing else changes
    upload(at, text.encode(), "backprop_check.json")
    assert [e.value for e in at.error] == [
        plain(f"backprop_check.json: grad_weights: {MISSING_GRADIENTS}. Nothing else changed.")
    ]


@pytest.mark.parametrize("bias", ["true", "false"])
def test_the_pages_snippet_turns_the_download_into_a_file_that_checks(tmp_path, monkeypatch, bias):
    at = equations(bias=bias)
    assert any(c.value.strip() == check.SNIPPET.strip() for c in at.code)  # in the expander, as the students read it
    run = run_of(at)
    monkeypatch.chdir(tmp_path)
    (tmp_path / check.FILE_NAME).write_text(check.check_file(run.net, run.train.X, run.train.y, run.exp.reduction))
    # a lab solution's backward pass on the file's own numbers, then the snippet writes its gradients in
    data = json.loads((tmp_path / check.FILE_NAME).read_text())
    W = [np.array(w) for w in data["weights"]]
    b = [np.array(v) for v in data["biases"]] if "biases" in data else [np.zeros(w.shape[1]) for w in W]
    dW, db = student(W, b, np.array(data["X"]), np.array(data["y"]), reduction=data["reduction"])
    exec(check.SNIPPET, {f"d{k}{l + 1}": g[l] for k, g in (("w", dW), ("b", db)) for l in range(3)})
    upload(at, (tmp_path / check.FILE_NAME).read_bytes(), check.FILE_NAME)
    assert not at.error and (reports(at)[0].value["verdict"] == "✓").all()
    assert len(reports(at)[0].value) == (6 if bias == "true" else 3)


def test_the_snippet_is_the_one_in_the_docs():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "check.md").read_text()
    on_the_page = doc[doc.index("## On the page"):]
    assert on_the_page.split("```python\n", 1)[1].split("```", 1)[0] == check.SNIPPET


def test_a_correct_file_matches_everywhere_and_stays_across_reruns():
    at = upload(equations(), student_file())
    assert [s.value for s in at.success if "gradients match" in s.value] == [
        plain("Verdict: all 6 gradients match the exact ones.")
    ]
    table = reports(at)[0].value
    assert list(table["parameter"]) == ["dW1", "db1", "dW2", "db2", "dW3", "db3"]
    assert (table["verdict"] == "✓").all() and (table["relative error"] < 1e-6).all()
    spec, frames = chart_data(at, "Network")
    assert not frames["edges"]["marked"].any() and not frames["nodes"]["marked"].any()
    assert "subtitle" not in spec["title"]
    # kept in the session: a rerun, or another tab and back, shows it again
    at.run()
    assert len(reports(at)) == 1
    at.session_state["tab"] = "Log"
    at.run()
    at.session_state["tab"] = "Equations"
    at.run()
    assert len(reports(at)) == 1 and any("gradients match" in s.value for s in at.success)


def test_matrices_given_transposed_are_read_so_and_said():
    at = upload(equations(), student_file(transpose=True))  # every W and dW as (fan_out, fan_in)
    table = reports(at)[0].value
    assert list(table.loc[table["transposed"] == "yes", "parameter"]) == ["dW1", "dW2", "dW3"]
    assert (table["verdict"] == "✓").all()
    assert any(plain("read transposed (given as (fan_out, fan_in))") in c.value for c in at.caption)


@pytest.mark.parametrize("mistake, wrong", [
    ("hidden_on_z", ["dW1", "db1", "dW2", "db2"]),  # f' of the output a used on z, in the hidden layers
    ("several", ["dW1", "dW3"]),  # no single step: layer 2 right between two wrong ones
])
def test_a_classic_mistake_is_diagnosed_and_marked_on_the_network(mistake, wrong):
    data = student_file(mistake)
    at = upload(equations(), data)
    table = reports(at)[0].value
    assert list(table.loc[table["verdict"] == "✗", "parameter"]) == wrong
    assert (table.loc[table["verdict"] == "✓", "relative error"] < 1e-6).all()
    report = gradcheck.check(gradcheck.load(data))
    sentences = [s for d in report.diagnoses for s in d.sentences]
    assert sentences and all(any(plain(s) in b for b in markdown_bodies(at)) for s in sentences)
    assert any(b.startswith(plain("Verdict: ")) for b in (w.value for w in at.warning))
    # the picture: exactly the wrong layers' weight lines, exactly the wrong layers' neurons
    spec, frames = chart_data(at, "Network")
    edges, nodes = frames["edges"], frames["nodes"]
    W_layers = {int(n[2:]) for n in wrong if n.startswith("dW")}
    b_layers = {int(n[2:]) for n in wrong if n.startswith("db")}
    assert set(edges.loc[edges.marked, "x_to"].astype(int)) == W_layers
    assert edges.loc[~edges.marked, "x_to"].astype(int).isin(W_layers).sum() == 0
    assert set(nodes.loc[nodes.marked, "x"].astype(int)) == b_layers
    assert spec["title"]["subtitle"] == f"red = wrong gradient: {', '.join(wrong)}"
    # the file's network is drawn, not the page's (2-4-4-1 here; the page's is 2-9-4-1)
    assert len(nodes) == 2 + 4 + 4 + 1


@pytest.mark.parametrize("data, words", [
    (b"{not json", "file: not valid JSON"),
    (b"\x89PNG\r\n\x1a\n\x00", "file: not"),
    (b"[1, 2]", "file: expected a JSON object"),
    (json.dumps({**json.loads(student_file()), "grad_weights": [[[1.0]]] * 3}).encode(), "grad_weights[0]: expected shape"),
])
def test_a_file_that_cannot_be_checked_gets_one_error_and_nothing_else_changes(data, words):
    at = upload(equations(), student_file("sign"))  # a report on screen first
    run, epoch = run_of(at), run_of(at).epoch
    upload(at, data, "bad.json")
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith(plain(f"bad.json: {words}")), errors
    assert errors[0].endswith(plain("Nothing else changed."))
    assert run_of(at) is run and run_of(at).epoch == epoch
    assert len(reports(at)) == 1 and (reports(at)[0].value["verdict"] == "✗").all()  # the last report stays
    at.run()  # read once: a rerun neither reads it again nor loses the error
    assert len(at.error) == 1 and run_of(at) is run
    upload(at, student_file(), "good.json")  # a good file clears the error
    assert not at.error and (reports(at)[0].value["verdict"] == "✓").all()


def test_an_upload_is_read_once(monkeypatch):
    calls = []
    real = check.read_check
    monkeypatch.setattr(check, "read_check", lambda *a: calls.append(a[0]) or real(*a))
    at = upload(equations(), student_file("sign"))
    at.run()
    at.toggle(key="log").set_value(True).run()
    assert calls == ["mine.json"]


def test_hostile_file_names_and_values_are_shown_as_typed():
    name = f"{HOSTILE}.json"
    at = upload(equations(), student_file("double"), name)
    assert_shown_as_typed(at, name)
    bad = json.dumps({**json.loads(student_file()), "activation": "**bold** <script>"}).encode()
    upload(at, bad, name)
    assert len(at.error) == 1 and "bold" in at.error[0].value
    assert_shown_as_typed(at, name)
    assert not any("**bold**" in b or "<script>" in b for b in markdown_bodies(at))


def test_the_reviewers_file_is_refused_with_the_bound_named():
    from check_limits import Watch, reviewers_file

    at = upload(equations(), student_file("sign"))
    run = run_of(at)
    with Watch() as watch:
        upload(at, reviewers_file(), "big.json")
    assert [e.value for e in at.error] == [plain(
        "big.json: X: 30,000 points × 10,002 units (of all layers) is more than 1,000,000, the most a check "
        "computes; this network can be checked on up to 99 points: check a smaller batch of points or a smaller "
        "network. Nothing else changed."
    )]
    assert run_of(at) is run and (reports(at)[0].value["verdict"] == "✗").all()  # the last report stays
    assert len(watch.seen) == 1 and watch.all_gone()  # refused in the check's own process, which ended


@pytest.mark.parametrize("limit, said", [
    ("DEADLINE_S", "the check took longer than 0.2 s and was stopped"),
    ("MEMORY_MB", "the check needed more than 8 MB and was stopped"),
])
def test_a_check_past_its_limit_is_stopped_in_one_line_and_nothing_else_changes(monkeypatch, limit, said):
    from check_limits import Watch, largest_file

    from companion import checkrun

    at = upload(equations(), student_file("sign"))  # a report on screen first
    run, epoch = run_of(at), run_of(at).epoch
    monkeypatch.setattr(checkrun, limit, {"DEADLINE_S": 0.2, "MEMORY_MB": 8}[limit])  # the largest file needs more
    with Watch() as watch:
        upload(at, largest_file(), "heavy.json")
    assert [e.value for e in at.error] == [plain(f"heavy.json: {said}. Nothing else changed.")]
    assert run_of(at) is run and run_of(at).epoch == epoch
    assert len(reports(at)) == 1 and (reports(at)[0].value["verdict"] == "✗").all()  # the last report stays
    assert watch.seen and watch.all_gone()


def test_while_every_turn_is_taken_an_upload_waits_then_hears_the_checker_is_busy(monkeypatch):
    from companion import checkrun
    from playground import shared

    at = upload(equations(), student_file("sign"))
    monkeypatch.setattr(checkrun, "WAIT_S", 0.1)
    slots = shared.check_slots()  # the process's turns, as every visitor's page holds them
    with ExitStack() as held:
        for _ in range(slots.size):
            held.enter_context(slots.turn())
        upload(at, student_file(), "mine.json")
    assert [e.value for e in at.error] == [plain(
        f"mine.json: the checker is busy ({slots.size} checks at once, none finished within 0.1 s); try again in "
        "a moment. Nothing else changed."
    )]
    assert (reports(at)[0].value["verdict"] == "✗").all()  # the last report stays
    upload(at, student_file(), "again.json")  # the turns are free again
    assert not at.error and (reports(at)[0].value["verdict"] == "✓").all()


def test_a_check_that_fails_on_our_side_shows_an_id_and_logs_the_details(monkeypatch, caplog):
    from companion import checkrun

    def crash(data):
        raise checkrun.CheckCrashed("the check failed: Traceback (most recent call last): ZeroDivisionError: oops")

    at = upload(equations(), student_file("sign"))
    monkeypatch.setattr(checkrun, "check", crash)
    with caplog.at_level("ERROR", logger=check.__name__):
        upload(at, student_file(), "mine.json")
    (error,) = [e.value for e in at.error]
    said = [re.escape(plain(part)) for part in ("mine.json: the check failed on our side (id ", "); it is logged. Nothing else changed.")]
    ref = re.fullmatch(said[0] + r"([0-9a-f]{8})" + said[1], error)
    assert ref, error
    (record,) = [r for r in caplog.records if r.name == check.__name__]
    assert ref.group(1) in record.getMessage() and "ZeroDivisionError: oops" in caplog.text  # the details, logged
    assert not any("ZeroDivisionError" in b or "Traceback" in b for b in markdown_bodies(at))  # never on the page
    assert not at.exception and (reports(at)[0].value["verdict"] == "✗").all()


def test_plain_escapes_every_ascii_punctuation_and_keeps_one_line():
    punctuation = "".join(chr(c) for c in range(33, 127) if not chr(c).isalnum())
    assert plain(punctuation) == "".join("\\" + c for c in punctuation)
    assert plain("a\nb é ✓") == "a b é ✓"
    assert bullets(["x*y", "1. z"]) == "- x\\*y\n- 1\\. z"


# ----- Paste my training log ---------------------------------------------------------------------
def log_tab():
    return page(dataset="xor", epochs="300", tab="Log")


def paste(at, text: str):
    at.text_area(key=state.LOG_TEXT).set_value(text)
    at.button(key=state.LOG_READ).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_reports_log_over_this_run():
    at = paste(log_tab(), LINEAR)
    spec, frames = chart_data(at, "Your loss and this run's")
    assert set(frames["runs"]["run"]) == {"this run", "yours"}
    yours = frames["runs"][frames["runs"]["run"] == "yours"]
    assert yours["epoch"].tolist()[-1] == 9500 and len(yours) == 16
    h = run_of(at).columns()
    sentences = compare(parse_log(LINEAR), h["epoch"], h["loss"])
    assert any(s.startswith("Final loss: yours 0.000844") for s in sentences)
    assert bullets(sentences) in [m.value for m in at.markdown]
    assert [w.value for w in at.warning if "jumps up" in w.value] == [plain(symptoms(parse_log(LINEAR))[0])]
    assert any(plain("epochs logged more than once: 3,000") in c.value for c in at.caption)
    assert len(at.get("vega_lite_chart")) == 3  # the live area's two and the overlay


def test_the_reports_nan_run_is_said_to_diverge():
    at = paste(log_tab(), NAN_RUN)
    diverged = [w.value for w in at.warning if w.value.startswith(plain("The loss became NaN"))]
    assert len(diverged) == 1 and plain("numpy warned first: overflow encountered in square") in diverged[0]
    assert any(plain("Yours became NaN at epoch 500; this run stays finite.") in m.value for m in at.markdown)


def test_predictions_are_recomputed_and_a_disagreeing_accuracy_is_said():
    text = "Epoch: 0, Loss: 0.3\nIter1 | Ground truth: 1 | prediction: 0.9 |\nIter2 | Ground truth: 0 | prediction: 0.7 |\n"
    at = paste(log_tab(), text + "loss=0.1 accuracy=100.00%\n")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Your accuracy, recomputed"] == "50.00%" and metrics["Your printed accuracy"] == "100.00%"
    assert any(w.value.startswith(plain("The printed accuracy (100.00%) disagrees")) for w in at.warning)


def test_text_that_cannot_be_read_gets_one_error_and_nothing_else_changes():
    at = paste(log_tab(), LINEAR)
    run = run_of(at)
    paste(at, "no training lines here **bold**")
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith(plain("text: no training or test lines found")), errors
    assert run_of(at) is run
    chart_data(at, "Your loss and this run's")  # the last log read stays
    # the text area stops at 200,000 characters in the browser; a crafted message is refused on the server
    with pytest.raises(ValueError, match="longer than 200,000 characters"):
        pasted_log.read_log("Epoch: 0, Loss: 0.3\n" * 20_000)


def test_pasted_text_is_shown_as_typed():
    line = f"{HOSTILE} python3 main.py"
    at = paste(log_tab(), f"{line}\nEpoch: 0, Loss: 0.3\nEpoch: 100, Loss: 0.2\n")
    notes = [c.value for c in at.caption if "skipped 1 other line" in c.value]
    assert notes and plain(line) in notes[0]
    assert not any("**bold**" in b or "<script>" in b for b in markdown_bodies(at))
