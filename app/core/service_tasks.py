"""Tasks the service runs beside its requests (storing the examples, the retention purge),
stopped at shut-down only once every call they handed to a thread has returned.

asyncio's `Task.cancel()` ends a task at once even while it waits on `run_in_threadpool`:
the call runs on in its thread, past the service's end (on a disposed engine) and, under
the test client, whose threads are daemons, into the interpreter's exit. A native library
still working in that thread (DuckDB, in the example reconciliation) then takes the GIL
back, CPython ends the thread with `pthread_exit`, and the C++ frames on its stack abort
the whole process ("FATAL: exception not rethrown", exit code 134). An anyio cancel scope
lets a call already in a thread finish (a thread cannot be stopped), then cancels the
task at its next await.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

import anyio

logger = logging.getLogger(__name__)


class ServiceTasks:
    """Coroutines started at start-up and stopped, then awaited, at shut-down."""

    def __init__(self) -> None:
        self._running: list[tuple[asyncio.Task[None], anyio.CancelScope]] = []

    def start(self, work: Coroutine[Any, Any, None], name: str) -> None:
        scope = anyio.CancelScope()

        async def run() -> None:
            with scope:
                await work

        self._running.append((asyncio.create_task(run(), name=name), scope))

    async def stop(self) -> None:
        """Cancel every task and wait until each has ended: a blocking call one of them
        has in a thread runs to its end first (seconds at most: a purge, a small example
        reconciliation)."""
        running, self._running = self._running, []
        for _task, scope in running:
            scope.cancel()
        for task, _scope in running:
            try:
                await task
            except Exception as exc:  # a task's own bug must not stop the shut-down
                logger.error("%s failed: %s", task.get_name(), type(exc).__name__)
