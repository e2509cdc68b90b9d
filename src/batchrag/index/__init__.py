"""Index stage: chunk stored articles, embed them, keep LanceDB tables in sync with the store."""
