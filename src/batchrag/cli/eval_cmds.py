"""The eval command: retrieval metrics over a questions file, or with --answers the answers' own."""

from __future__ import annotations

from pathlib import Path

import typer

from batchrag.cli.shell import EMBEDDER_HELP, RERANKER_HELP, choices, dump, errors, fail, settings_with
from batchrag.evaluate.answers import run_answers
from batchrag.evaluate.nuggets import nuggets_path
from batchrag.evaluate.run import format_table, load_questions, load_rewrites, run_eval
from batchrag.service.choices import backend_choices, build_rewriter, rewriter_names
from batchrag.settings import Settings


def eval_cmd(
    questions: Path = typer.Argument(..., help="Questions JSONL (id, lang, kind, question, relevant)."),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics object (docs/contracts.md)."),
    k: int = typer.Option(10, "--k", help="Depth of the ranked lists (metrics use the top 10 at least)."),
    embedder: str | None = typer.Option(None, "--embedder", help=EMBEDDER_HELP),
    mode: str | None = typer.Option(None, "--mode", help="vector | bm25 | hybrid."),
    rewrites: Path | None = typer.Option(None, "--rewrites", help="JSON {question: english query}."),
    rewriter: str = typer.Option(
        "none", "--rewriter", help=f"{choices(rewriter_names())} (an LLM rewrite of each question)."
    ),
    reranker: str | None = typer.Option(None, "--reranker", help=RERANKER_HELP),
    answers: bool = typer.Option(
        False, "--answers", help="Measure the answers instead: language, citations, hint overlap, refusals, gate."
    ),
    backend: str | None = typer.Option(None, "--backend", help="With --answers: " + choices(backend_choices()) + "."),
    nuggets: Path | None = typer.Option(
        None, "--nuggets",
        help="With --answers: the asked facts as nuggets (JSONL); default bench/nuggets/<questions stem>.jsonl of "
        "the repository where it exists, else the nugget shares are null.",
    ),
    per_question: Path | None = typer.Option(
        None, "--per-question",
        help="Write one JSON line a question here: its rank and top hits with their signals (with --answers: its "
        "answer and metrics).",
    ),
) -> None:
    """Measure retrieval (recall@1/5/10, MRR@10, nDCG@10, latency) or, with --answers, the answers themselves."""
    s = settings_with(embedder=embedder, reranker=reranker)
    if not questions.exists():
        fail(f"no such file: {questions}")
    if answers:
        with errors():
            qs = load_questions(questions)
        _eval_answers(qs, s, backend, per_question, as_json, nuggets_path(questions, nuggets))
        return
    with errors():
        qs = load_questions(questions)
        rw = load_rewrites(rewrites) if rewrites else None
        rewriter_obj = build_rewriter(rewriter, s) if rw is None else None
        out = per_question.open("w", encoding="utf-8") if per_question else None
        try:
            res = run_eval(qs, s, k=k, mode=mode, rewrites=rw, rewriter=rewriter_obj, rewriter_name=rewriter,
                           on_question=(lambda row: out.write(dump(row) + "\n")) if out else None)
        finally:
            if out:
                out.close()
    typer.echo(dump(res) if as_json else format_table(res))


def _eval_answers(qs: list[dict], s: Settings, backend: str | None, per_question: Path | None, as_json: bool,
                  nuggets: Path | None) -> None:
    out = per_question.open("w", encoding="utf-8") if per_question else None
    try:
        with errors():
            res = run_answers(qs, s, backend=backend, nuggets_file=nuggets,
                              on_answer=(lambda row: out.write(dump(row) + "\n")) if out else None)
    finally:
        if out:
            out.close()
    if as_json:
        typer.echo(dump(res))
        return
    c = res["config"]
    typer.echo(f"backend={c['backend']} model={c['model']} embedder={c['embedder']} k={c['k']}")
    for lang, m in res["answers"].items():
        typer.echo(f"{lang:<4}" + "  ".join(f"{k}={'-' if v is None else dump(v)}" for k, v in m.items()))
