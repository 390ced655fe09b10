"""The Class tab and the projector's page: a class's runs on one live board, kept in the store.

A teacher presses **Start a class**: a room with a short code (``?room=CODE``, for the projector, with a QR
code) and a teacher link that carries a secret key (``?room=CODE&key=…``; the store keeps only its hash,
compared in constant time). Students open the join link, see which class they are in, and **Send to
class** the run on screen under **Your name** (a random two-word nickname to start with). The board —
the Class tab, and ``?room=CODE&view=board`` on the projector — refreshes itself every few seconds from a
reading shared by the whole process (`server.boards`). The teacher sets the task (a link, lesson mode
included) and a one-line challenge, hides names, removes an entry, locks sending, clears the room and
downloads every entry. Text a visitor typed is shown as plain text; a store that cannot be reached, an
unknown or expired code and a wrong key each get a notice, and the page goes on without the class.

By who it serves: `link` (the class the address bar names, and the task it brings), `actions` (what the
buttons do), `tab` (the Class tab: `teacher`'s or `student`'s panel above the board), `projector` (the
projector's page), `join` (the code, link and QR code students join by), `board` (the class board itself).
"""

from playground.sections.classroom.banner import banner
from playground.sections.classroom.lesson import take_task
from playground.sections.classroom.link import enter, place
from playground.sections.classroom.projector import projector
from playground.sections.classroom.tab import section

__all__ = ["banner", "enter", "place", "projector", "section", "take_task"]
