"""`python -m app.admin`: mediator keys made and revoked by the operator, the chain checked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.app.live_server import ROOT


def admin(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path / 'exchange.db'}"}
    return subprocess.run(
        [sys.executable, "-m", "app.admin", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_admin_creates_lists_and_revokes_mediator_keys(tmp_path: Path) -> None:
    created = admin(tmp_path, "keys", "create")
    assert created.returncode == 0, created.stderr
    lines = dict(line.split(":", 1) for line in created.stdout.splitlines() if ":" in line)
    key_id, token = lines["key id"].strip(), lines["token"].strip()
    assert token.startswith(f"exk_{key_id}_")
    listed = admin(tmp_path, "keys", "list")
    assert key_id in listed.stdout
    assert token not in listed.stdout
    assert token.encode() not in (tmp_path / "exchange.db").read_bytes()
    assert admin(tmp_path, "keys", "revoke", key_id).returncode == 0
    assert admin(tmp_path, "keys", "revoke", key_id).returncode == 1
    verified = admin(tmp_path, "audit", "verify")
    assert verified.returncode == 0
    assert "intact" in verified.stdout
    assert admin(tmp_path, "purge").returncode == 0
