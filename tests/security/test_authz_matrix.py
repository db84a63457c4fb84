"""Every endpoint x role x owner/non-owner, generated from the route table.

A new endpoint is covered automatically: it must either be listed as public, or answer 401 to
an anonymous caller; roles its guard does not admit must get 403; and a path parameter that
names something owned by a family must be known to ``OWNED`` (the test fails otherwise), so that
another family gets 404 for it.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from shared.content.models import ContentBlock, Question
from shared.db import create_engine, session_factory
from tests.driver import bearer

PUBLIC = {("POST", "/api/v1/auth/register"), ("POST", "/api/v1/auth/token")}
# Path parameters that name another family's data, and parameters that name shared data.
OWNED = {"profile_id", "job_id", "submission_id"}
SHARED = {"chapter_id", "report", "name", "task", "question_id", "batch_id", "content_block_id"}
# Values for shared parameters that no family fixture provides (``name``: a queue).
SHARED_VALUES = {"report": "daily-active", "name": "default", "task": "explanation", "batch_id": 1,
                 "content_block_id": 1}
ROLES = ("student", "parent", "operator", "admin")


def _walk(routes, prefix: str = ""):
    # FastAPI 0.16x keeps included routers as branches; descend into them.
    for route in routes:
        if hasattr(route, "original_router"):
            yield from _walk(route.original_router.routes, prefix + (route.include_context.prefix or ""))
        elif isinstance(route, APIRoute):
            yield prefix + route.path, route


def _api_routes(app) -> list[tuple[str, str, APIRoute]]:
    out = []
    for path, route in _walk(app.routes):
        if path.startswith("/api/v1"):
            for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
                out.append((method, path, route))
    # The walk must see exactly what the published schema lists, or this test would be blind.
    published = {(m.upper(), p) for p, ops in app.openapi()["paths"].items() for m in ops
                 if p.startswith("/api/v1")}
    assert {(m, p) for m, p, _ in out} == published
    return out


def _allowed_roles(route: APIRoute) -> set[str] | None:
    """The roles a ``require_roles`` guard admits (None: any authenticated caller)."""
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        call = dep.call
        if getattr(call, "__qualname__", "").startswith("require_roles.<locals>.guard"):
            cell = dict(zip(call.__code__.co_freevars, call.__closure__, strict=True))["roles"]
            return set(cell.cell_contents)
        stack.extend(dep.dependencies)
    return None


@pytest.fixture(scope="module")
async def families(api, client):
    """Two families (a parent and a child each), a shared chapter, and family A's job."""
    fams = {}
    for name in ("a", "b"):
        parent, _ = await api.parent()
        student, profile_id = await api.child(parent)
        fams[name] = {"parent": parent, "student": student, "profile_id": profile_id}
    chapter_id = await api.chapter_id()
    r = await client.post("/generations", headers=bearer(fams["a"]["student"]),
                          json={"kind": "explanation", "chapter_id": chapter_id})
    fams["a"]["job_id"] = r.json()["job_id"]
    # A published question (shared) and family A's answer to it (owned).
    engine = create_engine(api.settings)
    async with session_factory(engine)() as session:
        block = ContentBlock(chapter_id=chapter_id, type="questions", content_json={},
                             ai_model_used="test/fixture", status="approved")
        session.add(block)
        await session.flush()
        question = Question(content_block_id=block.id, type="mcq", question_text="1 + 1?",
                            options=["2", "3"], difficulty="easy",
                            correct_answer={"index": 0, "text": "2", "explanation": ""})
        session.add(question)
        await session.commit()
        fams["a"]["question_id"] = question.id
    await engine.dispose()
    r = await client.post(f"/questions/{fams['a']['question_id']}/answers",
                          headers=bearer(fams["a"]["student"]), json={"answer": 0})
    assert r.status_code == 200, r.text
    fams["a"]["submission_id"] = r.json()["submission_id"]
    fams["chapter_id"] = chapter_id
    return fams


def _path(path: str, values: dict) -> str:
    def fill(match):
        name = match.group(1)
        assert name in OWNED | SHARED, f"{path}: add {name!r} to OWNED or SHARED in this test"
        return str(values[name] if name in values else SHARED_VALUES[name])
    return re.sub(r"{(\w+)}", fill, path)


async def test_anonymous_gets_401_everywhere_but_public(app, client, families):
    values = {**families["a"], "chapter_id": families["chapter_id"]}
    for method, path, _ in _api_routes(app):
        if (method, path) in PUBLIC:
            continue
        r = await client.request(method, _path(path, values).removeprefix("/api/v1"))
        assert r.status_code == 401, (method, path, r.status_code)


async def test_roles_outside_the_guard_get_403(app, client, api, families):
    tokens = {"student": families["a"]["student"], "parent": families["a"]["parent"],
              "admin": api.admin_token}
    values = {**families["a"], "chapter_id": families["chapter_id"]}
    checked = 0
    for method, path, route in _api_routes(app):
        allowed = _allowed_roles(route)
        if allowed is None or (method, path) in PUBLIC:
            continue
        for role, token in tokens.items():
            if role in allowed:
                continue
            r = await client.request(method, _path(path, values).removeprefix("/api/v1"),
                                     headers=bearer(token), json={})
            assert r.status_code == 403, (role, method, path, r.status_code)
            checked += 1
    assert checked > 0


async def test_another_family_gets_404_for_owned_resources(app, client, families):
    a, b = families["a"], families["b"]
    values = {**a, "chapter_id": families["chapter_id"]}
    checked = 0
    for method, path, route in _api_routes(app):
        params = set(re.findall(r"{(\w+)}", path))
        if not params & OWNED:
            continue
        allowed = _allowed_roles(route)
        for role in ("parent", "student"):
            if allowed is not None and role not in allowed:
                continue
            body = {} if method in ("PATCH", "PUT", "POST") else None
            r = await client.request(method, _path(path, values).removeprefix("/api/v1"),
                                     headers=bearer(b[role]), json=body)
            assert r.status_code == 404, (role, method, path, r.status_code, r.text)
            checked += 1
    assert checked >= 5


async def test_no_secret_fields_in_any_get(app, client, api, families):
    values = {**families["a"], "chapter_id": families["chapter_id"]}
    a = families["a"]
    for method, path, _route in _api_routes(app):
        # Event streams stay open until their job ends; their bodies are the JSON checked here.
        if method != "GET" or path.endswith("/events"):
            continue
        for token in (a["student"], a["parent"], api.admin_token):
            r = await client.get(_path(path, values).removeprefix("/api/v1"), headers=bearer(token))
            assert "password_hash" not in r.text, path
            if token == a["student"]:
                assert "correct_answer" not in r.text, path
