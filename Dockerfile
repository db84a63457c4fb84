# One image for every StudyForge process (api, worker, scheduler, migrate).
FROM node:20-bookworm-slim AS frontend
WORKDIR /app/frontend
COPY frontend/ ./
RUN if [ -f package.json ]; then npm ci && npm run build; else mkdir -p dist; fi

FROM python:3.11-slim-bookworm
ENV PYTHONUNBUFFERED=1 UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY api/ api/
COPY workers/ workers/
COPY pipelines/ pipelines/
COPY shared/ shared/
COPY studyforge/ studyforge/
RUN uv sync --frozen --no-dev
COPY --from=frontend /app/frontend/dist frontend/dist
ENV PATH="/app/.venv/bin:$PATH" STUDYFORGE_HOST=0.0.0.0
EXPOSE 8000
CMD ["studyforge", "serve"]
