"""The salesdw dashboard: a thin Streamlit client of salesdw.services (`make dashboard`)."""
