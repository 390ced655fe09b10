"""Identities the server issues: tokens signed with a secret only the servers know (HMAC-SHA256), so a visitor
can hold one but cannot make one up, change one, or carry one into another class.

Two kinds, each bound to its room by what is signed:

- a *student's token*, ``<id>.<signature>`` (35 characters): who sends in one class. It lives in the student's
  address bar (``me=``), so a refresh keeps it; the store records it with the student's name when it is issued.
- a *teacher's pass*, ``<expires>.<signature>``: the teacher's page after the key has left the address bar. It
  signs the room's current key hash and an expiry, so it ends on its own and the moment the key is rotated.

The secret comes from the host (``PLAYGROUND_SECRET``, see `server.store.resolve_secret`) or is made once and kept
in the store, so every server on one store signs and checks alike. Signatures are compared with
`hmac.compare_digest` (no timing hint to someone forging one).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

MIN_SECRET = 32  # characters of a secret the host sets (a made one is 43: 256 random bits)
TEACHER_PASS_TTL = 12 * 3600  # seconds a teacher's pass lasts: a school day, then the teacher link again
_PART = r"[A-Za-z0-9_-]"
_STUDENT = re.compile(rf"({_PART}{{12}})\.({_PART}{{22}})")
_PASS = re.compile(rf"([0-9]{{1,12}})\.({_PART}{{22}})")


def new_secret() -> str:
    """256 random bits, URL-safe: what the store keeps when the host sets no secret."""
    return secrets.token_urlsafe(32)


def check_secret(secret: object, where: str) -> str:
    """The secret as given, or ValueError naming `where` it came from and what a secret must be."""
    if not isinstance(secret, str) or len(secret.strip()) < MIN_SECRET:
        raise ValueError(
            f"{where} must be a random string of at least {MIN_SECRET} characters "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')."
        )
    return secret.strip()


class Signer:
    """Issues and checks the tokens of one secret. Pure: no database, no clock (times are given)."""

    def __init__(self, secret: str):
        self._key = check_secret(secret, "The signing secret").encode("utf-8")

    def _sign(self, *parts: str) -> str:
        """128 bits of HMAC-SHA256 over the parts, URL-safe (22 characters). The parts never hold '|'."""
        digest = hmac.new(self._key, "|".join(parts).encode("utf-8"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:16]).decode("ascii").rstrip("=")

    def _matches(self, signature: str, *parts: str) -> bool:
        return hmac.compare_digest(signature.encode("ascii"), self._sign(*parts).encode("ascii"))

    def student(self, room: str) -> str:
        """A new student's token for `room` (a normalized room code)."""
        ident = secrets.token_urlsafe(9)
        return f"{ident}.{self._sign('student', room, ident)}"

    def is_student(self, room: str, token: object) -> bool:
        """Whether `token` is a student's token this secret signed for `room` (malformed: False)."""
        found = _STUDENT.fullmatch(token) if isinstance(token, str) else None
        return found is not None and self._matches(found[2], "student", room, found[1])

    def teacher_pass(self, room: str, key_hash: str, now: float) -> str:
        """A pass to `room`'s teacher controls, valid TEACHER_PASS_TTL seconds from `now` while `key_hash` is the
        room's key hash."""
        expires = str(int(now) + TEACHER_PASS_TTL)
        return f"{expires}.{self._sign('teacher', room, key_hash, expires)}"

    def is_teacher_pass(self, room: str, key_hash: str, token: object, now: float) -> bool:
        """Whether `token` is an unexpired pass this secret signed for `room` under its current `key_hash`."""
        found = _PASS.fullmatch(token) if isinstance(token, str) else None
        return found is not None and now < int(found[1]) and self._matches(found[2], "teacher", room, key_hash,
                                                                             found[1])
