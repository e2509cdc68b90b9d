"""Rerankers: the interface (`base`), one module per built-in, and the RERANKERS registry."""
