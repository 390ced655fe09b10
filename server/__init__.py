"""What one server process shares between its visitors, with no Streamlit: the store (boards and class rooms in SQL,
`server.store`) and the pure rules of a class room (`server.rooms`: codes, teacher keys, names, limits).
It may import mlp and lab, never streamlit or playground: the page calls it, not the reverse."""
