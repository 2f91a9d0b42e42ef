"""A real uvicorn process on 127.0.0.1 for the tests that need one (logs, signals, load).

The server runs in its own process group, so that stopping it also ends its solver
workers; everything it writes (its logs and its workers') goes to one file the tests read.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LiveServer:
    """`uvicorn APP --host 127.0.0.1` on a free port with `EXCHANGE_*` settings."""

    def __init__(
        self,
        folder: Path,
        settings: dict[str, str],
        app: str = "tests.app.live_app:app",
        host: str = "127.0.0.1",
        port: int | None = None,
    ) -> None:
        self.folder = folder
        self.port = port or free_port()
        self.host = host
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / "server.log"
        self._env = {
            **os.environ,
            "EXCHANGE_DATABASE_URL": f"sqlite:///{folder / 'exchange.db'}",
            "EXCHANGE_SEED_EXAMPLES": "false",
            **settings,
        }
        self._command = [sys.executable, "-m", "uvicorn", app, "--host", host]
        self._command += ["--port", str(self.port)]
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> LiveServer:
        log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            self._command,
            cwd=ROOT,
            env=self._env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        with httpx.Client(base_url=self.base_url, timeout=5) as probe:
            while not _ready(probe):
                assert self._process.poll() is None, self.log()
                assert time.monotonic() < deadline, "the server did not become ready"
                time.sleep(0.1)
        return self

    def stop(
        self,
        sig: signal.Signals = signal.SIGINT,
        timeout_s: float = 20.0,
        leftovers_wait_s: float = 0.0,
    ) -> list[str]:
        """Stop the server with `sig` (SIGKILL: as if the machine lost power), then make
        sure nothing of its process group is left.

        Returns the command lines of the group's processes still running
        `leftovers_wait_s` after the server itself ended (its children should have gone
        with it); they are killed either way."""
        process = self._process
        if process is None:
            return []
        self._process = None
        if sig == signal.SIGKILL:
            _kill_group(process.pid)
        else:
            process.send_signal(sig)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _kill_group(process.pid)
            process.wait(timeout=5)
        deadline = time.monotonic() + leftovers_wait_s
        left = group_members(process.pid)
        while left and time.monotonic() < deadline:
            time.sleep(0.1)
            left = group_members(process.pid)
        _kill_group(process.pid)
        return left

    def kill(self) -> None:
        """SIGKILL the server process alone, as the OOM killer would: its children are
        left to notice (they are ended when the test stops the group)."""
        assert self._process is not None
        self._process.kill()
        self._process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def client(self, timeout_s: float = 30.0) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=timeout_s)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _ready(client: httpx.Client) -> bool:
    try:
        return client.get("/readyz").status_code == 200
    except httpx.TransportError:
        return False


def group_members(group: int) -> list[str]:
    """Command lines of the live processes in a process group (Linux: read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            # The fields after the command name (which may hold spaces) in parentheses.
            state, _parent, pgrp = stat.rsplit(")", 1)[1].split()[:3]
            if int(pgrp) != group or state == "Z":
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except (OSError, ValueError, IndexError):
            continue
        found.append(f"{entry.name}: {command}")
    return found


def _kill_group(pid: int) -> None:
    # The group is the server's own (start_new_session): its id is the server's pid.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
