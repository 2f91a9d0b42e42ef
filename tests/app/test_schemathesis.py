"""Schemathesis against the OpenAPI document of a live server, with every check on.

Bounded: five examples per operation and a fixed seed, so a run takes well under two
minutes; the solve time limit is capped at 5 s for the generated requests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.live_server import LiveServer
from tests.app.negotiation import MEDIATOR_TOKEN

CONFIG = Path(__file__).with_name("schemathesis.toml")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = {
        "EXCHANGE_BOOTSTRAP_MEDIATOR_KEY": MEDIATOR_TOKEN,
        "EXCHANGE_SEED_EXAMPLES": "true",  # the path examples name stored records
        "EXCHANGE_RATE_LIMIT_PER_S": "0",
        "EXCHANGE_MAX_TIME_LIMIT_S": "5",
    }
    with LiveServer(tmp_path_factory.mktemp("schemathesis"), settings, app="app.main:app") as live:
        yield live


@pytest.mark.slow
def test_schemathesis_finds_no_failure_with_all_checks(server: LiveServer, tmp_path: Path) -> None:
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "run",
        f"{server.base_url}/openapi.json",
        "--checks", "all",
        "--max-examples", "5",
        "--seed", "1",
        "--no-shrink",
        "--request-timeout", "30",
        "--header", f"X-API-Key: {MEDIATOR_TOKEN}",
    ]  # fmt: skip
    # Run in a scratch folder: schemathesis keeps a cache where it runs.
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=240, check=False, cwd=tmp_path
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-20000:]
    statuses = [
        json.loads(line).get("status", 0)
        for line in server.log().splitlines()
        if line.startswith("{") and '"event": "request"' in line
    ]
    assert len(statuses) > 1000
    assert [status for status in statuses if status >= 500 and status != 503] == []
