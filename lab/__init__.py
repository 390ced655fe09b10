"""lab: experiments on the engine, with no Streamlit: the one `Experiment` (settings, links, CLI flags),
the run record, live runs, sweeps and the report's presets, your own points, the lab's text and CLI, and
the lab companion (checking a student's gradients, reading a student's training log).

It may import mlp and the standard library (and numpy); never streamlit, altair, pandas or playground.
"""
