"""Query rewriters: the interface (`base`), the cache, the LLM rewriter, the factories and the REWRITERS registry."""
