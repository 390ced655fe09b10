"""Experiments on the engine, with no Streamlit: checks and analyses a student runs against `mlp`.

Modules here may import mlp, never streamlit or playground.
"""
