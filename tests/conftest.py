import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# the page's store of boards and class rooms: a fresh SQLite file for this test session (and the servers the
# browser tests start, which inherit the environment), never the repository's own data/ folder
os.environ.setdefault("PLAYGROUND_DB", f"sqlite:///{tempfile.mkdtemp(prefix='playground-tests-')}/store.db")
