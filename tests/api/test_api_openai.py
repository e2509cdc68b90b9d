"""The OpenAI-compatible endpoint, through the real `openai` client against the running API."""

from __future__ import annotations

import openai
import pytest

Q = "Наскільки швидше тануть альпійські льодовики після 2010 року?"


@pytest.fixture
def oa(live):
    return openai.OpenAI(base_url=f"{live}/v1", api_key="unused", max_retries=0, timeout=60)


def test_models_lists_batchrag(oa):
    assert [m.id for m in oa.models.list()] == ["batchrag"]


def test_chat_answers_with_numbered_markdown_sources(oa):
    r = oa.chat.completions.create(model="batchrag", messages=[{"role": "user", "content": Q}])
    text = r.choices[0].message.content
    assert r.model == "batchrag" and r.choices[0].finish_reason == "stop"
    assert "**Джерела:**\n1. [" in text and "](http" in text
    assert "Satellites and Neural Nets Track Melting Glaciers" in text


def test_chat_streams_the_same_answer(oa):
    stream = oa.chat.completions.create(
        model="batchrag", stream=True, temperature=0.3,  # OpenAI's own fields are accepted and ignored
        messages=[{"role": "system", "content": "Відповідай коротко."}, {"role": "user", "content": Q}])
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert "**Джерела:**\n1. [" in text


def test_chat_follow_up_and_errors(oa):
    msgs = [{"role": "user", "content": Q}, {"role": "assistant", "content": "Удвічі [1]."},
            {"role": "user", "content": "А що з роботом-кухарем?"}]
    assert oa.chat.completions.create(model="batchrag", messages=msgs).choices[0].message.content
    with pytest.raises(openai.NotFoundError, match="batchrag"):
        oa.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": Q}])
    with pytest.raises(openai.BadRequestError, match="last message"):
        oa.chat.completions.create(model="batchrag", messages=[{"role": "assistant", "content": "x"}])
    with pytest.raises(openai.BadRequestError, match="empty"):
        oa.chat.completions.create(model="batchrag", messages=[{"role": "user", "content": "  "}])
