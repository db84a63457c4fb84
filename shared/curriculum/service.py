"""The curriculum: grades, subjects and chapters, imported as an idempotent upsert."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from shared import cache
from shared.curriculum import repository
from shared.curriculum.schemas import CurriculumImport, ImportResult
from shared.errors import AppError

SAMPLE_CURRICULUM = Path(__file__).with_name("sample_curriculum.yaml")


async def import_curriculum(session: AsyncSession, data: CurriculumImport) -> ImportResult:
    """Upsert chapters keyed by (grade, subject, chapter name); a repeat import changes nothing."""
    existing = await repository.by_key(session, {g.grade for g in data.grades})
    created = updated = 0
    changed: list[int] = []
    for grade in data.grades:
        for subject in grade.subjects:
            for index, chapter in enumerate(subject.chapters):
                key = (grade.grade, subject.name, chapter.name)
                row = existing.get(key)
                if row is None:
                    existing[key] = repository.add(
                        session, grade=grade.grade, subject=subject.name,
                        chapter_name=chapter.name, order_index=index, topics=chapter.topics,
                    )
                    created += 1
                elif row.order_index != index or list(row.topics or []) != chapter.topics:
                    row.order_index, row.topics = index, chapter.topics
                    changed.append(row.id)
                    updated += 1
    await session.flush()
    if created or updated:
        cache.invalidate(cache.CURRICULUM, *(cache.chapter_key(i) for i in changed))
    return ImportResult(created=created, updated=updated)


def load_file(path: Path) -> CurriculumImport:
    """Parse a curriculum file (YAML or JSON) into the import schema."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AppError(f"Cannot read {path}: {exc.strerror}") from None
    try:
        raw = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise AppError(f"{path} is not valid {path.suffix.lstrip('.').upper()}: {exc}") from None
    return CurriculumImport.model_validate(raw)
