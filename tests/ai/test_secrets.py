"""A provider that echoes the API key in its error: AI history never stores the key."""

from __future__ import annotations

import json

import pytest

from pipelines.ai.chain import ChainFailed, run_task
from shared.ai.service import default_config
from shared.streams import AI_HISTORY_STREAM
from tests.ai.helpers import EXPLAIN, chain
from tests.fakes.llm_protocols import Behaviour

KEY = "sk-proj-" + "Zx9" * 12


async def test_key_echoed_by_a_401_is_masked_in_history(fake_llm, make_settings, redis):
    settings = make_settings(openai_api_key=KEY)
    fake_llm.script("openai", Behaviour(status=401, message=f"Incorrect API key provided: {KEY}"))
    with pytest.raises(ChainFailed) as failed:
        await run_task("explanation", EXPLAIN, redis=redis, settings=settings,
                       config=default_config(settings), route=chain(("openai", "gpt-4.1-mini")),
                       job_id="secret-1")
    stored = json.dumps([json.loads(f[b"data"]) for _, f in await redis.xrange(AI_HISTORY_STREAM)])
    assert "Incorrect API key provided" in stored  # the error itself is kept...
    assert KEY not in stored and "***" in stored   # ...without the key
    assert KEY not in str(failed.value)
