"""The ``studyforge`` command: every process and every operator task."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from shared.config import Settings, get_settings
from studyforge.batch_cli import batch_app

app = typer.Typer(help="StudyForge: an open AI learning platform for school children.",
                  no_args_is_help=True)
curriculum_app = typer.Typer(help="Curriculum files.", no_args_is_help=True)
app.add_typer(curriculum_app, name="curriculum")
history_app = typer.Typer(help="AI generation history (Parquet).", no_args_is_help=True)
app.add_typer(history_app, name="history")
app.add_typer(batch_app, name="batch")
console = Console()

Host = Annotated[str | None, typer.Option(help="Address to listen on (default 127.0.0.1).")]
Port = Annotated[int | None, typer.Option(help="Port to listen on (default 8000).")]


def _settings() -> Settings:
    try:
        return get_settings()
    except ValueError as exc:
        console.print(f"[red]Configuration error:[/red] {exc}")
        raise typer.Exit(2) from None


async def _with_session(settings: Settings, fn):
    from shared.db import create_engine, session_factory, session_scope
    from shared.queue import Dispatcher
    from shared.redis import async_client

    engine = create_engine(settings)
    redis = async_client(settings)
    try:
        async with session_scope(session_factory(engine),
                                 Dispatcher(redis, settings.broker_namespace)) as session:
            return await fn(session)
    finally:
        await redis.aclose()
        await engine.dispose()


@app.command()
def migrate() -> None:
    """Bring the database schema up to date (Alembic)."""
    from shared.migrate import upgrade

    settings = _settings()
    upgrade(settings)
    console.print(f"Database is up to date: {_redact(settings.effective_database_url)}")


@app.command()
def serve(host: Host = None, port: Port = None, workers: int = 1) -> None:
    """Run the API (production process; run `studyforge migrate` first)."""
    import uvicorn

    from api.app import create_app
    from shared import logs

    settings = _settings()
    logs.configure(settings)
    # log_config=None: uvicorn's loggers propagate to our (JSON) root handler.
    uvicorn.run(create_app(settings, extra_lifespan=_freeze_startup_objects),
                host=host or settings.host, port=port or settings.port,
                workers=1 if workers < 2 else workers, log_level="info", access_log=False,
                log_config=None)


@asynccontextmanager
async def _freeze_startup_objects(_app) -> AsyncIterator[None]:
    """Move everything built at startup out of the garbage collector's sight.

    The app, its routes, models and libraries are ~150k objects that live as long as the process;
    each full collection walked them all (~0.16 s, a pause every request in flight waits out,
    visible in the p99 of docs/benchmarks.md "Hot paths"). Garbage made by requests is still
    collected as before.
    """
    import gc

    gc.collect()
    gc.freeze()
    yield


@app.command()
def worker(
    processes: Annotated[int | None, typer.Option(help="Worker processes.")] = None,
    threads: Annotated[int | None, typer.Option(help="Threads per process (size to provider "
                                                "quotas, not CPUs: each in-flight job holds one).")] = None,
    queues: Annotated[list[str] | None, typer.Option(
        "--queue", help="Only this queue (repeatable; default: all). E.g. a pool for students' "
        "'default' and 'ops', another for 'batch'.")] = None,
) -> None:
    """Run Dramatiq worker processes (for every queue, or those named)."""
    from dramatiq.cli import main as dramatiq_main
    from dramatiq.cli import make_argument_parser

    settings = _settings()
    args = make_argument_parser().parse_args([
        "workers.main", "--processes", str(processes or settings.worker_processes),
        "--threads", str(threads or settings.worker_threads),
        *(["--queues", *queues] if queues else []),
    ])
    raise typer.Exit(dramatiq_main(args))


@app.command()
def scheduler() -> None:
    """Run the scheduler that enqueues periodic jobs (flush, compaction, reaper)."""
    from shared import logs
    from workers.scheduler import run

    settings = _settings()
    logs.configure(settings)
    asyncio.run(run(settings))


@app.command()
def dev(host: Host = None, port: Port = None) -> None:
    """Run everything in one process on embedded defaults, with demo data."""
    import uvicorn

    from api.app import create_app
    from shared import logs
    from shared.ai.defaults import describe_configuration
    from shared.demo import DEMO_LOGINS
    from shared.migrate import upgrade
    from studyforge.dev import embedded_lifespan

    settings = _settings()
    # Text for a person at a terminal, unless STUDYFORGE_LOG_FORMAT asks for JSON.
    logs.configure(settings, fmt=None if "log_format" in settings.model_fields_set else "text")
    upgrade(settings)
    host, port = host or settings.host, port or settings.port
    console.rule("[bold]StudyForge dev")
    console.print(f"Database: {_redact(settings.effective_database_url)}")
    redis_where = "in-process (fakeredis)" if settings.embedded_redis else _redact(settings.redis_url)
    console.print(f"Redis:    {redis_where}")
    console.print(f"AI:       {describe_configuration(settings)}")
    console.print(f"Open      http://{host}:{port}/   API docs: http://{host}:{port}/docs")
    for login in DEMO_LOGINS:
        console.print(f"  {login.role:<9} {login.email} / {login.password}")
    uvicorn.run(create_app(settings, extra_lifespan=embedded_lifespan(settings)),
                host=host, port=port, log_level="info")


@app.command("create-user")
def create_user(
    email: Annotated[str, typer.Option()],
    password: Annotated[str, typer.Option()],
    role: Annotated[str, typer.Option(help="admin | operator | parent")] = "parent",
) -> None:
    """Create an account."""
    from pydantic import ValidationError

    from shared.auth import service
    from shared.auth.schemas import RegisterIn
    from shared.errors import AppError

    if role not in ("admin", "operator", "parent"):
        console.print("[red]--role must be admin, operator or parent[/red]")
        raise typer.Exit(2)
    try:
        data = RegisterIn(email=email, password=password)
    except ValidationError as exc:
        console.print(f"[red]{exc.errors()[0]['msg']}[/red]")
        raise typer.Exit(2) from None
    try:
        user = asyncio.run(_with_session(_settings(), lambda s: service.register(
            s, email=data.email, password=data.password, role=role)))
    except AppError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"Created {user.role} {user.email} (id {user.id})")


@curriculum_app.command("import")
def curriculum_import(path: Annotated[Path, typer.Argument(help="A .yaml/.yml or .json file")]) -> None:
    """Import (upsert) a curriculum file."""
    from pydantic import ValidationError

    from shared.curriculum import service
    from shared.errors import AppError

    try:
        data = service.load_file(path)
    except AppError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    except ValidationError as exc:
        console.print(f"[red]{path} does not match the curriculum format:[/red]\n{exc}")
        raise typer.Exit(1) from None
    result = asyncio.run(_with_session(_settings(), lambda s: service.import_curriculum(s, data)))
    console.print(f"Imported {path}: {result.created} chapters created, {result.updated} updated")


@history_app.command("export")
def history_export(
    task: Annotated[str, typer.Option(help="explanation, questions, distractors or grading")],
    since: Annotated[str, typer.Option(help="First day to include (ISO date, UTC)")],
    all_successful: Annotated[bool, typer.Option(
        "--all-successful", help="Include successful attempts whose content is not approved.")
    ] = False,
) -> None:
    """Write chat fine-tuning JSONL to stdout from successful, approved generations."""
    import sys
    from datetime import date

    from pipelines.events.history import finetune_jsonl
    from pipelines.events.store import Store
    from shared.content.repository import approved_job_ids

    try:
        first_day = date.fromisoformat(since)
    except ValueError:
        console.print(f"[red]--since must be an ISO date like 2026-01-31, not {since!r}[/red]")
        raise typer.Exit(2) from None
    settings = _settings()
    approved = None if all_successful else asyncio.run(_with_session(settings, approved_job_ids))
    count = finetune_jsonl(Store.from_settings(settings), sys.stdout, task=task,
                           since=first_day, approved_job_ids=approved)
    Console(stderr=True).print(f"{count} examples written")


def _redact(url: str) -> str:
    """Hide a password in a connection URL."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]
