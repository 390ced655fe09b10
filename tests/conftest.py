import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# the page's store of boards and class rooms: a fresh SQLite file for each test process (and the servers the
# browser tests start, which inherit the environment), never the repository's own data/ folder; an xdist worker
# inherits the controller's file and takes its own, so the store's bounds per minute count one worker's tests
if "playground-tests-" in os.environ.get("PLAYGROUND_DB", "playground-tests-"):
    os.environ["PLAYGROUND_DB"] = f"sqlite:///{tempfile.mkdtemp(prefix='playground-tests-')}/store.db"


def pytest_xdist_make_scheduler(config, log):  # noqa: ANN001
    """The suite runs on two xdist workers (pyproject.toml's addopts ``-n 2``): the browser tests (tests/e2e), one
    after another, on one of them (they share the servers their modules start, and each drives real worker
    processes), and every other test on the other, alongside, then on whichever is free. (xdist's own loadgroup
    cannot do this under pytest 9.2, whose test ids no longer take the group xdist appends.) ``-n 0`` runs in one
    process."""
    from xdist.scheduler import LoadScopeScheduling

    class BrowserTestsTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "browser" if nodeid.startswith("tests/e2e/") else nodeid

    return BrowserTestsTogether(config, log)
