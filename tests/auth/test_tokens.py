"""Every bad-token case gets 401; roles and ownership hold; login is throttled."""

from __future__ import annotations

import base64
import json
import time

import jwt

from tests.conftest import TEST_SECRET
from tests.driver import bearer


def _b64(obj: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


async def test_missing_token_is_401(client):
    r = await client.get("/me")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"


async def test_garbage_token_is_401(client):
    assert (await client.get("/me", headers=bearer("not-a-jwt"))).status_code == 401


async def test_tampered_token_is_401(api, client):
    token, _ = await api.parent()
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["role"] = "admin"
    forged = f"{header}.{_b64(claims)}.{signature}"
    assert (await client.get("/me", headers=bearer(forged))).status_code == 401


async def test_alg_none_token_is_401(api, client):
    _, user_id = await api.parent()
    claims = {"sub": str(user_id), "role": "admin", "exp": int(time.time()) + 600}
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    assert (await client.get("/me", headers=bearer(unsigned))).status_code == 401


async def test_wrong_secret_token_is_401(api, client):
    _, user_id = await api.parent()
    token = jwt.encode({"sub": str(user_id), "role": "admin", "exp": int(time.time()) + 600},
                       "another-secret-" + "y" * 40, algorithm="HS256")
    assert (await client.get("/me", headers=bearer(token))).status_code == 401


async def test_expired_token_is_401(api, client):
    _, user_id = await api.parent()
    token = jwt.encode({"sub": str(user_id), "role": "parent", "exp": int(time.time()) - 5},
                       TEST_SECRET, algorithm="HS256")
    r = await client.get("/me", headers=bearer(token))
    assert r.status_code == 401
    assert "expired" in r.json()["detail"]


async def test_me_for_parent_and_student(api, client):
    parent_token, user_id = await api.parent()
    r = await client.get("/me", headers=bearer(parent_token))
    assert r.json()["id"] == user_id and r.json()["role"] == "parent"
    assert "password_hash" not in r.text
    student_token, profile_id = await api.child(parent_token, grade=5, name="Ada")
    me = (await client.get("/me", headers=bearer(student_token))).json()
    assert me == {"role": "student", "profile_id": profile_id, "display_name": "Ada",
                  "current_grade": 5}


async def test_register_conflict_and_validation(client):
    body = {"email": "twice@example.org", "password": "long-enough"}
    assert (await client.post("/auth/register", json=body)).status_code == 201
    r = await client.post("/auth/register", json=body)
    assert r.status_code == 409 and "already exists" in r.json()["detail"]
    r = await client.post("/auth/register", json={"email": "x@example.org", "password": "short"})
    assert r.status_code == 422
    r = await client.post("/auth/register", json={"email": "not-an-email", "password": "long-enough"})
    assert r.status_code == 422


async def test_wrong_credentials_same_message_whether_email_exists(api, client):
    await api.parent()
    r1 = await client.post("/auth/token", data={"username": "nobody@example.org", "password": "x"})
    r2 = await client.post("/auth/token", data={"username": "twice@example.org", "password": "wrong-pw"})
    assert r1.status_code == r2.status_code == 401
    assert r1.json() == r2.json()


async def test_login_throttled_after_ten_failures(client):
    body = {"email": "throttle@example.org", "password": "right-password"}
    assert (await client.post("/auth/register", json=body)).status_code == 201
    for _ in range(10):
        r = await client.post("/auth/token", data={"username": body["email"], "password": "nope"})
        assert r.status_code == 401
    r = await client.post("/auth/token", data={"username": body["email"], "password": "right-password"})
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 0
    assert "Too many failed logins" in r.json()["detail"]


async def test_student_on_admin_endpoint_is_403(api, client):
    parent_token, _ = await api.parent()
    student_token, _ = await api.child(parent_token)
    r = await client.post("/curriculum/import", json={"grades": [{"grade": 1, "subjects": []}]},
                          headers=bearer(student_token))
    assert r.status_code == 403
    r = await client.post("/curriculum/import", json={"grades": [{"grade": 1, "subjects": []}]},
                          headers=bearer(parent_token))
    assert r.status_code == 403


async def test_profile_token_for_someone_elses_child_is_404(api, client):
    parent_a, _ = await api.parent()
    parent_b, _ = await api.parent()
    _, child_of_a = await api.child(parent_a)
    r = await client.post("/auth/profile-token", headers=bearer(parent_b), json={"profile_id": child_of_a})
    assert r.status_code == 404


async def test_nul_in_login_is_plain_401(client):
    r = await client.post("/auth/token", data={"username": "a\x00b@example.org", "password": "x"})
    assert r.status_code == 401 and r.json()["detail"] == "Incorrect email or password."
