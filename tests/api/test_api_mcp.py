"""`batchrag mcp` over stdio, driven by the MCP SDK's own client."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tomllib
from pathlib import Path

Q = "Як робот навчився готувати їжу, спостерігаючи за кухарем?"


def payload(result):
    """A tool result's value: the structured content when given, else the JSON of its text."""
    assert not is_error(result), result.content
    sc = getattr(result, "structured_content", None) or getattr(result, "structuredContent", None)
    if sc is not None:
        return sc.get("result", sc)
    return json.loads(result.content[0].text)


async def session_run(settings):
    from mcp import StdioServerParameters
    from mcp.client.session import ClientSession
    from mcp.client.stdio import stdio_client

    env = {**os.environ, "BATCHRAG_DATA_DIR": str(settings.store.data_dir), "BATCHRAG_EMBEDDER": "use-m3",
           "BATCHRAG_LLM_BACKEND": "extractive", "BATCHRAG_REWRITE": "off"}
    params = StdioServerParameters(command=sys.executable, args=["-m", "batchrag.cli", "mcp"], env=env)
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = {t.name for t in (await session.list_tools()).tools}
        hits = payload(await session.call_tool("search_the_batch", {"query": Q, "k": 3}))
        art = payload(await session.call_tool("get_article", {"id": hits[0]["article_id"]}))
        ans = payload(await session.call_tool("ask_the_batch", {"question": Q}))
        missing = await session.call_tool("get_article", {"id": 999999})
        empty = await session.call_tool("ask_the_batch", {"question": " "})
        return tools, hits, art, ans, missing, empty


def is_error(result) -> bool:
    return bool(getattr(result, "is_error", None) or getattr(result, "isError", None))


def test_mcp_tools_over_stdio(api_settings):
    tools, hits, art, ans, missing, empty = asyncio.run(asyncio.wait_for(session_run(api_settings), 120))
    assert tools == {"search_the_batch", "get_article", "ask_the_batch"}
    assert len(hits) <= 3 and hits[0]["issue"] == 901
    assert art["title"] == hits[0]["title"] and art["text"]
    assert ans["backend"] == "extractive" and ans["sources"][0]["n"] == 1
    assert is_error(missing) and "no article 999999" in missing.content[0].text
    assert is_error(empty)


def test_mcp_has_its_own_script():
    # `batchrag-mcp` (pyproject) and `batchrag mcp` (above, as `python -m batchrag.cli mcp`) start the same server.
    from batchrag.api import mcp_server

    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    module, _, attr = pyproject["project"]["scripts"]["batchrag-mcp"].partition(":")
    assert module == mcp_server.__name__ and callable(getattr(mcp_server, attr))
