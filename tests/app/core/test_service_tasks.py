"""The service's own tasks: stopped at shut-down, but never while a call of theirs is in a
thread (it would run on into the interpreter's exit)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import pytest
from starlette.concurrency import run_in_threadpool

from app.core.service_tasks import ServiceTasks

# Only to notice a hang: nothing here takes more than a second.
HANG_S = 30.0


async def wait_for(event: threading.Event) -> None:
    deadline = time.monotonic() + HANG_S
    while not event.is_set():
        assert time.monotonic() < deadline, "the task never started"
        await asyncio.sleep(0.01)


def test_stop_waits_for_a_call_in_a_thread_then_cancels_the_task() -> None:
    started, returned = threading.Event(), threading.Event()
    went_on: list[str] = []

    def blocking_call() -> None:
        started.set()
        time.sleep(0.3)
        returned.set()

    async def work() -> None:
        await run_in_threadpool(blocking_call)
        went_on.append("after the call")
        await asyncio.sleep(HANG_S)
        went_on.append("after the sleep")

    async def scenario() -> None:
        tasks = ServiceTasks()
        tasks.start(work(), "blocking")
        await wait_for(started)
        await asyncio.wait_for(tasks.stop(), HANG_S)
        # asyncio's Task.cancel() would have let the call run on in its thread.
        assert returned.is_set(), "stop() returned while the call was still in its thread"

    asyncio.run(scenario())
    assert went_on == ["after the call"], "cancelled at the first await after the call"


def test_stop_cancels_a_task_that_waits_on_the_event_loop() -> None:
    cancelled = asyncio.Event()

    async def work() -> None:
        try:
            await asyncio.sleep(HANG_S)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def scenario() -> None:
        tasks = ServiceTasks()
        tasks.start(work(), "sleeping")
        await asyncio.sleep(0)
        await asyncio.wait_for(tasks.stop(), HANG_S)
        assert cancelled.is_set()

    asyncio.run(scenario())


def test_a_task_that_failed_is_logged_and_the_others_still_stop(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stopped = asyncio.Event()

    async def failing() -> None:
        raise RuntimeError("a bug")

    async def waiting() -> None:
        try:
            await asyncio.sleep(HANG_S)
        finally:
            stopped.set()

    async def scenario() -> None:
        tasks = ServiceTasks()
        tasks.start(failing(), "failing")
        tasks.start(waiting(), "waiting")
        await asyncio.sleep(0)
        await asyncio.wait_for(tasks.stop(), HANG_S)
        assert stopped.is_set()

    with caplog.at_level(logging.ERROR, logger="app.core.service_tasks"):
        asyncio.run(scenario())
    assert [r.getMessage() for r in caplog.records] == ["failing failed: RuntimeError"]
