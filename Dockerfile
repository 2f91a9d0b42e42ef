# syntax=docker/dockerfile:1
# The HTTP service in a container: the same locked install and the same start command as
# ./scripts/serve (tests/test_dockerfile.py keeps the two in step), minus the dev tools.
#
#   docker build -t exchange-planner .
#   docker run --rm -p 127.0.0.1:8000:8000 -v exchange-data:/app/data exchange-planner

ARG PYTHON_IMAGE=python:3.11-slim

# ---------------------------------------------------------------- build: the locked venv
FROM ${PYTHON_IMAGE} AS build

# uv comes from PyPI, as in scripts/_uv; the version is pinned so builds repeat.
RUN pip install --no-cache-dir uv==0.13.9

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv

WORKDIR /app

# Phase 1, the dependencies alone: this layer is rebuilt only when the lock file changes.
# --frozen installs exactly uv.lock and fails if it is out of date with pyproject.toml;
# --no-default-groups leaves out the dev and benchmark tools, and of the extras only the
# PostgreSQL driver is installed, as ./scripts/serve does.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-default-groups --extra postgres --no-install-project

# Phase 2, the project itself.
COPY README.md alembic.ini ./
COPY solver ./solver
COPY app ./app
COPY reconciliation ./reconciliation
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-default-groups --extra postgres
# Like the scripts' compile_project: compiled once here, not on every run.
RUN .venv/bin/python -m compileall -q -j 0 solver app reconciliation

# ---------------------------------------------------------------- runtime
FROM ${PYTHON_IMAGE} AS runtime

# An unprivileged user that owns nothing but the data folder.
RUN groupadd --system --gid 10001 planner \
    && useradd --system --uid 10001 --gid planner --home-dir /app --no-create-home planner

WORKDIR /app
COPY --from=build /app /app
RUN mkdir -p /app/data && chown planner:planner /app/data

ENV PATH="/app/.venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1

# The SQLite database (EXCHANGE_DATABASE_URL's default, sqlite:///./data/exchange.db).
VOLUME ["/app/data"]
USER planner
EXPOSE 8000

# No curl in a slim image: Python asks /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]

# As ./scripts/serve, but on every interface of the container, so a published port reaches
# it; a service not on a loopback address needs API keys (docs/security.md).
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
