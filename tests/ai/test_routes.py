"""Routes and templates live in the database and apply to the next job without a restart."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from pipelines.ai.chain import run_task
from shared.ai import service
from shared.ai.defaults import DEFAULT_TEMPLATES, default_chain
from shared.ai.errors import InvalidRoute, InvalidTemplate, UnknownTask
from shared.ai.models import ModelRoute, PromptTemplate
from shared.ai.schemas import RouteIn, TemplateIn
from shared.config import Settings
from shared.db import create_engine, session_factory
from tests.ai.helpers import EXPLAIN, history, last_template_id


@pytest.fixture
async def sessions(pg_url):
    engine = create_engine(Settings(database_url=pg_url))
    factory = session_factory(engine)
    async with factory() as session:
        migrated = await last_template_id(session)
    yield factory
    async with factory() as session:  # leave the shared test database as migrated
        await session.execute(ModelRoute.__table__.delete())
        await session.execute(PromptTemplate.__table__.delete().where(PromptTemplate.id > migrated))
        await session.commit()
    await engine.dispose()


@pytest.fixture
def db_settings(make_settings, pg_url):
    return make_settings(database_url=pg_url)


async def test_migration_seeds_the_seed_templates_as_version_1(sessions):
    async with sessions() as session:
        for task, (system, template) in DEFAULT_TEMPLATES.items():
            first = (await service.template_versions(session, task))[-1]
            assert (first.version, first.system, first.template) == (1, system, template)
        count = await session.scalar(
            select(func.count()).select_from(PromptTemplate).where(PromptTemplate.version == 1))
    assert count == 4


async def test_route_change_applies_to_the_next_call(db_settings, sessions, fake_llm, redis):
    first = await run_task("explanation", EXPLAIN, redis=redis, settings=db_settings,
                           db=sessions)
    assert first.model == "gemini/gemini-2.5-flash"  # the seed's default: Gemini first

    async with sessions() as session:
        body = RouteIn.model_validate({"chain": [
            {"provider": "ollama", "model": "llama3.2", "params": {"temperature": 0.2}},
            {"provider": "offline", "model": "template-v1"},
        ]})
        await service.set_route(session, db_settings, task="explanation", body=body, user_id=None)
        await session.commit()
    await service.announce_change(redis)

    second = await run_task("explanation", EXPLAIN, redis=redis, settings=db_settings,
                            db=sessions)
    assert second.model == "ollama/llama3.2"
    assert fake_llm.requests[-1]["body"]["options"] == {"temperature": 0.2}

    async with sessions() as session:
        routes = {r.task: r for r in await service.list_routes(session, db_settings)}
        assert routes["explanation"].source == "custom"
        assert routes["grading"].source == "default"
        await service.reset_route(session, db_settings, task="explanation")
        await session.commit()
    await service.announce_change(redis)
    third = await run_task("explanation", EXPLAIN, redis=redis, settings=db_settings,
                           db=sessions)
    assert third.model == "gemini/gemini-2.5-flash"


async def test_new_template_version_is_used_and_recorded(db_settings, sessions, fake_llm, redis):
    async with sessions() as session:
        saved = await service.put_template(
            session, task="explanation", user_id=None,
            body=TemplateIn(template="Teach {topic} to a {grade} grader with {analogy}, briefly.",
                            system="Be brief."),
        )
        await session.commit()
    assert saved.version == 2
    await service.announce_change(redis)

    result = await run_task("explanation", EXPLAIN, redis=redis, settings=db_settings,
                            db=sessions, job_id="job-t")
    assert result.template_version == 2
    body = fake_llm.requests[-1]["body"]
    assert body["contents"][0]["parts"][0]["text"] == (
        "Teach Fractions to a 4th grader with pizza, briefly.")
    assert body["systemInstruction"]["parts"][0]["text"] == "Be brief."
    [record] = await history(redis)
    assert record["template_version"] == 2 and "Teach Fractions" in record["prompt"]

    async with sessions() as session:
        versions = await service.template_versions(session, "explanation")
    assert [v.version for v in versions] == [2, 1]


async def test_admin_mistakes_are_clear_errors(db_settings, sessions):
    async with sessions() as session:
        with pytest.raises(UnknownTask):
            await service.get_route(session, db_settings, "poetry")
        with pytest.raises(InvalidTemplate, match=r"\{teacher\}"):
            await service.put_template(session, task="grading", user_id=None,
                                       body=TemplateIn(template="Grade {student_answer} {teacher}"))
        with pytest.raises(InvalidTemplate):
            await service.put_template(session, task="grading", user_id=None,
                                       body=TemplateIn(template="Grade {student_answer"))
        no_ollama = db_settings.model_copy(update={"ollama_host": ""})
        body = RouteIn.model_validate({"chain": [{"provider": "ollama", "model": "llama3.2"}]})
        with pytest.raises(InvalidRoute, match="STUDYFORGE_OLLAMA_HOST"):
            await service.set_route(session, no_ollama, task="grading", body=body, user_id=None)
    with pytest.raises(ValueError, match="unknown params"):
        RouteIn.model_validate({"chain": [{"provider": "openai", "model": "m",
                                           "params": {"api_key": "x"}}]})


def test_default_routes_use_only_configured_providers():
    def providers(**keys):
        settings = Settings(**{"openai_api_key": "", "gemini_api_key": "", "ollama_host": "",
                               **keys})
        return [link.provider for link in default_chain("explanation", settings)]

    assert providers() == ["offline"]
    assert providers(openai_api_key="sk") == ["openai", "offline"]
    assert providers(openai_api_key="sk", gemini_api_key="g") == ["gemini", "openai", "offline"]
    distractors = default_chain("distractors", Settings(
        openai_api_key="sk", gemini_api_key="g", ollama_host="http://localhost:11434"))
    assert distractors[0].provider == "ollama"  # the cheap local model first


def test_migration_runs_on_sqlite_up_and_down(tmp_path):
    from alembic import command

    from shared.migrate import alembic_config, upgrade

    settings = Settings(sqlite_path=str(tmp_path / "m.sqlite3"))
    upgrade(settings)
    command.downgrade(alembic_config(settings), "0002-1")  # only this migration's branch
    upgrade(settings)
