"""The Compare tab: one-click sweeps of the report's Discussion, and the comparison board.

A sweep varies one setting over a few values, everything else as in the sidebar, on the same data and
(where shapes allow) the same initial weights. Each run is the finished run of its own experiment: one
job of the training service, which trains the sweep's runs together where it can and shares each with
every visitor (and with anyone opening that experiment's own link).

The board is a board of the store (`server.store`), named by an unguessable id in the link
(``board=…``): a refresh, a new tab or a server restart shows the same runs, and sharing the link shares
the board. It shows the losses overlaid, a table of the settings that differ and each run's decision
regions. A sweep link without a board (``sweep=lr&values=0.1;0.3;0.9&both=1``) shows its sweep with a
**Run this sweep** button: nothing is trained or stored until the visitor presses it (a link is opened by
crawlers and pranksters too). A page makes at most MAX_BOARDS boards (the store bounds every server's
together per minute). Widget callbacks make the changes, because loading a run back must set the sidebar
before it is drawn.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from lab import budget
from lab.compare import default_name, unique_name
from lab.experiment import CUSTOM, FIELDS, Experiment
from lab.presets import FIGURES, PRESETS
from lab.record import Record
from lab.sweep import SEP, SWEEPABLE, Sweep
from playground import shared, state
from playground.sections import Display, Page, board, plain
from playground.sections.sidebar import set_field
from server.boards import BoardView
from server.store import BoardNotFound, LimitError, StoreError

BOTH = ("linear", "xor")  # the lab's two data sets
MAX_PINS = 24  # runs on a comparison board; the oldest go first
MAX_BOARDS = 10  # boards one page makes (a new one only when the link names none, or one that is gone)
SWEEP_TIMEOUT = 120.0  # s a sweep waits for its runs (behind a busy queue) before it gives up with a message


# ----- the board ---------------------------------------------------------------------------------
def board_id() -> str | None:
    return state.link_value(state.BOARD) or None


def read() -> BoardView | None:
    """The board in the link (None without one); StoreError when the store cannot answer."""
    bid = board_id()
    return shared.reader().board(bid) if bid else None


def add(name: str, record: Record) -> str:
    """Put a run on the board (a new board when the link has none, or an unknown one) under a name no other
    run there has; the oldest runs go beyond MAX_PINS. Returns the name; StoreError when it could not."""
    store = shared.store()
    bid = board_id()
    taken = [p.name for p in shared.reader().board(bid).entries] if bid else []
    name = unique_name(name[:80], taken)
    try:
        if bid is None:
            raise BoardNotFound("no board yet")
        store.add(bid, name, record.thinned().to_json())
    except BoardNotFound:
        made = state.get(state.BOARDS_MADE, 0)
        if made >= MAX_BOARDS:
            raise LimitError(f"this page has made {MAX_BOARDS} boards already, the most one page makes.") from None
        bid = store.new_board()
        state.put(state.BOARDS_MADE, made + 1)
        state.set_link(state.BOARD, bid)
        store.add(bid, name, record.thinned().to_json())
    shared.reader().forget(board=bid)
    entries = shared.reader().board(bid).entries
    for old in entries[: max(0, len(entries) - MAX_PINS)]:
        store.remove(bid, old.id)
    shared.reader().forget(board=bid)
    return name


def pin_current() -> None:
    run = state.get(state.RUN)
    if run is None:
        return
    try:
        name = add(default_name(run.exp), run.record())
    except StoreError as exc:
        st.toast(f"Not pinned: {exc}", icon=":material/error:")
        return
    st.toast(f"Pinned **{name}**: it is on the Compare tab.", icon=":material/push_pin:")


def _change(action: Callable[[str], object]) -> None:
    bid = board_id()
    if bid is None:
        return
    try:
        action(bid)
    except (StoreError, ValueError) as exc:
        st.toast(f"Not changed: {exc}", icon=":material/error:")
    shared.reader().forget(board=bid)


def remove(*entry_ids: int) -> None:
    _change(lambda bid: [shared.store().remove(bid, entry_id) for entry_id in entry_ids])


def clear() -> None:
    _change(lambda bid: shared.store().clear(bid))


def rename(entry_id: int) -> None:
    name = str(state.get(state.pin_key("name", entry_id), "")).strip()[:80]
    view = read()
    if name and view is not None:
        others = [p.name for p in view.entries if p.id != entry_id]
        _change(lambda bid: shared.store().rename(bid, entry_id, unique_name(name, others)))


def load(record: Record) -> None:
    """Put a run's settings back into the sidebar (the page then shows that run)."""
    for name in FIELDS:
        set_field(name, getattr(record.exp, name))


def board_section(display: Display) -> None:
    st.header("Comparison board")
    try:
        view = read()
    except StoreError as exc:
        st.warning(f"The comparison board cannot be read right now: {exc}", icon=":material/cloud_off:")
        return
    if view is not None and view.unreadable:
        st.warning(f"Runs on this board that cannot be read (a stored record this version cannot parse): "
                   f"{len(view.unreadable)}. They are left out.", icon=":material/warning:")
        st.button("Remove them", key=state.PINS_UNREADABLE, on_click=remove, args=view.unreadable)
    if view is None or not view.entries:
        st.caption("Pin runs (the **Pin** button) or run a sweep above; they gather here, side by side, and "
                   "stay: the link names the board.")
        return
    entries = [(p.name, p.record) for p in view.entries]
    st.caption(f"{len(entries)} run{'s' if len(entries) > 1 else ''}. Click a legend entry to highlight a run. "
               "The link names this board: refresh, share or come back later, the runs stay.")
    origin = ("board", view.board, view.version)  # the same board for everyone at this version
    groups = board.by_dataset(entries)
    if len(groups) == 1:
        board.losses(entries, display, origin=origin)
    else:  # a figure per data set, as the report has (a sweep on both data sets): their losses differ in scale
        cols = st.columns(2)
        for i, (dataset, group) in enumerate(groups.items()):
            board.losses(group, display, title=f"Loss per run · {dataset}", origin=origin, target=cols[i % 2])
    board.settings_table(entries)
    st.subheader(f"The pinned runs' {board.maps_title(entries)}")
    st.caption(board.maps_caption(entries))
    for dataset, group in groups.items():
        if len(groups) > 1:
            st.markdown(f"**{dataset}**")
        board.regions(group, display, origin=origin)
    with st.expander("Manage pinned runs"):
        for p in view.entries:
            row = st.columns([3, 1, 1], vertical_alignment="bottom")
            row[0].text_input("Name", p.name, key=state.pin_key("name", p.id), on_change=rename, args=(p.id,),
                              max_chars=80)
            row[1].button("Load", key=state.pin_key("load", p.id), on_click=load, args=(p.record,),
                          help="Put this run's settings back into the sidebar.")
            row[2].button("Remove", key=state.pin_key("remove", p.id), on_click=remove, args=(p.id,))
        st.button("Clear the board", key=state.PINS_CLEAR, on_click=clear)


# ----- sweeps ------------------------------------------------------------------------------------
def results(exp: Experiment, sweep: Sweep) -> list[Record]:
    """The sweep's runs, trained by the service (together where they can be) and shared by every visitor.
    Raises RuntimeError in the page's words when the server is busy (`server.jobs.Busy`), or a run failed or
    did not finish within `SWEEP_TIMEOUT` (`shared.Unfinished`); the runs asked for so far are left then."""
    return [run.record() for run in shared.finished_runs(sweep.experiments(exp), SWEEP_TIMEOUT)]


def run(exp: Experiment, sweep: Sweep, both: bool) -> str:
    """Train the sweep (on both lab data sets if asked) and fill the board; returns an error or ''."""
    if both and exp.dataset == CUSTOM:
        return "The 'both data sets' view compares the lab's linear and XOR sets; switch off custom data first."
    bases = [exp.with_(dataset=d) for d in BOTH] if both else [exp]
    too_much = budget.sweep_error(e for base in bases for e in sweep.experiments(base))
    if too_much:
        return too_much
    with st.spinner(f"Training {len(sweep.values) * len(bases)} runs…"):
        try:
            found = [(base, results(base, sweep)) for base in bases]
        except RuntimeError as exc:  # Busy, Unfinished: words for the page
            return f"{exc} The board was not changed."
    try:
        clear()
        for base, records in found:
            for label, record in zip(sweep.labels, records):
                name = f"{sweep.setting} = {label}"
                add(f"{name} · {base.dataset}" if both else name, record)
    except StoreError as exc:
        return f"The sweep ran, but its runs could not be put on the board: {exc}"
    return ""


def sweep_query(sweep: Sweep, both: bool) -> dict[str, str]:
    return sweep.query() | ({state.BOTH: "1"} if both else {})


def sweep_section(exp: Experiment) -> None:
    """The sweep controls; the results land on the comparison board below them."""
    st.header("Sweeps: the report's comparisons in one click")
    names = ["—", *PRESETS, "free"]
    titles = {"—": "Choose a comparison…", "free": "Free sweep: any setting, your values",
              **{k: p.title for k, p in PRESETS.items()}}
    cols = st.columns([3, 1], vertical_alignment="bottom")
    choice = cols[0].selectbox("Comparison", names, format_func=titles.get, key=state.SWEEP_CHOICE)
    both = cols[1].toggle("Both data sets", key=state.SWEEP_BOTH, help="Run it on the lab's linear and XOR sets.")
    sweep = None
    if choice == "free":
        fc = st.columns([1, 2])
        setting = fc[0].selectbox("Setting", SWEEPABLE, index=SWEEPABLE.index("lr"), key=state.SWEEP_SETTING)
        text = fc[1].text_input(f"Values, separated by '{SEP}'", "0.05; 0.1; 0.5", key=state.SWEEP_VALUES)
        try:
            sweep = Sweep.parse(setting, text)
        except ValueError as exc:
            st.error(plain(str(exc)), icon=":material/error:")
    elif choice in PRESETS:
        preset = PRESETS[choice]
        sweep = preset.sweep
        st.markdown(preset.explanation)
        if preset.question:
            st.info(f"**{preset.question}** {preset.answer}", icon=":material/school:")
    if sweep is not None and st.button("Run sweep", key=state.SWEEP_RUN, type="primary", icon=":material/compare:"):
        state.pop(state.SWEEP_PENDING)
        error = run(exp, sweep, both)
        if error:
            st.error(error, icon=":material/block:")
        else:
            state.put(state.SWEEP_LINK, sweep_query(sweep, both))
    if state.get(state.SWEEP_LINK) and board_id():
        st.caption("Share this board: the link below opens it for whoever you send it to.")
    figures_section()


def open_figure(name: str) -> None:
    """Put one of the report's single runs into the sidebar (the page then shows and trains it)."""
    exp = FIGURES[name].exp
    for field in FIELDS:
        set_field(field, getattr(exp, field))


def figures_section() -> None:
    """The report's single runs, one click each (their settings go into the sidebar and the link)."""
    st.subheader("The report's single runs")
    for name, fig in FIGURES.items():
        with st.expander(fig.title):
            st.markdown(plain(fig.explanation))
            st.button("Open this run", key=state.figure_key(name), on_click=open_figure, args=(name,),
                      icon=":material/open_in_browser:", help="Set the sidebar to this run's settings.")


def linked_sweep(exp: Experiment) -> None:
    """The sweep a link brought, waiting for the visitor: what it runs, and **Run this sweep**."""
    pending = state.get(state.SWEEP_PENDING)
    if pending is None:
        return
    sweep, both = pending
    shown = f"{sweep.setting} = {', '.join(sweep.labels)}" + (" · on the linear and XOR data sets" if both else "")
    slot = st.empty()
    with slot.container():
        st.info(f"This link holds a sweep: {plain(shown)}. Nothing is trained or stored until you run it.",
                icon=":material/compare:")
        clicked = st.button("Run this sweep", key=state.SWEEP_FROM_LINK, type="primary", icon=":material/play_arrow:")
    if clicked:
        state.pop(state.SWEEP_PENDING)
        slot.empty()
        error = run(exp, sweep, both)
        if error:
            st.error(error, icon=":material/block:")
        else:
            state.put(state.SWEEP_LINK, sweep_query(sweep, both))


def section(page: Page) -> None:
    linked_sweep(page.exp)
    sweep_section(page.exp)
    board_section(page.display)


def from_link(exp: Experiment, on_fill: Callable[[], None] = lambda: None) -> list[str]:
    """On a session's first run, a link's ``sweep``/``values``/``both`` are shown in the sweep controls and wait
    for **Run this sweep** (`linked_sweep`); a board in the link that holds runs already is shown as it is. Either
    way the Compare tab opens (``on_fill()``). Returns notices."""
    if not state.once(state.SWEEP_CHECKED):
        return []
    setting = state.link_value(state.SWEEP)
    if setting is None:
        if board_id() and state.link_value(state.TAB) is None:
            on_fill()  # a board's link opens on the board
        return []
    both = state.link_value(state.BOTH, "") in ("1", "true")
    try:
        sweep = Sweep.parse(setting, state.link_value(state.VALUES, "") or "")
    except ValueError as exc:
        return [f"{exc} — the sweep in the link was not run."]
    try:
        filled = board_id() is not None and bool(read().entries)  # a shared board holds the sweep already
    except StoreError:
        filled = False
    if filled:
        state.put(state.SWEEP_LINK, sweep_query(sweep, both))
    else:
        state.put(state.SWEEP_PENDING, (sweep, both))
    on_fill()
    # show the link's sweep in the controls: its preset (with the explanation), or the free sweep's fields
    preset = next((name for name, p in PRESETS.items() if p.sweep == sweep), None)
    state.put(state.SWEEP_CHOICE, preset or "free")
    state.put(state.SWEEP_BOTH, both)
    if preset is None:
        state.put(state.SWEEP_SETTING, sweep.setting)
        state.put(state.SWEEP_VALUES, sweep_query(sweep, both)[state.VALUES].replace(SEP, SEP + " "))
    return []

