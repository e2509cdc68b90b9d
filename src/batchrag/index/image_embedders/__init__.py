"""Image embedders: the interface (`base`), one module per built-in, and the IMAGE_EMBEDDERS registry."""
