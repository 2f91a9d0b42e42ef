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

    def stop(self, sig: signal.Signals = signal.SIGINT, timeout_s: float = 20.0) -> None:
        """Stop the server with `sig` (SIGKILL: as if the machine lost power), then make
        sure nothing of its process group is left."""
        process = self._process
        if process is None:
            return
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
        _kill_group(process.pid)

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


def _kill_group(pid: int) -> None:
    # The group is the server's own (start_new_session): its id is the server's pid.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
