"""Text embedders: the interface (`base`), one module per built-in, and the TEXT_EMBEDDERS registry."""
