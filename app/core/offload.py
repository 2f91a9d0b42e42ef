"""CPU-heavy document work (reading a 20 MB request, writing a manifest) off the event loop.

A thread is not enough: pydantic's JSON parser holds the GIL for a whole document, so a
big body parsed in the threadpool would still freeze every other request (health probes
included) for a second or more. Documents above `inline_below` bytes are therefore handled
in a helper process; smaller ones, the common case, in the threadpool.

Only strings and small values cross the process boundary: unpickling a parsed model of
100,000 people would hold the GIL just as long as parsing it.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from starlette.concurrency import run_in_threadpool

from app.problems import ProblemError, ProblemItem, invalid_request
from solver.input_errors import InvalidRequest

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class _Rejected:
    """A 422 found in the helper process, carried back as values (exceptions with custom
    constructors do not survive pickling intact)."""

    problems: list[ProblemItem]


def _guarded(function: Callable[..., T], args: tuple[Any, ...]) -> T | _Rejected:
    try:
        return function(*args)
    except InvalidRequest as error:
        return _Rejected([ProblemItem.model_validate(p.model_dump()) for p in error.problems])
    except ProblemError as error:
        if error.status != 422 or error.errors is None:
            raise
        return _Rejected(error.errors)
    except RecursionError:
        # JSON nested thousands deep: Python's decoder gives up; it is the body's fault.
        return _Rejected([too_deep()])


def too_deep() -> ProblemItem:
    return ProblemItem(
        side=None,
        id=None,
        field="request",
        rule="too_deep",
        message="the JSON nests too deeply to be a request",
    )


def _warm_up() -> None:
    """Import what the document functions need before the first request waits for it."""
    import app.csv_lists
    import app.manifest
    import app.scenarios
    import app.verification  # noqa: F401


class Offload:
    """Runs module-level functions on documents, inline or in a helper process by size."""

    def __init__(
        self,
        processes: int,
        inline_below: int,
        start_method: Literal["spawn", "forkserver"] = "spawn",
    ) -> None:
        self._helper_count = processes
        self.inline_below = inline_below
        self._context = multiprocessing.get_context(start_method)
        self._executor: ProcessPoolExecutor | None = None
        self._warm: Future[None] | None = None

    def start(self) -> None:
        if self._helper_count > 0:
            self._executor = self._new_executor()
            self._warm = self._executor.submit(_warm_up)

    def ready(self) -> bool:
        """True once the helper has started and imported what documents need (always
        true without helpers: documents then go to threads)."""
        if self._helper_count == 0:
            return True
        warm = self._warm
        return warm is not None and warm.done() and not warm.cancelled() and not warm.exception()

    def state(self) -> Literal["ready", "starting", "off"]:
        if self._helper_count == 0:
            return "off"
        return "ready" if self.ready() else "starting"

    def close(self, timeout_s: float = 5.0) -> None:
        """End the helper processes: asked to finish, then killed if they have not within
        `timeout_s`. A helper still starting up would otherwise outlive the service."""
        executor, self._executor, self._warm = self._executor, None, None
        if executor is None:
            return
        # The executor's own list of its processes: shutdown(wait=False) forgets them.
        processes = list((getattr(executor, "_processes", None) or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + timeout_s
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
        for process in processes:
            if process.is_alive():
                logger.warning("document helper %s did not stop; killed", process.pid)
                process.kill()
                process.join(2.0)

    async def run(self, size: int, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)`; its InvalidRequest or 422 problem is raised here as a 422."""
        if self._executor is None or size < self.inline_below:
            answer = await run_in_threadpool(_guarded, function, args)
        else:
            answer = await self._in_process(function, args)
        if isinstance(answer, _Rejected):
            raise invalid_request(answer.problems)
        return answer

    async def _in_process(self, function: Callable[..., T], args: tuple[Any, ...]) -> T | _Rejected:
        assert self._executor is not None
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, _guarded, function, args)
        except BrokenProcessPool:
            # The helper died (out of memory, say): replace it, and fail this request only.
            logger.error("document helper process died; replacing it")
            self._executor = self._new_executor()
            raise

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self._helper_count, mp_context=self._context)
