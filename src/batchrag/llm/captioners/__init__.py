"""Picture captioners: the interface (`base`), one module per built-in, and the CAPTIONERS registry."""
