"""``studyforge batch ...``: start, follow and steer batches from a terminal.

These commands work on the database and the queue directly through the batches services (as
``studyforge curriculum import`` does), so they need the same STUDYFORGE_DATABASE_URL and
STUDYFORGE_REDIS_URL as the workers, and no API token. Workers do the work; these only create,
read and steer.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from shared.errors import AppError

batch_app = typer.Typer(help="Pre-generate a grade's content (batches).", no_args_is_help=True)
console = Console()

POLL_SECONDS = 0.5


def _run(fn):
    """Run ``await fn(session)`` in one unit of work; expected failures exit with their message."""
    import shared.models  # noqa: F401  (a flush resolves foreign keys across domains)
    from studyforge.cli import _settings, _with_session

    try:
        return asyncio.run(_with_session(_settings(), fn))
    except AppError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None


@batch_app.command("generate")
def generate(
    grade: Annotated[int, typer.Option(help="Grade to pre-generate (0 = kindergarten).")],
    subject: Annotated[list[str] | None, typer.Option(help="Only this subject (repeatable).")] = None,
    kind: Annotated[list[str] | None, typer.Option(
        help="explanation or questions (repeatable; default: every kind available).")] = None,
    budget: Annotated[float | None, typer.Option(help="Stop enqueuing before passing this USD.")] = None,
    force: Annotated[bool, typer.Option(help="Regenerate chapters that have approved content.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the plan; start nothing.")] = False,
    wait: Annotated[bool, typer.Option("--wait", help="Follow it with a progress bar.")] = False,
) -> None:
    """Start a batch (or plan one with --dry-run)."""
    from pydantic import ValidationError

    from shared.batches import service
    from shared.batches.schemas import BatchIn
    from studyforge.cli import _settings

    try:
        data = BatchIn(grade=grade, subjects=subject or None, kinds=kind or None, force=force,
                       budget_usd=budget, dry_run=dry_run)
    except ValidationError as exc:
        error = exc.errors()[0]
        console.print(f"[red]--{error['loc'][0]}: {error['msg']}[/red]".replace("budget_usd", "budget"))
        raise typer.Exit(2) from None
    settings = _settings()
    plan = _run(lambda s: service.start(s, settings, None, data))
    what = "Would run" if dry_run else f"Batch {plan.batch_id}:"
    console.print(f"{what} {plan.total_jobs} job(s), {plan.skipped_existing} skipped (already "
                  f"approved), estimated ${plan.estimated_cost_usd:.4f}")
    if wait and plan.batch_id is not None:
        raise typer.Exit(_follow(plan.batch_id))


@batch_app.command("status")
def status(
    batch_id: Annotated[int, typer.Argument(help="The batch id.")],
    wait: Annotated[bool, typer.Option("--wait", help="Follow it until it ends.")] = False,
) -> None:
    """Show a batch's counts and cost."""
    if wait:
        raise typer.Exit(_follow(batch_id))
    _print(_get(batch_id))


@batch_app.command("list")
def recent(limit: Annotated[int, typer.Option(help="How many, newest first.")] = 20) -> None:
    """List recent batches."""
    from shared.batches import service

    table = Table("id", "grade", "status", "done/total", "failed", "skipped", "cost", "created")
    for b in _run(lambda s: service.recent(s, limit=limit)):
        table.add_row(str(b.id), str(b.grade), b.status, f"{b.succeeded}/{b.total}", str(b.failed),
                      str(b.skipped), f"${b.cost_usd:.4f}", f"{b.created_at:%Y-%m-%d %H:%M}")
    console.print(table)


@batch_app.command("cancel")
def cancel(batch_id: Annotated[int, typer.Argument(help="The batch id.")]) -> None:
    """Stop what has not started; running items finish."""
    from shared.batches import service

    _print(_run(lambda s: service.cancel(s, batch_id, by="the command line")))


@batch_app.command("retry-failed")
def retry_failed(batch_id: Annotated[int, typer.Argument(help="The batch id.")]) -> None:
    """Run a batch's failed items again (only those)."""
    from shared.batches import service

    _print(_run(lambda s: service.retry_failed(s, batch_id)))


def _get(batch_id: int):
    from shared.batches import service

    return _run(lambda s: service.get(s, batch_id))


def _print(b) -> None:
    console.print(f"Batch {b.id} (grade {b.grade}, {', '.join(b.kinds)}): [bold]{b.status}[/bold]")
    console.print(f"  {b.succeeded}/{b.total} done, {b.failed} failed, {b.skipped} skipped, "
                  f"{b.not_run} not run, {b.in_flight} in flight; cost ${b.cost_usd:.4f} "
                  f"(estimated ${b.estimated_cost_usd:.4f}"
                  + (f", budget ${b.budget_usd:.2f})" if b.budget_usd is not None else ")"))
    if b.reason:
        console.print(f"  {b.reason}")


def _follow(batch_id: int) -> int:
    """A live progress bar until the batch ends; the exit code is 0 only if it succeeded."""
    return asyncio.run(_follow_async(batch_id))


async def _follow_async(batch_id: int) -> int:
    import shared.models  # noqa: F401
    from shared.batches import service
    from shared.db import create_engine, session_factory
    from studyforge.cli import _settings

    engine = create_engine(_settings())
    sessions = session_factory(engine)

    async def get():
        async with sessions() as session:
            return await service.get(session, batch_id)

    try:
        b = await get()
        if b.status == "running" or b.finished_at is None:
            columns = (TextColumn("[bold]Batch {task.fields[id]}"), BarColumn(), MofNCompleteColumn(),
                       TextColumn("{task.fields[failed]} failed · ${task.fields[cost]:.4f}"),
                       TextColumn("ETA"), TimeRemainingColumn())
            with Progress(*columns, console=console) as progress:
                task = progress.add_task("batch", total=b.total, id=batch_id, failed=0, cost=0.0)
                while True:
                    progress.update(task, completed=b.succeeded + b.failed + b.not_run,
                                    failed=b.failed, cost=b.cost_usd)
                    if b.status != "running" and b.finished_at is not None:
                        break
                    await asyncio.sleep(POLL_SECONDS)
                    b = await get()
    except AppError as exc:
        console.print(f"[red]{exc.message}[/red]")
        return 1
    finally:
        await engine.dispose()
    _print(b)
    return 0 if b.status == "succeeded" else 1
