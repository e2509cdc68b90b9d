"""Reference design's entry point: runs `batchrag crawl` with the same arguments."""

import sys

from batchrag.cli import app

if __name__ == "__main__":
    sys.exit(app(["crawl", *sys.argv[1:]]))
