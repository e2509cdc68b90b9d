"""Thin entry point: `streamlit run app/ui/app.py` starts the packaged app (batchrag.ui.app)."""

from batchrag.ui.app import main

main()
