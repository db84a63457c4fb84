"""Each real SDK against the fake server: structured output, schema sent, tokens, cost."""

from __future__ import annotations

import pytest

from pipelines.ai.chain import run_task
from shared.ai.outputs import json_schema
from shared.ai.service import default_config
from shared.streams import AI_HISTORY_FIELDS
from tests.ai.helpers import EXPLAIN, GOOD_EXPLANATION, chain, history

CASES = [
    ("openai", "gpt-4.1-mini"),
    ("gemini", "gemini-2.5-flash"),
    ("ollama", "llama3.2"),
]


def _schema_sent(api: str, body: dict) -> dict:
    if api == "openai":
        assert body["response_format"]["type"] == "json_schema"
        return body["response_format"]["json_schema"]["schema"]
    if api == "gemini":
        assert body["generationConfig"]["responseMimeType"] == "application/json"
        return body["generationConfig"]["responseJsonSchema"]
    return body["format"]


@pytest.mark.parametrize(("api", "model"), CASES)
async def test_structured_output_through_each_sdk(api, model, fake_llm, ai_settings, redis):
    fake_llm.script(api, _ok(GOOD_EXPLANATION, usage=(321, 123)))
    result = await run_task(
        "explanation", EXPLAIN, redis=redis, settings=ai_settings,
        config=default_config(ai_settings), route=chain((api, model)), job_id="job-1",
    )
    assert result.data == GOOD_EXPLANATION
    assert (result.provider, result.model) == (api, f"{api}/{model}")
    assert result.template_version == 1

    [request] = fake_llm.requests
    assert request["model"] == model
    assert _schema_sent(api, request["body"]) == json_schema("explanation")
    # The seed's template, filled in: "Explain {topic} to a {grade} grader using {analogy}."
    assert "Explain Fractions to a 4th grader using pizza." in str(request["body"])

    [record] = await history(redis)
    assert tuple(record) == AI_HISTORY_FIELDS
    assert record["status"] == "ok" and record["attempt"] == 1
    assert (record["input_tokens"], record["output_tokens"]) == (321, 123)
    assert (record["job_id"], record["provider"], record["model_name"]) == ("job-1", api, model)
    assert record["raw_response"] and "Fractions with pizza" in record["raw_response"]
    if api == "ollama":
        assert record["cost"] is None  # no price table for local models: unknown, not $0
        assert result.cost_usd is None
    else:
        assert record["cost"] > 0
        assert result.cost_usd == record["cost"]


async def test_unpriced_model_records_unknown_cost(fake_llm, ai_settings, redis):
    result = await run_task(
        "explanation", EXPLAIN, redis=redis, settings=ai_settings,
        config=default_config(ai_settings), route=chain(("openai", "my-finetune-xyz")),
    )
    [record] = await history(redis)
    assert record["input_tokens"] == 120 and record["cost"] is None
    assert result.cost_usd is None


async def test_offline_answers_every_task_labelled_and_free(ai_settings, redis):
    config = default_config(ai_settings)
    variables = {
        "explanation": EXPLAIN,
        "questions": {**EXPLAIN, "topics": ["Halves", "Quarters"], "count": 4},
        "distractors": {"question": "What is 3 + 4?", "correct_answer": "7", "count": 3},
        "grading": {"question": "What is a fraction?", "student_answer": "part of a whole",
                    "reference_answer": "A fraction is a part of a whole."},
    }
    for task, values in variables.items():
        result = await run_task(task, values, redis=redis, settings=ai_settings, config=config,
                                route=chain(("offline", "template-v1")))
        assert result.model == "offline/template-v1"
        assert result.cost_usd == 0.0
    records = await history(redis)
    assert [r["task"] for r in records] == list(variables)
    assert all(r["cost"] == 0.0 and r["status"] == "ok" for r in records)


def _ok(content, usage=(120, 80)):
    from tests.fakes.llm_server import Behaviour

    return Behaviour(content=content, usage=usage)
