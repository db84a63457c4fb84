"""The feeder's rules: follow a batch's jobs, start more within its limits, end it.

One feeder runs per batch (``workers/batches.py`` holds a Redis lease for it), a tick every
``batch_feed_tick_seconds``. Each tick is a few short transactions: ``sync`` moves items whose
jobs ended; ``fill`` starts pending items up to the in-flight cap and the budget; ``finish``
ends the batch once nothing is pending or in flight. All state is in the database, so a
feeder that dies is replaced by another that carries on where it stopped.
"""

from __future__ import annotations

import math

from sqlalchemy.ext.asyncio import AsyncSession

from shared.batches import generation, repository
from shared.batches.estimate import ItemEstimate
from shared.batches.models import Batch
from shared.config import Settings
from shared.db import utcnow

# A batch keeps at most this many seconds of its provider's rate in flight: enough to keep the
# limiter busy, few enough that no item waits for a rate slot longer than the chain allows.
IN_FLIGHT_SECONDS_OF_RATE = 10


def in_flight_cap(settings: Settings, estimates: dict[str, ItemEstimate]) -> int:
    """How many items one batch may have queued or running at once."""
    cap = settings.batch_max_in_flight
    for item in estimates.values():
        rpm = settings.ai_requests_per_minute.get(item.link.provider) if item.link else None
        if rpm:
            per_second = rpm * settings.batch_rate_share / 60
            cap = min(cap, max(1, math.ceil(per_second * IN_FLIGHT_SECONDS_OF_RATE)))
    return cap


async def sync(session: AsyncSession, batch: Batch) -> bool:
    """Move in-flight items whose jobs ended; True if anything changed."""
    changed = False
    for item, job in await repository.queued_with_jobs(session, batch.id):
        status = job.status if job is not None else "gone"
        if status in ("queued", "running"):
            continue
        changed = True
        if status == "succeeded":
            item.status = "succeeded"
            # A job another batch started is paid for by that batch.
            item.cost_usd = 0.0 if item.adopted else float((job.result or {}).get("cost_usd") or 0)
        elif status == "failed":
            item.status = "failed"
            item.error = str((job.error or {}).get("message") or "failed")[:1000]
        elif batch.status == "running":
            # Cancelled by another batch's cancel (we had adopted it), or deleted: start again.
            item.status, item.job_id, item.adopted = "pending", None, False
        else:
            item.status = "cancelled"
    if changed:
        await session.flush()
    return changed


async def fill(session: AsyncSession, batch: Batch, *, capacity: int,
               estimates: dict[str, ItemEstimate]) -> int:
    """Start up to ``capacity`` pending items; returns how many changed state.

    Callers hold the grade's feed lock across this and the commit, so two batches for one
    grade never both create a job for the same (chapter, kind): the second finds the first's
    job by its cache key and follows it instead.
    """
    pending = await repository.items(session, batch.id, status="pending", limit=capacity)
    if not pending or batch.status != "running":
        return 0
    chapters = {c.id: c for c in await repository.chapters(session, batch.grade, batch.subjects)}
    done = set() if batch.force else await repository.approved(
        session, [i.chapter_id for i in pending], sorted({i.kind for i in pending}))
    payloads = {i.id: generation.params(chapters[i.chapter_id], i.kind) for i in pending
                if i.chapter_id in chapters}
    keys = {item_id: generation.key_for(p) for item_id, p in payloads.items()}
    reusable = await repository.reusable_jobs(session, list(keys.values()), since=batch.created_at)
    spent, in_flight_cost, per_item = await _money(session, batch, estimates)
    started = 0
    for item in pending:
        started += 1
        if item.id not in payloads:  # the chapter left the grade/subjects since the plan
            item.status, item.error = "failed", "The chapter is no longer in this grade."
            continue
        if (item.chapter_id, item.kind) in done:
            item.status = "skipped"
            continue
        job = reusable.get(keys[item.id])
        if job is not None:
            item.status, item.job_id = "queued", job.id
            item.adopted = (job.payload or {}).get("batch_id") != batch.id
            continue
        cost = per_item[item.kind]
        if batch.budget_usd is not None and spent + in_flight_cost + cost > batch.budget_usd + 1e-12:
            stopped = await repository.set_items(session, batch.id, from_status="pending",
                                                 status="stopped")
            batch.reason = (
                f"Stopped by the budget of ${batch.budget_usd:.4f}: ${spent:.4f} spent and "
                f"${in_flight_cost:.4f} in flight, and the next item (~${cost:.4f}) would pass it; "
                f"{stopped} item(s) not run.")
            break
        job = await generation.create_job(
            session, kind=item.kind, payload=payloads[item.id], key=keys[item.id],
            batch_id=batch.id, created_by=batch.created_by, force=batch.force)
        item.status, item.job_id, item.adopted = "queued", job.id, False
        in_flight_cost += cost
    await session.flush()
    return started


async def _money(session: AsyncSession, batch: Batch, estimates: dict[str, ItemEstimate]):
    """(spent, estimate of what is in flight, estimate per item of each kind)."""
    counts = (await repository.counts(session, [batch.id]))[batch.id]
    spent = sum(cost for _, cost in counts.values())
    done, done_cost = counts.get("succeeded", (0, 0.0))
    # Once items have finished, their real cost is a better guide if it runs above the table's.
    observed = done_cost / done if done else 0.0
    per_item = {kind: max(e.usd, observed) for kind, e in estimates.items()}
    in_flight = await repository.items(session, batch.id, status="queued")
    in_flight_cost = sum(per_item.get(i.kind, 0.0) for i in in_flight if not i.adopted)
    return spent, in_flight_cost, per_item


async def finish(session: AsyncSession, batch: Batch) -> bool:
    """End the batch if nothing is pending or in flight; True once it has ended."""
    counts = (await repository.counts(session, [batch.id]))[batch.id]
    n = {status: value[0] for status, value in counts.items()}
    if n.get("pending") or n.get("queued"):
        return False
    if batch.status == "running":
        batch.status, reason = await _outcome(session, batch, n)
        batch.reason = reason
    if batch.finished_at is None:
        batch.finished_at = batch.updated_at = utcnow()
    await session.flush()
    return True


async def _outcome(session: AsyncSession, batch: Batch, n: dict[str, int]) -> tuple[str, str | None]:
    failed, succeeded, stopped = n.get("failed", 0), n.get("succeeded", 0), n.get("stopped", 0)
    if stopped:
        # The reason was written when the budget stopped it (kept unless a retry cleared it).
        return "partial", batch.reason or (
            f"The budget of ${batch.budget_usd or 0:.4f} was reached; {stopped} item(s) not run.")
    if not failed:
        return "succeeded", None
    first = await repository.items(session, batch.id, status="failed", limit=1)
    error = first[0].error if first else "unknown"
    if not succeeded:
        return "failed", f"All {failed} item(s) failed; first error: {error}"[:1000]
    return "partial", (f"{failed} of {failed + succeeded} item(s) failed (retry them with "
                       f"retry-failed); first error: {error}")[:1000]

