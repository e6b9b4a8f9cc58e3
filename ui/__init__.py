"""Streamlit helpers shared by pages: session-state keys, empty states, error display.
No computation here: that is core's job."""
