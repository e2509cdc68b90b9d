"""Reference design's entry point: runs `batchrag index` with the same arguments."""

import sys

from batchrag.cli import app

if __name__ == "__main__":
    sys.exit(app(["index", *sys.argv[1:]]))
