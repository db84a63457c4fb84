"""docker-compose.yml cannot run here (no Docker engine), so its structure is checked by reading."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_describes_the_production_topology():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "migrate", "api", "worker", "scheduler", "ollama"} <= set(services)
    for name in ("postgres", "redis", "api", "ollama"):
        assert "healthcheck" in services[name], name
    assert services["ollama"]["profiles"] == ["ollama"]
    for name in ("api", "worker", "scheduler"):
        deps = services[name]["depends_on"]
        assert deps["postgres"]["condition"] == "service_healthy", name
        assert deps["redis"]["condition"] == "service_healthy", name
        assert deps["migrate"]["condition"] == "service_completed_successfully", name
        assert services[name]["image"] == services["migrate"]["image"], "one image for all"
        assert services[name]["command"][:2] == ["studyforge", {"api": "serve"}.get(name, name)]
        env = services[name]["environment"]
        assert env["STUDYFORGE_DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert env["STUDYFORGE_ENVIRONMENT"] == "production"
        assert "STUDYFORGE_JWT_SECRET" in env
    assert services["migrate"]["command"] == ["studyforge", "migrate"]


def test_dockerfile_builds_the_cli_entrypoint():
    text = (ROOT / "Dockerfile").read_text()
    assert "uv sync --frozen" in text and 'CMD ["studyforge", "serve"]' in text
    for folder in ("api/", "workers/", "pipelines/", "shared/", "studyforge/"):
        assert f"COPY {folder}" in text


def test_production_refuses_the_default_secret():
    import pytest

    from shared.config import Settings

    with pytest.raises(ValueError, match="JWT_SECRET"):
        Settings(environment="production")
    assert Settings(environment="production", jwt_secret="s" * 48).environment == "production"
