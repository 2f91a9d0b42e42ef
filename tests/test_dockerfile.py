"""The Dockerfile mirrors ./scripts/serve and the README: no Docker engine runs here, so
these tests read the files and hold them to each other instead of building the image."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from urllib.parse import urlparse

import pytest

from app.api.routes import health
from app.core.config import Settings

ROOT = Path(__file__).resolve().parent.parent
# Flags the image may add to the scripts' `uv sync`: install the dependencies before the
# project (the two-phase layer cache).
_IMAGE_ONLY_SYNC_FLAGS = {"--no-install-project"}
# Flags ./scripts/serve may have that the image does not need: the image's environment
# starts empty, a developer's may hold the test tools, which serve leaves in place.
_SERVE_ONLY_SYNC_FLAGS = {"--inexact"}
# What the service needs and nothing else: no dev or benchmark groups, and of the extras
# only the PostgreSQL driver.
_SERVICE_SYNC_FLAGS = {"--frozen", "--no-default-groups", "--extra=postgres"}


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n\s*", " ", text)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def of(keyword: str) -> list[str]:
    return [rest for word, rest in instructions() if word == keyword]


def exec_form(arguments: str) -> list[str]:
    """CMD/HEALTHCHECK arguments in exec (JSON) form."""
    words: list[str] = json.loads(arguments)
    return words


def uv_sync_flags(command: str) -> list[set[str]]:
    """The flags of every `uv sync` in a shell command or script (`--extra X` as
    `--extra=X`)."""
    flags = []
    pattern = r"(?:\buv|\$\{UV\[@\]\}\")\s+sync((?:\s+--[a-z-]+(?:[ =](?!-)[a-z0-9_-]+)?)+)"
    for match in re.finditer(pattern, command):
        words = match.group(1).split()
        found = set()
        for at, word in enumerate(words):
            if word.startswith("--"):
                value = words[at + 1] if at + 1 < len(words) else "--"
                found.add(word if value.startswith("--") else f"{word}={value}")
        flags.append(found)
    return flags


def serve_script() -> str:
    return (ROOT / "scripts" / "serve").read_text(encoding="utf-8")


def uvicorn_command(script: str) -> list[str]:
    line = next(line for line in script.splitlines() if "uvicorn " in line)
    return shlex.split(line[line.index("uvicorn ") :])


def cmd() -> list[str]:
    (command,) = of("CMD")
    return exec_form(command)


def option(words: list[str], name: str) -> str:
    return words[words.index(name) + 1]


def test_dockerfile_is_multi_stage_with_a_runtime_that_copies_from_build() -> None:
    stages = of("FROM")
    assert len(stages) >= 2
    assert re.search(r"\bAS build$", stages[0])
    assert any(re.match(r"--from=build\b", copy) for copy in of("COPY"))


def test_dockerfile_installs_from_the_lock_file_in_two_phases_like_the_scripts() -> None:
    (serve_flags,) = uv_sync_flags(serve_script())
    runs = [run for run in of("RUN") if " sync" in run]
    phases = [flags for run in runs for flags in uv_sync_flags(run)]
    assert len(phases) == 2
    for flags in phases:
        assert serve_flags - _SERVE_ONLY_SYNC_FLAGS <= flags, "the image installs what serve does"
        assert flags - serve_flags <= _IMAGE_ONLY_SYNC_FLAGS
    assert "--frozen" in serve_flags
    assert "--no-install-project" in phases[0]
    assert "--no-install-project" not in phases[1]
    copies = of("COPY")
    lock_copy = next(i for i, c in enumerate(copies) if "uv.lock" in c)
    source_copy = next(i for i, c in enumerate(copies) if c.startswith(("solver", "app")))
    assert lock_copy < source_copy, "the lock file is copied before the sources"


def test_dockerfile_gets_uv_from_pypi_like_the_scripts() -> None:
    assert any(re.search(r"pip install .*\buv==\d+\.\d+\.\d+", run) for run in of("RUN"))
    assert "pip install" in (ROOT / "scripts" / "_uv").read_text(encoding="utf-8")


def test_dockerfile_starts_the_same_app_on_the_same_port_as_scripts_serve() -> None:
    serve = uvicorn_command(serve_script())
    image = cmd()
    assert image[0] == "uvicorn"
    assert image[1] == serve[1] == "app.main:app"
    assert option(image, "--port") == "8000"
    assert option(serve, "--port") == "${PORT:-8000}"
    assert option(image, "--host") == "0.0.0.0"  # a container's port is published from outside
    assert of("EXPOSE") == ["8000"]


def test_dockerfile_runs_as_an_unprivileged_user() -> None:
    (user,) = of("USER")
    assert user not in ("root", "0")
    assert any("useradd" in run and user in run for run in of("RUN"))
    order = [word for word, _ in instructions()]
    assert order.index("USER") > max(i for i, word in enumerate(order) if word == "RUN")


def test_dockerfile_healthcheck_asks_healthz_with_python_not_curl() -> None:
    (check,) = of("HEALTHCHECK")
    assert "curl" not in check
    assert "wget" not in check
    probe = exec_form(check[check.index("CMD") + len("CMD") :].strip())
    assert probe[:2] == ["python", "-c"]
    url = urlparse(re.search(r"'(http://[^']+)'", probe[2]).group(1))  # type: ignore[union-attr]
    assert url.hostname == "127.0.0.1"
    assert str(url.port) == option(cmd(), "--port")
    paths = {getattr(route, "path", None) for route in health.router.routes}
    assert url.path in paths


def test_dockerfile_keeps_the_database_in_its_volume() -> None:
    (workdir,) = {w for w in of("WORKDIR")}
    (volume,) = of("VOLUME")
    data = exec_form(volume)[0]
    default = Settings.model_fields["database_url"].default
    assert default.startswith("sqlite:///./")
    folder = default.removeprefix("sqlite:///./").rsplit("/", 1)[0]
    assert data == f"{workdir}/{folder}"


@pytest.mark.parametrize(
    "source", ["pyproject.toml", "uv.lock", "README.md", "solver", "app", "reconciliation"]
)
def test_dockerignore_lets_through_what_the_dockerfile_copies(source: str) -> None:
    copied = " ".join(c for c in of("COPY") if not c.startswith("--from"))
    assert source in copied
    assert (ROOT / source).exists()
    rules = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert "*" in rules, "everything is left out unless let through"
    assert f"!{source}" in rules or f"!{source}/" in rules


def test_dockerignore_keeps_data_and_secrets_out() -> None:
    rules = set((ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines())
    assert {"**/*.db", "**/.env"} <= rules


def test_readme_docker_commands_match_the_dockerfile() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    run = next(line for line in readme.splitlines() if line.startswith("docker run "))
    words = shlex.split(run)
    assert option(words, "-p").endswith(":8000")
    assert option(words, "-p").startswith("127.0.0.1:"), "published on loopback only"
    (volume,) = of("VOLUME")
    assert option(words, "-v").endswith(":" + exec_form(volume)[0])
    assert "docker build -t exchange-planner ." in readme
    assert "./scripts/serve" in readme
    assert "uv sync --frozen" in readme


def test_scripts_serve_installs_only_what_the_service_needs() -> None:
    (serve_flags,) = uv_sync_flags(serve_script())
    assert serve_flags - _SERVE_ONLY_SYNC_FLAGS == _SERVICE_SYNC_FLAGS
    assert not any(flag.startswith(("--all-", "--group", "--dev")) for flag in serve_flags)


def test_each_script_syncs_once_so_bytecode_is_compiled_once() -> None:
    """uv compiles (and says "Bytecode compiled") on every sync, and `uv run` syncs
    again unless told not to; it would also put back the groups serve left out."""
    shared = (ROOT / "scripts" / "_uv").read_text(encoding="utf-8")
    assert re.search(r"^export UV_NO_SYNC=1$", shared, re.M)
    for script in sorted((ROOT / "scripts").iterdir()):
        if script.name.startswith("_"):
            continue
        text = script.read_text(encoding="utf-8")
        assert 'source "$(dirname "${BASH_SOURCE[0]}")/_uv"' in text, script.name
        assert len(uv_sync_flags(text)) <= 1, script.name
