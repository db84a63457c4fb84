"""A parent's children: CRUD, validation, and nobody else's children."""

from __future__ import annotations

from tests.driver import bearer


async def test_crud_under_a_parent(api, client):
    token, user_id = await api.parent()
    r = await client.post("/profiles", headers=bearer(token),
                          json={"display_name": " Zoe ", "current_grade": 0,
                                "avatar_config": {"color": "red"}})
    assert r.status_code == 201
    profile = r.json()
    assert profile["parent_id"] == user_id and profile["display_name"] == "Zoe"
    assert profile["current_grade"] == 0 and profile["avatar_config"] == {"color": "red"}

    listed = (await client.get("/profiles", headers=bearer(token))).json()
    assert [p["id"] for p in listed] == [profile["id"]]

    r = await client.patch(f"/profiles/{profile['id']}", headers=bearer(token), json={"current_grade": 1})
    assert r.status_code == 200 and r.json()["current_grade"] == 1

    assert (await client.delete(f"/profiles/{profile['id']}", headers=bearer(token))).status_code == 204
    assert (await client.get(f"/profiles/{profile['id']}", headers=bearer(token))).status_code == 404


async def test_other_parents_profile_is_404_everywhere(api, client):
    owner, _ = await api.parent()
    stranger, _ = await api.parent()
    _, profile_id = await api.child(owner)
    for method, body in (("GET", None), ("PATCH", {"current_grade": 3}), ("DELETE", None)):
        r = await client.request(method, f"/profiles/{profile_id}", headers=bearer(stranger), json=body)
        assert r.status_code == 404, (method, r.text)
    assert (await client.get(f"/profiles/{profile_id}", headers=bearer(owner))).status_code == 200


async def test_student_reads_own_profile_only(api, client):
    parent, _ = await api.parent()
    maya_token, maya = await api.child(parent, name="Maya")
    _, leo = await api.child(parent, name="Leo")
    assert (await client.get(f"/profiles/{maya}", headers=bearer(maya_token))).status_code == 200
    assert (await client.get(f"/profiles/{leo}", headers=bearer(maya_token))).status_code == 404
    # A student cannot manage profiles.
    r = await client.post("/profiles", headers=bearer(maya_token),
                          json={"display_name": "X", "current_grade": 2})
    assert r.status_code == 403


async def test_bad_profile_input_is_422(api, client):
    token, _ = await api.parent()
    for body in ({"display_name": "A", "current_grade": 13}, {"display_name": "   ", "current_grade": 2},
                 {"display_name": "A", "current_grade": "two"}, {"current_grade": 2},
                 {"display_name": "A" * 81, "current_grade": 2}):
        r = await client.post("/profiles", headers=bearer(token), json=body)
        assert r.status_code == 422, body
    r = await client.get("/profiles/not-a-number", headers=bearer(token))
    assert r.status_code == 422


async def test_avatar_settings_may_hold_any_json_number(api, client):
    parent, _ = await api.parent()
    avatar = {"size": 2**70, "scale": 0.5}  # beyond 64 bits: orjson alone refused it (500)
    r = await client.post("/profiles", headers=bearer(parent),
                          json={"display_name": "Big", "current_grade": 3, "avatar_config": avatar})
    assert r.status_code == 201, r.text
    again = await client.get(f"/profiles/{r.json()['id']}", headers=bearer(parent))
    assert again.json()["avatar_config"] == avatar
