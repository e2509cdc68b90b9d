"""`batchrag eval --answers` over the fixture corpus with a scripted Ollama-format server and the embedded model."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from batchrag.cli import app
from batchrag.evaluate.answers import SHARES, hint_terms, run_answers
from batchrag.evaluate.run import load_questions
from batchrag.llm.prompts import NOT_FOUND_UK
from batchrag.settings import get_settings
from tests.support.ollama_wire import Reply, ScriptedOllama

KEYS = ["n", *SHARES, "first_token_p50_ms", "first_token_p95_ms", "total_p50_ms", "total_p95_ms", "letters"]


@pytest.fixture(scope="module")
def library(corpus, tmp_path_factory):
    return corpus.build(tmp_path_factory.mktemp("answers") / "data", "use-m3")


@pytest.fixture
def server():
    srv = ScriptedOllama().start()
    yield srv
    srv.stop()


def _settings(library, server):
    return library.with_changes(**{"ollama_host": server.url, "llm_backend": "ollama", "rewrite": "off"})


def test_every_key_and_what_the_machinery_guarantees(library, server, corpus):
    qs = [q for q in load_questions(corpus.QUESTIONS) if q["kind"] != "image"]
    answerable = [q for q in qs if q["relevant"]]
    unanswerable = [q for q in qs if not q["relevant"]]
    # A looping answer, a refusal, then cited answers (one citing a source that was not given).
    server.replies += [Reply(["Якісні навчальні заняття: [1]\n" * 6]), Reply([NOT_FOUND_UK])]
    server.default = Reply(["Ось відповідь із джерела [1] і ще [9]."])
    res = run_answers([answerable[0], unanswerable[0], *answerable[1:4]], _settings(library, server))
    assert res["config"]["backend"] == "ollama" and res["config"]["model"] == "llama3.1:8b"
    for lang in ("uk", "en", "all"):
        assert list(res["answers"][lang]) == KEYS
    a = res["answers"]["all"]
    assert a["n"] == 5 and a["gated"] == pytest.approx(1 / 5)  # the loop is caught
    assert a["refused"] == 1.0 and a["false_refusals"] == 0.0  # the refusal is recognised as one
    assert a["citations_valid"] == pytest.approx(2 / 5)  # the three answers citing [9] (given to no source) count
    assert 0 <= a["cited_relevant"] <= 1 and a["total_p50_ms"] > 0
    assert a["nuggets_carried"] is None and a["letters"] is None  # no nugget file: the nugget shares are null
    assert res["config"]["nuggets_file"] is None


def test_nuggets_judge_a_models_ukrainian_answer(library, server, corpus, tmp_path):
    qs = [q for q in load_questions(corpus.QUESTIONS) if q["kind"] == "text" and q["relevant"]][:3]
    # The same Ukrainian answer to each: a name in Cyrillic and a share with its Ukrainian unit word.
    server.default = Reply(["Джефф Маджонкальда сказав, що льодовики тануть на 20 відсотків швидше [1]."])
    entries = [
        {"id": qs[0]["id"], "nuggets": [{"text": "Jeff Maggioncalda", "kind": "name"}], "letter": True},
        {"id": qs[1]["id"], "nuggets": [{"text": "20%", "kind": "number"}, {"text": "Jeff Maggioncalda",
                                                                            "kind": "name"}], "letter": False},
        {"id": qs[2]["id"], "nuggets": [{"text": "2010", "kind": "number"}], "letter": True},  # not in the answer
    ]
    nuggets = tmp_path / "n.jsonl"
    nuggets.write_text("".join(json.dumps(e) + "\n" for e in entries))
    rows = []
    res = run_answers(qs, _settings(library, server), nuggets_file=nuggets, on_answer=rows.append)
    a = res["answers"]["all"]
    assert a["gated"] == 0.0  # the model's own answer is what was judged
    assert a["nuggets_carried"] == 0.6667 and a["number_nuggets_carried"] == 0.5
    assert a["letters"] == {"n": 2, "nuggets_carried": 0.5, "number_nuggets_carried": 0.0}
    assert [r["nuggets_carried"] for r in rows] == [1.0, 1.0, 0.0]
    assert [r["number_nuggets_carried"] for r in rows] == [None, 1.0, 0.0]
    assert res["config"]["nuggets_file"] == str(nuggets)


def test_cli_writes_per_question_records(library, server, corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("BATCHRAG_DATA_DIR", str(library.store.data_dir))
    monkeypatch.setenv("OLLAMA_HOST", server.url)
    monkeypatch.setenv("BATCHRAG_REWRITE", "off")
    monkeypatch.setenv("BATCHRAG_EMBEDDER", "use-m3")
    get_settings.cache_clear()
    server.default = Reply(["Льодовики тануть удвічі швидше [1]."])
    qfile = tmp_path / "q.jsonl"
    qfile.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in load_questions(corpus.QUESTIONS)[:3]))
    per = tmp_path / "per.jsonl"
    r = CliRunner().invoke(app, ["eval", str(qfile), "--answers", "--backend", "ollama", "--json",
                                 "--per-question", str(per)])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["answers"]["all"]["n"] == 3 and out["answers"]["all"]["citations_valid"] == 1.0
    rows = [json.loads(line) for line in per.read_text().splitlines()]
    assert len(rows) == 3 and {"question", "answer", "sources", "gated", "total_ms", "nuggets_carried"} <= set(rows[0])
    # --nuggets names the facts; a file that is not there is one line, before any question is asked
    bad = CliRunner().invoke(app, ["eval", str(qfile), "--answers", "--nuggets", str(tmp_path / "none.jsonl")])
    assert bad.exit_code != 0 and "no such nuggets file" in bad.output and "Traceback" not in bad.output
    nuggets = tmp_path / "n.jsonl"
    nuggets.write_text(json.dumps({"id": rows[0]["id"], "nuggets": [{"text": "2", "kind": "number"}],
                                   "letter": False}) + "\n")
    r = CliRunner().invoke(app, ["eval", str(qfile), "--answers", "--backend", "ollama", "--json",
                                 "--nuggets", str(nuggets)])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)["answers"]["all"]
    assert out["nuggets_carried"] == 0.0 and out["letters"] == {"n": 0, "nuggets_carried": None,
                                                                "number_nuggets_carried": None}


def test_the_embedded_model_runs_through_it(library, corpus):
    pytest.importorskip("llama_cpp")
    qs = [q for q in load_questions(corpus.QUESTIONS) if q["kind"] == "text"][:2]
    s = library.with_changes(**{"llm_backend": "embedded", "rewrite": "off", "llm_ctx": 2048,
                                   "llm_max_tokens": 48, "ollama_host": "http://127.0.0.1:9"})
    a = run_answers(qs, s)["answers"]["all"]
    # Whatever the 270M model writes, what is shown is checkable: its own cited answer or gated quotes.
    assert a["n"] == 2 and a["citations_valid"] == 1.0 and a["first_token_p50_ms"] is not None


def test_hint_terms_are_names_and_numbers():
    assert hint_terms("Pallas від Zentrix піднімає до 40 кг, GPT-4o — 2,5 рази") == {"pallas", "zentrix", "40", "gpt-4o", "2.5"}
