"""The rules of a class room, with no SQL: codes, teacher keys, names and the limits the store enforces.

A room is joined by a short code read aloud or copied from a projector, so codes avoid look-alikes. The
teacher proves ownership with a random key kept in the teacher's link; the store keeps only its hash.
"""

import hashlib
import hmac
import random
import secrets
import unicodedata

CODE_LENGTH = 6
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no O/0, no I/1: 32**6 ≈ 10**9 codes
MAX_NAME = 24  # characters of a student's name in a class, after cleaning
MAX_RUN_NAME = 80  # characters of a run's name on a comparison board (where names describe settings)
SEND_LIMIT = 20  # sends per student per room ...
SEND_WINDOW = 600.0  # ... within this many seconds (the window of every per-room bound below)
# A script can mint students (page loads) far faster than a class joins, and 50 students × 20 sends would fill a
# room, so the room itself takes at most ROOM_SEND_LIMIT sends a window, whoever sends them: forty students sending
# at once all get through, and a script needs `fill_time()` (two hours) to fill a room. JOIN_LIMIT bounds how fast
# new students (rows in the store, and "N students") can appear; a class of 100 joins at once.
ROOM_SEND_LIMIT = 80  # sends per room per SEND_WINDOW, all its students together
JOIN_LIMIT = 100  # new students per room per SEND_WINDOW
MAX_ENTRIES = 1000  # entries on one board (a room's or a personal one)
ROOM_TTL = 30 * 24 * 3600.0  # seconds after a room's last activity until it expires
BOARD_TTL = 30 * 24 * 3600.0  # seconds after a personal board's last change until the purge removes it
NEW_ROOMS_PER_MINUTE = 20  # rooms the whole store makes in a minute (every server together) ...
NEW_BOARDS_PER_MINUTE = 120  # ... and boards (a room's own board counts): a class pinning at once fits
MAX_TEXT = 8 * 1024  # bytes (UTF-8) of a room's task or challenge


def fill_time(entries: int = MAX_ENTRIES) -> float:
    """Seconds the fastest sender — a script with as many students as it likes — needs to put `entries` runs on an
    empty room's board: ROOM_SEND_LIMIT at once, then as many each SEND_WINDOW (the 1,000th lands two hours in)."""
    windows = -(-entries // ROOM_SEND_LIMIT)  # ceil
    return (windows - 1) * SEND_WINDOW

_KEEP = {"\u200d"}  # zero-width joiner: format character (Cf) that emoji sequences need


def new_key() -> str:
    """The teacher's secret: 128 random bits, so a plain hash (no salt, no slow KDF) is safe to store."""
    return secrets.token_urlsafe(16)


def key_hash(key: str) -> str:
    """sha256 hex of the key; the store keeps this, never the key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_matches(key: object, stored_hash: object) -> bool:
    """Whether `key` is the room's key, in constant time (no timing hint to someone guessing keys)."""
    if not isinstance(key, str) or not isinstance(stored_hash, str):
        return False
    try:
        return hmac.compare_digest(key_hash(key).encode(), stored_hash.encode())
    except UnicodeEncodeError:  # a lone surrogate in either: not a key we issued
        return False


def new_code() -> str:
    """A random room code drawn with `secrets` (the store retries on the rare collision)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: object) -> str | None:
    """A typed code in canonical form ('ab3 k7z' → 'AB3K7Z'), or None when it cannot be a code."""
    if not isinstance(text, str):
        return None
    code = "".join(text.split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def clean_name(text: object, limit: int = MAX_NAME) -> str:
    """A display name safe to store and show: control and format characters dropped, whitespace collapsed.

    Raises ValueError (saying what is allowed) when nothing is left or the result is over ``limit`` characters
    (a student's name in a class: MAX_NAME; a run's name on a comparison board: MAX_RUN_NAME). Markup such as
    `<script>` is kept as text: escaping is the page's job when it draws.
    """
    if not isinstance(text, str):
        raise ValueError(f"A name must be text of 1 to {limit} characters.")
    kept = "".join(ch for ch in text if ch.isspace() or ch in _KEEP or unicodedata.category(ch)[0] != "C")
    name = " ".join(kept.split())
    if not name:
        raise ValueError(f"A name needs at least one letter, digit or sign (at most {limit} characters).")
    if len(name) > limit:
        raise ValueError(f"A name is at most {limit} characters; this one has {len(name)}.")
    return name


ADJECTIVES = (
    "Brave", "Calm", "Clever", "Curious", "Daring", "Eager", "Fancy", "Fast", "Gentle", "Happy",
    "Jolly", "Kind", "Lively", "Lucky", "Mighty", "Nimble", "Noble", "Patient", "Plucky", "Polite",
    "Proud", "Quick", "Quiet", "Rapid", "Bold", "Shiny", "Silly", "Sleepy", "Smart", "Snappy",
    "Steady", "Sunny", "Swift", "Tidy", "Witty", "Wise", "Zesty", "Cosy", "Merry", "Keen",
)  # fmt: skip
ANIMALS = (
    "Otter", "Badger", "Beaver", "Bison", "Camel", "Cheetah", "Crane", "Dolphin", "Eagle", "Falcon",
    "Ferret", "Fox", "Gecko", "Heron", "Ibex", "Jaguar", "Koala", "Lemur", "Lynx", "Marmot",
    "Moose", "Newt", "Ocelot", "Owl", "Panda", "Pelican", "Puffin", "Quokka", "Rabbit", "Raven",
    "Salmon", "Seal", "Sloth", "Tapir", "Tiger", "Toucan", "Walrus", "Wombat", "Yak", "Zebra",
)  # fmt: skip


def nickname(rng: random.Random) -> str:
    """A random two-word name ('Brave Otter') for anonymous rooms; within MAX_NAME by construction."""
    return f"{rng.choice(ADJECTIVES)} {rng.choice(ANIMALS)}"
