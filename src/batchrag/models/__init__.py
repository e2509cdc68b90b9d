"""Getting models: the presets, hub downloads, Ollama pulls, the local files that serve each role, the pull use
case and its background job (docs/models.md)."""
