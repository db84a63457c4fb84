"""Batches: plan a grade's fan-out, start it, read it, cancel it, retry its failures.

Services flush, never commit. The feeder (``shared.batches.feeding``, run by the
``batches.feed`` actor) creates the generation jobs a few at a time; these functions only
create the batch and its items and send the feeder off after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth.tokens import Principal
from shared.batches import estimate, repository
from shared.batches.generation import QUEUE
from shared.batches.models import Batch
from shared.batches.schemas import BatchIn, BatchOut, BatchPlan
from shared.config import Settings
from shared.db import utcnow
from shared.errors import AppError, Conflict, NotFound
from shared.generations.service import TEMPLATE_VERSION
from shared.queue import enqueue, on_commit

SUPPORTED_KINDS = tuple(TEMPLATE_VERSION)

FEED_ACTOR = "batches.feed"


def channel(batch_id: int) -> str:
    """The Redis pub/sub channel on which a batch's progress is announced."""
    return f"studyforge:batch:{batch_id}"


@dataclass
class Plan:
    to_run: list[tuple[int, str]]  # (chapter_id, kind)
    skipped: list[tuple[int, str]]
    kinds: list[str]
    subjects: list[str] | None
    estimated_cost_usd: float


class InvalidBatch(AppError):
    status_code = 422


async def plan(session: AsyncSession, settings: Settings, data: BatchIn) -> Plan:
    """What a batch would run: every (chapter x kind) of the grade without approved content."""
    kinds = list(dict.fromkeys(data.kinds or SUPPORTED_KINDS))
    unavailable = [k for k in kinds if k not in SUPPORTED_KINDS]
    if unavailable:
        raise InvalidBatch(f"Generation of kind {unavailable[0]!r} is not available yet; "
                           f"available: {', '.join(SUPPORTED_KINDS)}.")
    subjects = list(dict.fromkeys(data.subjects)) if data.subjects else None
    existing = await repository.subjects_of(session, data.grade)
    if not existing:
        grades = await repository.grades(session)
        known = ", ".join(map(str, grades)) if grades else "none (import a curriculum first)"
        raise InvalidBatch(f"Grade {data.grade} has no curriculum; grades with chapters: {known}.")
    unknown = [s for s in subjects or [] if s not in existing]
    if unknown:
        raise InvalidBatch(f"Grade {data.grade} has no subject {unknown[0]!r}; its subjects: "
                           f"{', '.join(existing)}.")
    chapters = await repository.chapters(session, data.grade, subjects)
    done = set() if data.force else await repository.approved(
        session, [c.id for c in chapters], kinds)
    to_run, skipped = [], []
    for chapter in chapters:
        for kind in kinds:
            (skipped if (chapter.id, kind) in done else to_run).append((chapter.id, kind))
    prices = await estimate.per_item(session, settings, kinds)
    cost = sum(prices[kind].usd for _, kind in to_run)
    return Plan(to_run, skipped, kinds, subjects, round(cost, 6))


async def start(session: AsyncSession, settings: Settings, principal: Principal | None,
                data: BatchIn) -> BatchPlan:
    """Create the batch and its items and send its feeder (after commit); dry runs only plan."""
    planned = await plan(session, settings, data)
    if data.dry_run:
        return BatchPlan(batch_id=None, total_jobs=len(planned.to_run),
                         skipped_existing=len(planned.skipped),
                         estimated_cost_usd=planned.estimated_cost_usd)
    now = utcnow()
    nothing = not planned.to_run
    batch = await repository.add(
        session, grade=data.grade, subjects=planned.subjects, kinds=planned.kinds,
        force=data.force, budget_usd=data.budget_usd,
        estimated_cost_usd=planned.estimated_cost_usd,
        status="succeeded" if nothing else "running",
        reason="Nothing to run: every chapter already has approved content." if nothing else None,
        created_by=principal.user_id if principal else None,
        created_at=now, finished_at=now if nothing else None,
    )
    repository.add_items(session, batch.id, [(c, k, "pending") for c, k in planned.to_run])
    repository.add_items(session, batch.id, [(c, k, "skipped") for c, k in planned.skipped])
    await session.flush()
    if not nothing:
        enqueue(FEED_ACTOR, queue_name=QUEUE, batch_id=batch.id)
    return BatchPlan(batch_id=batch.id, total_jobs=len(planned.to_run),
                     skipped_existing=len(planned.skipped),
                     estimated_cost_usd=planned.estimated_cost_usd)


def to_out(batch: Batch, counts: dict[str, tuple[int, float]]) -> BatchOut:
    def n(*statuses: str) -> int:
        return sum(counts.get(s, (0, 0.0))[0] for s in statuses)

    return BatchOut(
        id=batch.id, status=batch.status, grade=batch.grade, subjects=batch.subjects,
        kinds=batch.kinds, force=batch.force, budget_usd=batch.budget_usd,
        total=n("pending", "queued", "succeeded", "failed", "stopped", "cancelled"),
        succeeded=n("succeeded"), failed=n("failed"), skipped=n("skipped"),
        not_run=n("stopped", "cancelled"), in_flight=n("queued"), pending=n("pending"),
        cost_usd=round(sum(cost for _, cost in counts.values()), 8),
        estimated_cost_usd=batch.estimated_cost_usd, reason=batch.reason,
        created_at=batch.created_at, finished_at=batch.finished_at,
    )


async def snapshot(session: AsyncSession, batch: Batch) -> BatchOut:
    return to_out(batch, (await repository.counts(session, [batch.id]))[batch.id])


async def get(session: AsyncSession, batch_id: int) -> BatchOut:
    batch = await repository.get(session, batch_id)
    if batch is None:
        raise NotFound(f"Batch {batch_id} not found.")
    return await snapshot(session, batch)


async def recent(session: AsyncSession, *, limit: int = 50) -> list[BatchOut]:
    batches = await repository.recent(session, limit=limit)
    counts = await repository.counts(session, [b.id for b in batches])
    return [to_out(b, counts[b.id]) for b in batches]


async def cancel(session: AsyncSession, batch_id: int, *, by: str = "an operator") -> BatchOut:
    """Stop what has not started; items already running finish (and are counted)."""
    batch = await repository.get_for_update(session, batch_id)
    if batch is None:
        raise NotFound(f"Batch {batch_id} not found.")
    if batch.status not in ("running", "cancelled"):
        raise Conflict(f"Batch {batch_id} already ended ({batch.status}); nothing to cancel.")
    now = utcnow()
    if batch.status == "running":
        batch.status, batch.reason = "cancelled", f"Cancelled by {by}."
        await repository.set_items(session, batch_id, from_status="pending", status="cancelled")
        in_flight = await repository.queued_with_jobs(session, batch_id)
        # Jobs another batch started are theirs to finish; only ours are withdrawn.
        ours = [item.job_id for item, _ in in_flight if item.job_id and not item.adopted]
        withdrawn = set(await repository.cancel_queued_jobs(session, ours, now=now))
        for item, _ in in_flight:
            if item.job_id in withdrawn:
                item.status = "cancelled"
        if len(withdrawn) == len(in_flight):
            batch.finished_at = now
        batch.updated_at = now
        await session.flush()
    out = await snapshot(session, batch)
    announce(out)
    return out


async def retry_failed(session: AsyncSession, batch_id: int) -> BatchOut:
    """Run the failed items again (and only those); the batch is running until they end."""
    batch = await repository.get_for_update(session, batch_id)
    if batch is None:
        raise NotFound(f"Batch {batch_id} not found.")
    reset = await repository.set_items(session, batch_id, from_status="failed", status="pending",
                                       job_id=None, error=None, cost_usd=0.0, adopted=False)
    if reset:
        was_running = batch.status == "running"
        batch.status, batch.reason, batch.finished_at = "running", None, None
        batch.updated_at = utcnow()
        await session.flush()
        if not was_running:
            enqueue(FEED_ACTOR, queue_name=QUEUE, batch_id=batch.id)
    out = await snapshot(session, batch)
    announce(out)
    return out


def announce(out: BatchOut) -> None:
    """Publish the batch's state to its SSE subscribers once the unit of work commits."""
    data = out.model_dump_json()

    async def publish(redis) -> None:
        await redis.publish(channel(out.id), data)

    on_commit(publish)
