"""The `batchrag` command line, shaped like the pipeline: crawl | index | search | ask | eval | serve.

It parses arguments, calls the application layer (batchrag.service) and prints; every BatchragError
becomes one `error: …` line and exit code 1. One module per command group; here, their order in `--help`.
"""

from __future__ import annotations

import typer

from batchrag.cli import (
    ask_cmds,
    conversation_cmds,
    eval_cmds,
    feedback_cmds,
    issue_cmds,
    keys_cmds,
    library_cmds,
    model_cmds,
    server_cmds,
)
from batchrag.cli.shell import errors
from batchrag.settings import get_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Question answering over The Batch, locally.")


@app.callback()
def _read_settings() -> None:
    # Before any command: a bad BATCHRAG_* value is one `error: …` line naming the variable, not a traceback.
    with errors():
        get_settings()

for _name, _command in [
    ("export", library_cmds.export_cmd), ("import", library_cmds.import_cmd), ("stats", library_cmds.stats_cmd),
    ("crawl", library_cmds.crawl_cmd), ("index", library_cmds.index_cmd), ("caption", library_cmds.caption_cmd),
    ("search", ask_cmds.search_cmd), ("eval", eval_cmds.eval_cmd), ("ask", ask_cmds.ask_cmd),
    ("digest", issue_cmds.digest_cmd), ("timeline", issue_cmds.timeline_cmd),
    ("demo", library_cmds.demo_cmd), ("serve", server_cmds.serve_cmd), ("api", server_cmds.api_cmd),
    ("mcp", server_cmds.mcp_cmd), ("feedback", feedback_cmds.feedback_cmd),
]:
    app.command(_name)(_command)

model_app = typer.Typer(no_args_is_help=True, help="The LLM that answers: which one, and whether it is capable.")
model_app.command("status")(model_cmds.model_status_cmd)
model_app.command("list")(model_cmds.model_list_cmd)
model_app.command("pull")(model_cmds.model_pull_cmd)
app.add_typer(model_app, name="model")

keys_app = typer.Typer(no_args_is_help=True, help="API keys of a team server: who may call `batchrag api`.")
keys_app.command("create")(keys_cmds.keys_create_cmd)
keys_app.command("list")(keys_cmds.keys_list_cmd)
keys_app.command("revoke")(keys_cmds.keys_revoke_cmd)
app.add_typer(keys_app, name="keys")

conversations_app = typer.Typer(no_args_is_help=True, help="Kept conversations: list, show, export (md | html), delete.")
for _name, _command in [
    ("list", conversation_cmds.list_cmd), ("show", conversation_cmds.show_cmd),
    ("export", conversation_cmds.export_cmd), ("rename", conversation_cmds.rename_cmd),
    ("delete", conversation_cmds.delete_cmd),
]:
    conversations_app.command(_name)(_command)
app.add_typer(conversations_app, name="conversations")
