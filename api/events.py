"""Interaction events: a student's app logs them in batches; 202 means they are durable.

The route appends one Redis stream entry per call and answers only after Redis accepted it.
The 500-events limit is checked on the raw JSON before validation, so an oversized batch gets
413 (and costs no model validation), whatever else is wrong with it.
"""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Request

from api.deps import CurrentPrincipal, RedisDep
from api.errors import ERROR_BODY
from shared.errors import AppError, Forbidden
from shared.events.buffer import append_async
from shared.events.schemas import MAX_EVENTS_PER_CALL, EventBatch, EventsAccepted, to_records
from shared.streams import EVENTS_STREAM

router = APIRouter(tags=["events"])


class PayloadTooLarge(AppError):
    status_code = 413


async def _within_limit(request: Request) -> None:
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        return  # the body validation reports it as 422
    events = body.get("events") if isinstance(body, dict) else None
    if isinstance(events, list) and len(events) > MAX_EVENTS_PER_CALL:
        raise PayloadTooLarge(
            f"{len(events)} events in one call; send at most {MAX_EVENTS_PER_CALL} per call."
        )


@router.post(
    "/events", status_code=202, response_model=EventsAccepted,
    responses={401: ERROR_BODY, 403: ERROR_BODY, 413: ERROR_BODY, 422: ERROR_BODY,
               503: ERROR_BODY},
)
async def log_events(
    body: EventBatch,
    principal: CurrentPrincipal,
    redis: RedisDep,
    _: Annotated[None, Depends(_within_limit)],
) -> EventsAccepted:
    """Log up to 500 interaction events of the calling student (a student token)."""
    if principal.role != "student" or principal.profile_id is None:
        raise Forbidden("Events are logged with a student (profile) token.")
    records = to_records(body.events, profile_id=principal.profile_id)
    await append_async(redis, EVENTS_STREAM, records)
    return EventsAccepted(accepted=len(records))
