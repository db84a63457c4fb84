"""Test driver: creates accounts, children and tokens through the real API (and CLI service)."""

from __future__ import annotations

import uuid

import httpx

from shared.config import Settings
from shared.curriculum.service import SAMPLE_CURRICULUM, load_file


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class ApiDriver:
    def __init__(self, client: httpx.AsyncClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self.admin_token = ""

    async def bootstrap(self) -> None:
        """An admin (created as `studyforge create-user` does) and the sample curriculum."""
        from shared.auth import service
        from shared.db import create_engine, session_factory, session_scope

        email = f"admin-{uuid.uuid4().hex[:8]}@example.org"
        engine = create_engine(self.settings)
        async with session_scope(session_factory(engine), None) as session:
            await service.register(session, email=email, password="admin-password", role="admin")
        await engine.dispose()
        self.admin_token = await self.login(email, "admin-password")
        body = load_file(SAMPLE_CURRICULUM).model_dump()
        r = await self.client.post("/curriculum/import", json=body, headers=bearer(self.admin_token))
        assert r.status_code == 200, r.text

    async def login(self, email: str, password: str) -> str:
        r = await self.client.post("/auth/token", data={"username": email, "password": password})
        assert r.status_code == 200, r.text
        return r.json()["access_token"]

    async def parent(self) -> tuple[str, int]:
        """A new parent account: (token, user id)."""
        email = f"parent-{uuid.uuid4().hex[:8]}@example.org"
        r = await self.client.post("/auth/register", json={"email": email, "password": "pw-12345678"})
        assert r.status_code == 201, r.text
        return await self.login(email, "pw-12345678"), r.json()["id"]

    async def child(self, parent_token: str, grade: int = 4, name: str = "Sam") -> tuple[str, int]:
        """A child profile under that parent: (student token, profile id)."""
        r = await self.client.post("/profiles", headers=bearer(parent_token),
                                   json={"display_name": name, "current_grade": grade})
        assert r.status_code == 201, r.text
        profile_id = r.json()["id"]
        r = await self.client.post("/auth/profile-token", headers=bearer(parent_token),
                                   json={"profile_id": profile_id})
        assert r.status_code == 200, r.text
        return r.json()["access_token"], profile_id

    async def chapter_id(self, grade: int = 4, subject: str = "Math") -> int:
        r = await self.client.get("/curriculum", params={"grade": grade, "subject": subject},
                                  headers=bearer(self.admin_token))
        assert r.status_code == 200 and r.json(), r.text
        return r.json()[0]["id"]
