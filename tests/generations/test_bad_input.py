"""Bad generation requests get a 4xx with a message a person can act on."""

from __future__ import annotations

import pytest

from tests.driver import bearer


@pytest.fixture(scope="module")
async def student(api):
    parent, _ = await api.parent()
    token, _ = await api.child(parent)
    return token


async def test_malformed_json_is_422(client, student):
    r = await client.post("/generations", content=b'{"kind": "explanation", ',
                          headers={**bearer(student), "content-type": "application/json"})
    assert r.status_code == 422
    assert "JSON" in r.text


@pytest.mark.parametrize("body", [
    {"kind": "poem", "chapter_id": 1},
    {"kind": "explanation", "chapter_id": "one"},
    {"kind": "explanation"},
    {"kind": "explanation", "chapter_id": 1, "topic": "x" * 201},
    {"kind": "explanation", "chapter_id": 1, "analogy": "   "},
    {"kind": "explanation", "chapter_id": 1, "grade": 13},
    {"kind": "questions", "chapter_id": 1, "count": 21},
    {"kind": "questions", "chapter_id": 1, "count": 0},
    {"kind": "explanation", "chapter_id": 1, "difficulty": "extreme"},
    [],
])
async def test_invalid_bodies_are_422(client, student, body):
    r = await client.post("/generations", json=body, headers=bearer(student))
    assert r.status_code == 422, r.text
    assert r.json()["detail"]


async def test_unknown_chapter_is_404(client, student):
    r = await client.post("/generations", json={"kind": "explanation", "chapter_id": 987654},
                          headers=bearer(student))
    assert r.status_code == 404
    assert r.json()["detail"] == "Chapter 987654 not found."


async def test_no_token_is_401(client):
    r = await client.post("/generations", json={"kind": "explanation", "chapter_id": 1})
    assert r.status_code == 401
