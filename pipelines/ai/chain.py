"""The AI strategy chain: run a task through its route, link by link, until one answers.

Per link, tenacity retries only transient failures (429, 408, 5xx, timeouts, connection
errors) with exponential backoff and jitter, waiting at least the provider's Retry-After,
bounded by ``ai_max_attempts`` and by the task's deadline. Anything else (401, 400, a reply
that does not fit the schema) moves to the next link at once. A link whose circuit is open
is skipped without a call. Every attempt becomes an AI history record.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from pydantic import ValidationError
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential_jitter,
)

from pipelines.ai import config as ai_config
from pipelines.ai import history
from pipelines.ai.circuit import CircuitBreaker
from pipelines.ai.limits import ProviderLimits, SlotTimeout
from pipelines.ai.providers import get_provider
from pipelines.ai.providers.base import (
    PermanentError,
    ProviderError,
    ProviderRequest,
    SchemaError,
    TransientError,
)
from shared import context
from shared.ai import templating
from shared.ai.outputs import TASK_OUTPUTS, json_schema
from shared.ai.schemas import TASKS, RouteLink
from shared.ai.service import AIConfig
from shared.config import Settings
from shared.secrets import mask, secrets_of

log = logging.getLogger("studyforge.ai")

_DEFAULT_TIMEOUTS = {"openai": "openai_timeout_seconds", "gemini": "gemini_timeout_seconds",
                     "ollama": "ollama_timeout_seconds"}


@dataclass
class TaskResult:
    """A validated answer and how it was obtained."""

    task: str
    data: dict
    provider: str
    model: str  # "provider/model", e.g. "openai/gpt-4.1-mini" or "offline/template-v1"
    template_version: int
    attempts: list[dict]  # the AI history records of this run, failed attempts included
    skipped: list[str] = field(default_factory=list)  # links whose circuit was open

    @property
    def cost_usd(self) -> float | None:
        """Total over all attempts; None when any attempt's price is unknown."""
        costs = [record["cost"] for record in self.attempts]
        return None if any(cost is None for cost in costs) else round(sum(costs), 8)

    @property
    def fell_back(self) -> bool:
        links = {(record["provider"], record["model_name"]) for record in self.attempts}
        return len(links) > 1 or bool(self.skipped)


class ChainFailed(Exception):
    """Every link failed or was skipped; ``message`` says why, link by link."""

    code = "ai_unavailable"

    def __init__(self, task: str, reasons: list[str], attempts: list[dict]) -> None:
        self.message = f"No AI provider could answer the {task} task: " + "; ".join(reasons)
        super().__init__(self.message)
        self.reasons = reasons
        self.attempts = attempts


class _CircuitOpen(Exception):
    pass


async def run_task(
    task: str,
    variables: dict,
    *,
    redis,
    settings: Settings,
    db=None,
    config: AIConfig | None = None,
    route: list[RouteLink] | None = None,
    job_id: str | None = None,
) -> TaskResult:
    """Answer ``task`` for ``variables`` through its route; raises ``ChainFailed``.

    Routes and templates come from ``config`` if given, else from the database through
    ``db`` (an async_sessionmaker, or an open AsyncSession), cached briefly. ``route``
    overrides the chain.
    """
    if task not in TASKS:
        raise ValueError(f"unknown AI task {task!r}")
    if config is None:
        config = await ai_config.current(db=db, redis=redis, settings=settings)
    links = list(route) if route is not None else list(config.routes[task].chain)
    template = config.templates[task]
    run = _Run(
        task=task,
        variables=variables,
        settings=settings,
        redis=redis,
        job_id=job_id,
        template_version=template.version,
        system=template.system,
        prompt=templating.render(template.template, variables),
    )
    try:
        for link in links:
            if time.monotonic() >= run.deadline:
                run.reasons.append("the task's deadline passed")
                break
            data = await run.try_link(link)
            if data is not None:
                return TaskResult(
                    task=task, data=data, provider=link.provider,
                    model=f"{link.provider}/{link.model}", template_version=template.version,
                    attempts=run.records, skipped=run.skipped,
                )
    finally:
        await history.append(redis, run.records, skipped=len(run.skipped))
    reasons = [mask(reason, run.secrets) for reason in run.reasons]
    raise ChainFailed(task, reasons or ["the route has no links"], run.records)


class _Run:
    """The state of one task's trip down its chain."""

    def __init__(self, *, task, variables, settings, redis, job_id, template_version, system,
                 prompt) -> None:
        self.task, self.variables, self.settings = task, variables, settings
        # A provider's error may echo the key it was sent: history never stores it.
        self.secrets = secrets_of(settings)
        self.job_id, self.template_version = job_id, template_version
        self.system, self.prompt = system, prompt
        self.schema = json_schema(task)
        self.output = TASK_OUTPUTS[task]
        self.deadline = time.monotonic() + settings.ai_task_deadline_seconds
        self.breaker = CircuitBreaker(
            redis, threshold=settings.ai_circuit_failure_threshold,
            cooldown=settings.ai_circuit_cooldown_seconds,
        )
        self.limits = ProviderLimits(
            redis, requests_per_minute=settings.ai_requests_per_minute,
            max_in_flight=settings.ai_max_in_flight,
            background_share=settings.batch_rate_share,
        )
        # Batch items yield to students at the limiter (shared.context.ai_priority).
        self.background = context.ai_priority.get() == "background"
        self.records: list[dict] = []
        self.reasons: list[str] = []
        self.skipped: list[str] = []

    def _retryable(self, exc: BaseException) -> bool:
        if not isinstance(exc, ProviderError) or not exc.transient:
            return False
        # A provider asking for a longer pause than we allow is better served by the next link.
        return exc.retry_after is None or exc.retry_after <= self.settings.ai_max_retry_after_seconds

    def _wait(self, retry_state) -> float:
        backoff = wait_exponential_jitter(
            initial=self.settings.ai_backoff_initial_seconds,
            max=self.settings.ai_backoff_max_seconds,
            jitter=self.settings.ai_backoff_initial_seconds,
        )(retry_state)
        exc = retry_state.outcome.exception()
        retry_after = getattr(exc, "retry_after", None)
        return max(backoff, retry_after) if retry_after else backoff

    async def try_link(self, link: RouteLink) -> dict | None:
        """The validated answer from this link, or None after recording why it failed."""
        name = f"{link.provider}/{link.model}"
        retrying = AsyncRetrying(
            retry=retry_if_exception(self._retryable),
            stop=stop_after_attempt(self.settings.ai_max_attempts)
            | stop_before_delay(max(0.0, self.deadline - time.monotonic())),
            wait=self._wait,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._attempt(link, attempt.retry_state.attempt_number)
        except _CircuitOpen:
            self.skipped.append(name)
            self.reasons.append(f"{name}: circuit open, skipped")
        except ProviderError as exc:
            self.reasons.append(f"{name}: {exc.message}")
        return None

    async def _attempt(self, link: RouteLink, number: int) -> dict:
        name = f"{link.provider}/{link.model}"
        remaining = self.deadline - time.monotonic()
        default = getattr(self.settings, _DEFAULT_TIMEOUTS.get(link.provider, ""), 60.0)
        timeout = max(0.1, min(float(link.params.get("timeout_seconds", default)), remaining))
        state = await self.breaker.allow(name, probe_seconds=timeout + 5)
        if state in ("open", "half_open"):
            raise _CircuitOpen(name)
        started = time.monotonic()
        reply, error, provider = None, None, None
        lease = None
        try:
            provider = get_provider(link.provider, self.settings)
            lease = await self.limits.acquire(
                link.provider, lease_seconds=timeout + 5,
                max_wait=min(self.settings.ai_slot_wait_seconds, remaining),
                background=self.background,
            )
            started = time.monotonic()  # waiting for our own slot is not the provider's latency
            request = ProviderRequest(
                task=self.task, model=link.model, system=self.system, prompt=self.prompt,
                schema=self.schema, schema_name=self.task, timeout=timeout,
                params=link.params, variables=self.variables,
            )
            # The SDK's own timeout should fire first; this bounds any SDK that ignores it.
            async with asyncio.timeout(timeout + 1.0):
                reply = await provider.generate(request)
        except ProviderError as exc:
            error = exc
        except SlotTimeout as exc:
            error = TransientError(str(exc))
        except TimeoutError:
            error = TransientError(f"timed out after {timeout:.1f}s")
        except Exception as exc:  # noqa: BLE001 - an SDK bug must not take the chain down
            log.exception("unexpected error from %s", name)
            error = PermanentError(f"unexpected {type(exc).__name__}: {exc}"[:300])
        finally:
            if lease is not None:
                await self.limits.release(link.provider, lease)
        latency_ms = (time.monotonic() - started) * 1000
        data = None
        if reply is not None:
            try:
                data = self.output.model_validate_json(reply.text).model_dump(mode="json")
            except ValidationError as exc:
                error = SchemaError(
                    f"reply does not fit the {self.task} schema: "
                    f"{exc.errors(include_url=False)[:3]}"[:400],
                    raw=reply.text, input_tokens=reply.input_tokens,
                    output_tokens=reply.output_tokens,
                )
        await self._record(link, provider, number, reply, error, latency_ms)
        if error is not None:
            raise error
        return data

    async def _record(self, link, provider, number, reply, error, latency_ms) -> None:
        source = reply if reply is not None else error
        input_tokens = getattr(source, "input_tokens", None)
        output_tokens = getattr(source, "output_tokens", None)
        price_provider = provider.price_provider if provider is not None else None
        self.records.append(history.record(
            job_id=self.job_id, task=self.task, provider=link.provider, model=link.model,
            template_version=self.template_version,
            prompt=f"[system]\n{self.system}\n[user]\n{self.prompt}" if self.system else self.prompt,
            raw_response=mask(reply.text if reply is not None else getattr(error, "raw", None),
                              self.secrets),
            input_tokens=input_tokens, output_tokens=output_tokens,
            cost=history.cost_usd(link.provider, price_provider, link.model, input_tokens,
                                  output_tokens),
            latency_ms=latency_ms, attempt=number,
            status="ok" if error is None else "error",
            error=None if error is None else mask(f"{error.kind}: {error.message}", self.secrets)[:1000],
        ))
        await self.breaker.record(f"{link.provider}/{link.model}", ok=error is None,
                                  latency_ms=latency_ms)
