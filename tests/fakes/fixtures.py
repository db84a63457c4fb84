"""Pytest fixtures for the fake LLM server; import them into a conftest to use them::

    from tests.fakes.fixtures import fake_llm, fake_llm_server  # noqa: F401

``fake_llm`` is the session's server, reset before each test (scripts, counters, latency 0).
"""

from __future__ import annotations

import pytest

from tests.fakes.llm_server import FakeLLM


@pytest.fixture(scope="session")
def fake_llm_server():
    with FakeLLM() as server:
        yield server


@pytest.fixture
def fake_llm(fake_llm_server: FakeLLM) -> FakeLLM:
    fake_llm_server.reset()
    fake_llm_server.set_latency(0.0)
    return fake_llm_server
