"""The Class tab and the projector's page: a class's runs on one live board, kept in the store.

A teacher presses **Start a class**: a room with a short code (``?room=CODE``, for the projector, with a QR
code) and a teacher link that carries a secret key (``?room=CODE&key=…``; the store keeps only its hash,
compared in constant time; the key leaves the address bar on the first load, a teacher's pass standing in,
and a new teacher link rotates it). Students open the join link, get an identity the server issued (``me=``,
signed for the class: a made-up or another class's is replaced), see which class they are in, and **Send to
class** the run on screen under **Your name** (a random two-word nickname to start with, kept with the
identity). The board — the Class tab, and ``?room=CODE&view=board`` on the projector — refreshes itself
every few seconds from a reading shared by the whole process (`server.boards`). The teacher sets the task (a
link, lesson mode included) and a one-line challenge, hides names, removes an entry (or a student's every
entry), locks sending, clears the room and downloads every entry (CSV cells that could start a formula
neutralised). Text a visitor typed is shown as
plain text; a store that cannot be reached, an unknown or expired code, a wrong key and an ended pass each get
a notice, and the page goes on without the class.

By who it serves: `link` (the class the address bar names, and the task it brings), `actions` (what the
buttons do), `tab` (the Class tab: `teacher`'s or `student`'s panel above the board), `projector` (the
projector's page), `join` (the code, link and QR code students join by), `board` (the class board itself),
`kept` (where classes are kept, when that is a file a host may lose).
"""

from playground.sections.classroom.banner import banner
from playground.sections.classroom.lesson import take_task
from playground.sections.classroom.link import enter, place
from playground.sections.classroom.projector import projector
from playground.sections.classroom.tab import section

__all__ = ["banner", "enter", "place", "projector", "section", "take_task"]
