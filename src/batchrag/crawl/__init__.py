"""Crawl: fetch pages of The Batch (online or from saved files) and parse them into articles."""
