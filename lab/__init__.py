"""lab: experiments on the engine, with no Streamlit: the one `Experiment` (settings, links, CLI flags),
the run record, live runs, sweeps and the report's presets, your own points, the lab's text and CLI. The
student's companion (checking a student's backprop, reading a student's training log) is its own package,
`companion`, a layer below: here only the CLI uses it.

It may import mlp, companion and the standard library (and numpy); never streamlit, altair, pandas or playground.
"""
