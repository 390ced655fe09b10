"""The session's state, named in one place: every ``st.session_state`` key the page uses, and the URL writes.

Keys of widgets bound to the URL are the URL's own names: the `Experiment`'s field names (the sidebar's
`set_field` changes them from code), ``tab``, ``log``, ``show_test``, ``discretize``. Everything else the
page keeps between reruns is named here, and so are the link parameters the page reads or writes itself
and the keys of the widgets that tests and callbacks address. Only this module touches ``st.session_state``
and ``st.query_params`` (`playground.internals` reaches Streamlit's own copy of the link;
tests/playground/test_state.py checks both): bound widgets keep the rest of the address bar in step by
themselves.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

# ----- what the page keeps between reruns --------------------------------------------------------
RUN = "run"  # the Run on screen (lab.run.Run)
FOLLOWING = "following"  # the training job the run on screen takes its progress from (shared.Following)
TRAIN_ERROR = "_train_error"  # why the last training failed
STOPPED = "_stopped"  # Stop was clicked while the run trained: the next rerun says where it stopped (once)
CUSTOM_DATA = "custom_data"  # your points when the link cannot carry them (over 200)
PENDING_DATA = "_pending_data"  # points to apply at the top of the next run (set from inside the page)
CARRY_WEIGHTS = "_carry_weights"  # weights to keep training with on new points
LINK_CHECKED = "_link_checked"  # the link's values were checked (once per session)
LINK_NOTICES = "_link_notices"  # what the link check reported
LAST_GOOD = "_last_good"  # the sidebar's last valid values, one dict
LESSON = "_lesson"  # the lesson read from the link (hide=, lock=)
SWEEP_CHECKED = "_sweep_checked"  # a board link's sweep was run (once per session)
SWEEP_LINK = "_sweep_link"  # the sweep on the board, as link parameters
TASK_APPLIED = "_task_applied"  # a class's task filled the link (once per session)
CLASS_OPENED = "_class_opened"  # a class link opened the Class tab (once per session)
CLASS_ERROR = "_class_error"  # why the last class action did not happen
TEACHER_KEY = "_teacher_key"  # (code, key): a class's teacher key, taken out of the link on the first load
STUDENT = "_student"  # (code, token): the student identity the store issued this page, checked once a session
JOIN_ERROR = "_join_error"  # why no student identity could be issued (the student's panel says it)
CLASSES_STARTED = "_classes_started"  # classes this page started (a page starts a few at most)
BOARDS_MADE = "_boards_made"  # comparison boards this page made (a page makes a few at most)
SWEEP_PENDING = "_sweep_pending"  # a link's sweep, waiting for the visitor's "Run this sweep": (Sweep, both)
CLICK_DONE = "_click_done"  # the last click on the decision regions that was applied
UPLOAD_DONE = "_upload_done"  # the last uploaded file that was read
UPLOAD_ERROR = "_upload_error"
CHECK_DONE = "_check_done"  # the last check file that was read (its file_id): each upload is read once
CHECK_REPORT = "_check_report"  # the last check file that could be checked (sections.check.Checked)
CHECK_ERROR = "_check_error"  # why the last check file could not be checked
PASTED_LOG = "_pasted_log"  # the last pasted training log that could be read (companion.studentlog.StudentLog)
PASTE_ERROR = "_paste_error"  # why the last pasted log could not be read
SAMPLE = "_sample"  # the training point followed through backprop (Equations tab), numbered from 1 like "Iter"
SAMPLE_READ = "_sample_read"  # the link's sample= value last read (each new value is read once)
SAMPLE_NOTICE = "_sample_notice"  # why the link's sample= was ignored
TABLE_PICK = "_table_pick"  # the prediction table's selected point last applied
BACKPROP_AT = "_backprop_at"  # which step of that point's calculation is shown (an index)
BACKPROP_UNITS = "_backprop_units"  # per layer, the unit whose formula is shown ({layer: unit index from 0})
TASK_SEEN = "_task_seen"  # the class's task this page has loaded or set aside (its fingerprint)
PENDING_TASK = "_pending_task"  # Load the task was pressed: apply it at the top of the next run
LESSON_ERROR = "_lesson_error"  # why the last lesson action (a vote, a check) did not happen
EDGE_SEEN = "_edge_seen"  # the diagram's last edge selection taken (each click is taken once)
WEIGHT_PICK = "_weight_pick"  # the weight picked on the diagram to edit: (layer, i, j), numbered from 1
EDIT_ERROR = "_edit_error"  # why the last edit of a weight was refused (nothing changed)
EDIT_DONE = "_edit_done"  # what the last edit did (said once)
TABLE_VERSION = "_table_version"  # bumped by every edit: the weights table is drawn afresh from the run
SPACE_FRAMES = "_space_frames"  # the replay of the run's training for the hidden space (lab.frames.Frames)
SPACE_ERROR = "_space_error"  # why the last replay did not happen

# ----- link parameters the page reads and writes itself (besides the Experiment's fields) --------------
POINTS = "points"  # your own points: an Experiment field no widget binds, so the page writes its link itself
HIDE, LOCK = "hide", "lock"  # lesson mode: the settings hidden, all settings read-only
BOARD = "board"  # the comparison board's id in the store
SWEEP, VALUES, BOTH = "sweep", "values", "both"  # a board's sweep (lab.sweep.Sweep.query writes the first two)
ROOM, ROOM_KEY, OWNER = "room", "key", "me"  # a class's code, its teacher's key, this student's signed token
TEACHER_PASS = "teacher"  # a teacher's pass (signed, expiring): the teacher's page, refreshed, without the key
VIEW, PROJECTOR = "view", "board"  # view=board: the projector's page
SAMPLE_LINK = "sample"  # the training point the Equations tab follows ("Iter", from 1)

# ----- widgets the page and its tests address by key ----------------------------------------------
TAB = "tab"  # the open tab (bound to the URL)
LOG_SCALE, SHOW_TEST, DISCRETIZE = "log", "show_test", "discretize"  # the display options (bound to the URL)
N_FIXED = "_n_fixed"  # the points of a data set of fixed size, shown but not editable
TRAIN, STEP, STOP, RESET, NEW_SEED, PIN, STEP_SIZE = "_train", "_step", "_stop", "_reset", "_new_seed", "_pin", "_step_size"
DECISION = "_decision"  # the decision chart's click selections
CLICK_MODE, KEEP_TRAINING = "_click_mode", "_keep_training"
EDITOR, APPLY_TABLE, UPLOAD = "_editor", "_apply_table", "_upload"
ONLY_MISTAKES = "_only_mistakes"
PREDICTIONS = "_predictions"  # the prediction table (a row click picks the point to follow)
PREDICTION_VIEW = "_prediction_view"  # the Prediction tab shows this run, or both lab data sets (Figs. 11–12)
SAMPLE_PICK, BACKPROP_STEP, BACKPROP_PREV, BACKPROP_NEXT, BACKPROP_UNIT = (
    "_sample_pick", "_bp_step", "_bp_prev", "_bp_next", "_bp_unit")  # backprop with numbers (Equations tab)
CHECK_UPLOAD, DL_CHECK = "_check_upload", "_dl_check"  # Check my backprop (the Equations tab)
LOG_TEXT, LOG_READ = "_log_text", "_log_read"  # Paste my training log (the Log tab)
SWEEP_CHOICE, SWEEP_BOTH, SWEEP_SETTING, SWEEP_VALUES, SWEEP_RUN = (
    "_sweep_choice", "_sweep_both", "_sweep_setting", "_sweep_values", "_sweep_run")
PINS_CLEAR = "_pins_clear"
START_CLASS, SEND, NAME = "_start_class", "_send", "_name"
TASK_FORM, TASK_LINK, TASK_CHALLENGE = "_task_form", "_task_link", "_task_challenge"
ANONYMOUS, LOCKED, ENTRY_PICK, REMOVE_ENTRY, CLEAR_SURE, CLEAR_ROOM, CLASS_CSV = (
    "_anonymous", "_locked", "_entry_pick", "_remove_entry", "_clear_sure", "_clear_room", "_class_csv")
LANDSCAPE = "_landscape"
NEW_TEACHER_LINK, STUDENT_PICK, REMOVE_STUDENT, REMOVE_UNREADABLE = (
    "_new_teacher_link", "_student_pick", "_remove_student", "_remove_unreadable")
SWEEP_FROM_LINK, PINS_UNREADABLE = "_sweep_from_link", "_pins_unreadable"
# a live lesson (classroom: banner, rounds, votes, checks, record)
LOAD_TASK, SKIP_TASK = "_load_task", "_skip_task"
ROUND_SECONDS, START_ROUND, REVEAL, ROUND_PICK = "_round_seconds", "_start_round", "_reveal", "_round_pick"
QUESTION, OPTIONS, VOTE_RUN, VOTE_LINK, ASK, CLOSE_VOTE, CAST = (
    "_question", "_options", "_vote_run", "_vote_link", "_ask", "_close_vote", "_cast")
SEND_CHECK = "_send_check"
LESSON_CSV, LESSON_JSON, END_SURE, END_LESSON = "_lesson_csv", "_lesson_json", "_end_sure", "_end_lesson"
LEAVE_LESSON = "_leave_lesson"
EDGE = "_edge"  # the network diagram's click selection (a weight)
WEIGHT_FORM, WEIGHT_VALUE, WEIGHT_SET = "_weight_form", "_weight_value", "_weight_set"  # set the picked weight
WEIGHTS_OPEN, WEIGHTS_LAYER = "_weights_open", "_weights_layer"  # the weights table (an expander) and its layer
SPACE_OPEN, SPACE_LAYER, SPACE_AXES = "_space_open", "_space_layer", "_space_axes"  # the hidden space
SPACE_UNIT_A, SPACE_UNIT_B = "_space_unit_a", "_space_unit_b"  # its two units as axes
SPACE_EPOCH, SPACE_PLAY, SPACE_REPLAY = "_space_epoch", "_space_play", "_space_replay"  # the hidden space's frames
SHARE_LINK = "_share_link"  # the share link's text field
MORE_SETTINGS = "_more_settings"  # the sidebar's "More settings" toggle
DL_LOG, DL_WEIGHTS, DL_HISTORY, DL_PREDICTIONS, DL_DATA = "_dl_log", "_dl_weights", "_dl_history", "_dl_pred", "_dl_data"


def preset_key(field: str) -> str:
    """The pills of one-click values for a sidebar field."""
    return f"_preset_{field}"


def weights_table_key(layer: int, version: int) -> str:
    """The weights table of one layer, drawn afresh after each edit (a new key: the run's values, no leftovers)."""
    return f"_weights_table_{layer}_{version}"


def figure_key(name: str) -> str:
    """The button that opens one of the report's single runs (lab.presets.FIGURES) in the sidebar."""
    return f"_figure_{name}"


def ballot_key(vote_id: int) -> str:
    """A student's choice on one question (a new question starts with none chosen)."""
    return f"_ballot_{vote_id}"


def pin_key(action: str, uid: int) -> str:
    """A pinned run's own widgets: "name", "load", "remove"."""
    return f"_pin_{action}_{uid}"


def get(key: str, default: Any = None) -> Any:
    return st.session_state.get(key, default)


def put(key: str, value: Any) -> None:
    st.session_state[key] = value


def pop(key: str, default: Any = None) -> Any:
    return st.session_state.pop(key, default)


def setdefault(key: str, default: Any) -> Any:
    """The value under ``key``, first put there as ``default`` when there is none."""
    return st.session_state.setdefault(key, default)


def once(key: str) -> bool:
    """True the first time it is asked in a session (then remembered under ``key``)."""
    if st.session_state.get(key):
        return False
    st.session_state[key] = True
    return True


# ----- the address bar ---------------------------------------------------------------------------
def link_values() -> dict[str, list[str]]:
    """Every parameter of the address bar, each with all its values (repeated keys happen)."""
    return {k: st.query_params.get_all(k) for k in st.query_params.keys()}


def link_value(name: str, default: str | None = None) -> str | None:
    return st.query_params.get(name, default)


def set_link(name: str, value: str) -> None:
    st.query_params[name] = value


def drop_link(*names: str) -> None:
    for name in names:
        if name in st.query_params:
            del st.query_params[name]


def projecting() -> bool:
    """The link asks for the projector's page (``view=board``)."""
    return link_value(VIEW) == PROJECTOR
