"""Thin entry point: `streamlit run app/ui/app.py` starts the packaged app (batchrag.ui.page)."""

from batchrag.ui.page import main

main()
