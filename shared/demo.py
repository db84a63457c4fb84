"""Demo data for ``studyforge dev``: an admin, an operator, a parent with two children, and the
sample curriculum. Idempotent: running it again creates nothing new."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import repository as users
from shared.auth import service as auth
from shared.curriculum import service as curriculum
from shared.profiles import repository as profiles


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: str


DEMO_LOGINS = (
    DemoLogin("admin@studyforge.local", "admin-demo-pass", "admin"),
    DemoLogin("operator@studyforge.local", "operator-demo-pass", "operator"),
    DemoLogin("parent@studyforge.local", "parent-demo-pass", "parent"),
)
DEMO_CHILDREN = (("Maya", 4, {"color": "teal", "animal": "fox"}),
                 ("Leo", 5, {"color": "orange", "animal": "owl"}))


async def seed(session: AsyncSession) -> bool:
    """Create the demo accounts, children and curriculum if missing; True if anything was new."""
    created = False
    for login in DEMO_LOGINS:
        if await users.get_by_email(session, login.email) is None:
            await auth.register(session, email=login.email, password=login.password,
                                role=login.role)
            created = True
    parent = await users.get_by_email(session, DEMO_LOGINS[2].email)
    if not await profiles.list_for_parent(session, parent.id):
        for name, grade, avatar in DEMO_CHILDREN:
            await profiles.add(session, parent_id=parent.id, display_name=name,
                               current_grade=grade, avatar_config=avatar)
        created = True
    result = await curriculum.import_curriculum(
        session, curriculum.load_file(curriculum.SAMPLE_CURRICULUM)
    )
    return created or bool(result.created)
