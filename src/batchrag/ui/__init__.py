"""The Streamlit reading room: chat over The Batch with cited sources and pictures."""
