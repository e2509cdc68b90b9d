"""`batchrag mcp`: the library as MCP tools over stdio (the official SDK's MCPServer, FastMCP before mcp 2)."""

from __future__ import annotations

import logging

from batchrag.domain.errors import BatchragError
from batchrag.domain.types import to_jsonable
from batchrag.service import AskRequest, Library, Questions
from batchrag.settings import Settings, get_settings

INSTRUCTIONS = (
    "The Batch (DeepLearning.AI's newsletter) archive. search_the_batch finds articles for a question in any "
    "language; get_article reads one by its id; ask_the_batch answers in Ukrainian with numbered sources."
)


def build(settings: Settings):
    """The MCP server with its three tools, over one library (the retriever is loaded on the first call)."""
    # Imported here: the MCP SDK loads only for a server that runs.
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    server = MCPServer("batchrag", instructions=INSTRUCTIONS, log_level="WARNING")
    questions, library = Questions(settings), Library(settings)
    assistant = questions.assistant_for()  # the settings' own choices: search_the_batch and ask_the_batch share it

    def guarded(call):
        try:
            return call()
        except BatchragError as exc:  # the reader's one line, as the tool's error
            raise ToolError(str(exc)) from exc

    @server.tool()
    def search_the_batch(query: str, k: int = 5) -> list[dict]:
        """Articles of The Batch ranked for a query (any language): id, title, url, date, issue, best passage."""
        if not 1 <= k <= 50:
            raise ToolError("k must be between 1 and 50")
        q = guarded(lambda: assistant.prepare(query)).text
        hits = guarded(lambda: assistant.search(q, k=k, rewrite=False, pictures=0).hits)
        keep = ("article_id", "title", "url", "date", "issue", "section", "score", "text")
        return [{key: to_jsonable(getattr(h, key)) for key in keep} for h in hits]

    @server.tool()
    def get_article(id: int) -> dict:  # noqa: A002 - the tool's parameter name is its public API
        """One stored article by its id (from search_the_batch): title, url, date, issue, tags, full text."""
        found = guarded(lambda: library.article(id))
        if found is None:
            raise ToolError(f"no article {id}")
        return {k: v for k, v in to_jsonable(found).items() if k not in ("content_hash",)}

    @server.tool()
    def ask_the_batch(question: str) -> dict:
        """The answer in Ukrainian with numbered citations [n], and its sources (the `batchrag ask --json` object)."""
        return guarded(lambda: questions.ask(AskRequest(question=question)).answer()).to_json()

    return server


def run(settings: Settings) -> None:
    # stdout is the protocol: every log line goes to stderr, and only warnings.
    logging.basicConfig(level=logging.WARNING)
    build(settings).run("stdio")


def main() -> None:
    """The `batchrag-mcp` script (and `batchrag mcp`): serve over stdio; a BatchragError is one `error: …` line."""
    # Imported here: the script's own front end: typer only when it runs as `batchrag-mcp`.
    import typer

    try:
        run(get_settings())
    except BatchragError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise SystemExit(1) from None


if __name__ == "__main__":  # `python -m batchrag.api.mcp_server`, as `batchrag mcp` starts it
    main()
