"""The HTTP API (and the MCP server): front ends over batchrag.service, beside the CLI and the app."""

from batchrag.api.routes import create_app

__all__ = ["create_app"]
