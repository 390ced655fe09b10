"""playground: the Streamlit page, in three kinds: sections/ (each the only place that calls ``st.`` for its
part), charts/ (pure Altair builders), and state, session, shared and render (the session's keys and the
URL, the run on screen, what the process shares, render caches). It may import lab and mlp; never the reverse.
"""
