"""Asking commands: search (ranked stories or pictures, no LLM) and ask (an answer with numbered sources)."""

from __future__ import annotations

from datetime import datetime

import typer

from batchrag.cli.shell import EMBEDDER_HELP, RERANKER_HELP, choices, dump, errors, fail, settings_with
from batchrag.domain.types import Answer, to_jsonable
from batchrag.service import PICTURE_QUESTION_UK, AskRequest, Assistant, Questions, ask_request
from batchrag.service.assistant import load_retriever
from batchrag.service.choices import backend_choices
from batchrag.service.wording import day, reader_notes, relevance_note
from batchrag.settings import get_settings


def search_cmd(
    question: str = typer.Argument(..., help="The question (any language)."),
    k: int = typer.Option(5, "--k", help="Results to show."),
    images: bool = typer.Option(False, "--images", help="Search pictures instead of stories."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    mode: str | None = typer.Option(None, "--mode", help="vector | bm25 | hybrid (default: settings)."),
    embedder: str | None = typer.Option(None, "--embedder", help=EMBEDDER_HELP),
    english: str | None = typer.Option(None, "--english", help="An English rewrite of the question, fused in."),
    reranker: str | None = typer.Option(None, "--reranker", help=RERANKER_HELP),
) -> None:
    """Search the index (no LLM, no rewrite): ranked articles, or pictures with --images."""
    with errors():
        settings = settings_with(embedder=embedder)  # the index's embedder: configuration, it must match the index
        # The reranker is a reader's choice: handed to the retriever, never a settings copy.
        assistant = Assistant(settings, make_retriever=lambda: load_retriever(settings, reranker))
        if images:
            found = assistant.search_images(question, k=k, english=english)
        else:
            found = assistant.search(question, k=k, mode=mode, english=english, rewrite=False, pictures=0).hits
    if as_json:
        typer.echo(dump(found))
        return
    # The scores in --json are fused rank scores, meaningless to a reader: the listing says how close a story's
    # best passage is to the question in words (docs/decisions/0012-readable-relevance.md), pictures in order only.
    for n, h in enumerate(found, 1):
        if images:
            typer.echo(f"{n}. {h.url}\n   {h.alt[:100]}\n   from: {h.article_title}")
        else:
            note = relevance_note(h.scores, assistant.settings)
            typer.echo(f"{n}. [{h.issue}] {h.title}  {day(h.date)}" + (f"  ({note})" if note else "")
                       + f"\n   {h.url}")


def ask_cmd(
    question: str | None = typer.Argument(
        None, help="The question, in Ukrainian (or any language); with --picture it defaults to «Що показує це "
        "зображення?»."),
    as_json: bool = typer.Option(False, "--json", help="Print the answer object (docs/contracts.md) instead of streaming."),
    backend: str | None = typer.Option(None, "--backend", help=choices(backend_choices()) + "."),
    model: str | None = typer.Option(None, "--model", help="The Ollama model (for ollama, and auto when it picks "
                                     "ollama; default: settings)."),
    k: int | None = typer.Option(None, "--k", help="Sources given to the model."),
    mode: str | None = typer.Option(None, "--mode", help="vector | bm25 | hybrid (default: settings)."),
    reranker: str | None = typer.Option(None, "--reranker", help=RERANKER_HELP),
    date_from: datetime | None = typer.Option(None, "--from", formats=["%Y-%m-%d"], help="Only stories from this "
                                              "day on (YYYY-MM-DD)."),
    date_to: datetime | None = typer.Option(None, "--to", formats=["%Y-%m-%d"], help="Only stories up to this day."),
    tags: list[str] | None = typer.Option(None, "--tag", help="Only stories with this tag (repeat for more)."),
    picture: str | None = typer.Option(
        None, "--picture", help="Ask about this picture (its URL, or its file under data/images/): a model that can "
        "see is shown it, beside its story."),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Also print the diagnostics (which backend answered and why, the searched "
        "query, the gate's reasons) to stderr."),
    conversation: str | None = typer.Option(
        None, "--conversation", "-c", help="Go on in this kept conversation (`batchrag conversations list`): its "
        "turns are the history, and the answer is kept as its next turn."),
    keep: bool = typer.Option(False, "--keep", help="Keep the answer as a new conversation (as the app does)."),
) -> None:
    """Answer a question from the library (or about one picture of it), in Ukrainian, with numbered citations to its
    sources."""
    if question is None and picture is None:
        fail("give a question (or --picture with an optional question)")
    with errors():
        # Every choice is checked here, once (a wrong backend name fails before any search).
        request = ask_request(question=question or PICTURE_QUESTION_UK, conversation_id=conversation, k=k, mode=mode,
                              reranker=reranker, backend=backend, model=model, tags=tags or None,
                              date_from=date_from.date() if date_from else None,
                              date_to=date_to.date() if date_to else None)
        questions = Questions(get_settings())
        if (conversation or keep) and not questions.conversations.enabled:
            typer.secho("warning: history is off (store.keep_history): the answer is not kept", err=True,
                        fg=typer.colors.YELLOW)
        # A model whose text is no answer (the demo model) is not streamed: only what passes is printed.
        stream = not as_json and questions.assistant_for(request).writes_answers
        final = None
        items = answer_items(questions, request, picture, question, keep)
        for item in items:
            if isinstance(item, Answer):
                final = item
            elif stream:
                typer.echo(item, nl=False)
    show(final, items, as_json=as_json, streamed=stream, verbose=verbose)


def show(final: Answer, items, *, as_json: bool, streamed: bool, verbose: bool) -> None:
    """The finished answer: its JSON (with where it was kept), or what was not streamed, its sources and notes."""
    turn = getattr(items, "turn", None)
    if turn is None and getattr(items, "error", None):
        typer.secho(f"warning: the answer was not kept: {items.error}", fg=typer.colors.YELLOW, err=True)
    if as_json:
        ids = {"conversation_id": turn.conversation_id, "answer_id": turn.id} if turn else {}
        offer = getattr(items, "followups", None)  # a question about one picture has none
        more = {"followups": [f.to_json() for f in offer()]} if offer else {}
        typer.echo(dump({**to_jsonable(final), **ids, **more} if ids or more else final, indent=2))
        for w in final.warnings:
            if w.startswith("auto: "):  # the one line that says why another backend answered
                typer.secho(f"warning: {w}", fg=typer.colors.YELLOW, err=True)
        return
    if not streamed:
        typer.echo(final.answer, nl=False)
    print_sources(final)
    if turn is not None:
        typer.secho(f"kept: conversation {turn.conversation_id}, answer {turn.id} (`batchrag ask -c "
                    f"{turn.conversation_id} …` goes on in it; `batchrag feedback {turn.id} up|down` rates it)",
                    dim=True, err=True)
    for note in reader_notes(final):
        typer.secho(note, fg=typer.colors.YELLOW, err=True)
    if verbose:
        for w in final.warnings:
            typer.secho(f"warning: {w}", fg=typer.colors.YELLOW, err=True)
        line = f"backend: {final.backend} ({final.model}); query: {final.searched_query!r}; rewrite: {final.rewrite}"
        typer.secho(line, dim=True, err=True)


def answer_items(questions: Questions, request: AskRequest, picture: str | None, question: str | None, keep: bool):
    """The answer's pieces, through the one door (`Questions.ask`); a question about one picture has no search.
    Kept when asked (`--keep`, `-c`) as a turn whose id the result's `turn` then gives."""
    if not picture:
        return questions.ask(request, keep=keep)  # an unknown conversation fails here, before the search
    kept = questions.conversations if (keep or request.conversation_id) and questions.conversations.enabled else None
    items = questions.assistant_for(request).picture_stream(picture, question)
    return kept.record(request.conversation_id, request.question, items) if kept is not None else items


def print_sources(final: Answer) -> None:
    """The numbered sources under an answer, in the reader's language (titles and links as the site has them)."""
    typer.echo("\n\nДжерела:")
    for s in final.sources:
        mark = "*" if s.cited else " "
        meta = ", ".join(x for x in (day(s.date), f"випуск №{s.issue}" if s.issue is not None else "") if x)
        note = f" · {s.relevance}" if s.relevance else ""
        typer.echo(f"{mark}[{s.n}] {s.title}" + (f" ({meta})" if meta else "") + f"{note}\n     {s.url}")
        if s.picture:
            typer.echo(f"     {s.picture}")
