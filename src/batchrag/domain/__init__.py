"""The domain at the bottom: the site's rules, the typed objects every stage passes on, the reader's errors."""
