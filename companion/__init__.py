"""companion: the student's companion to the lab, for a student's own solution rather than this engine's runs.

Two things a student brings, each checked against the engine:
- check a student's backprop: `gradcheck` compares the gradients in a student's check file (`checkfile` reads
  and validates it) with the exact ones, and `diagnose` says which classic mistake (`mistakes`) the numbers
  match, or where the error sits; ``python -m mlp check FILE`` and the page's Equations tab use it;
- read a student's training log: `studentlog` reads what a lab solution printed (`logparse` finds the lines)
  and says what its curve shows; the page's Log tab uses it.

It imports mlp and numpy (and the standard library) only: never lab, server, streamlit or playground.
"""
