"""batchrag: local, cross-lingual question answering over The Batch."""

__version__ = "0.1.0"
