"""`python -m batchrag.cli`: the same command line as the `batchrag` script."""

from batchrag.cli import app

app()
