"""Imports every model so ``Base.metadata`` is complete (Alembic, tests)."""

from shared.ai.models import ModelRoute, PromptTemplate
from shared.auth.models import User
from shared.content.models import ContentBlock, Question
from shared.curriculum.models import Chapter
from shared.db import Base
from shared.grading.models import Submission
from shared.jobs.models import Job
from shared.profiles.models import Profile
from shared.progress.models import StudentProgress

__all__ = [
    "Base",
    "Chapter",
    "ContentBlock",
    "Job",
    "ModelRoute",
    "Profile",
    "PromptTemplate",
    "Question",
    "StudentProgress",
    "Submission",
    "User",
]
