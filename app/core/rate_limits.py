"""The per-key rate limit, counted by the `limits` package where the operator says.

Each key may make `burst` requests in any window of `burst / rate` seconds (limits'
sliding window counter: the previous window's count, weighted by how much of it still
overlaps, plus the current one's), which averages `rate` requests a second. The counts
live in this process's memory by default; with several instances of the service they
must be shared, and `rate_limit_storage = "database"` keeps them in the service's own
database (`DatabaseCounters`), or any other storage URL `limits` knows (a Redis server,
say) can be given.
"""

from __future__ import annotations

import math
import time
from typing import Any, Protocol, cast

from limits import RateLimitItemPerSecond
from limits.storage import SlidingWindowCounterSupport, Storage, storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter
from sqlalchemy import Engine, Table, delete, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from app.models import RateLimitCounterRecord

DATABASE_STORAGE = "database"
_COUNTERS = cast(Table, RateLimitCounterRecord.__table__)


class DatabaseCounters(Storage, SlidingWindowCounterSupport):
    """A `limits` storage in the service's database (SQLite or PostgreSQL): one row per
    key and time window, incremented in one statement, so instances on the same database
    count together. Old windows of a key are deleted as it is counted."""

    STORAGE_SCHEME = None

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self._engine = engine
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        self._insert = dialect.insert

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    # ------------------------------------------------- a counter with an expiry (window 0)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._engine.begin() as connection:
            connection.execute(
                delete(_COUNTERS).where(
                    _COUNTERS.c.key == key, _COUNTERS.c.window == 0, _COUNTERS.c.expires_at <= now
                )
            )
            return self._add(connection, key, 0, amount, now + expiry)

    def get(self, key: str) -> int:
        return self._counts(key, [0], time.time()).get(0, 0)

    def get_expiry(self, key: str) -> float:
        with self._engine.connect() as connection:
            expires = connection.scalar(
                select(_COUNTERS.c.expires_at).where(
                    _COUNTERS.c.key == key, _COUNTERS.c.window == 0
                )
            )
        return float(expires) if expires is not None else time.time()

    def check(self) -> bool:
        try:
            with self._engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self._engine.begin() as connection:
            result = connection.execute(delete(_COUNTERS))
        return int(getattr(result, "rowcount", 0) or 0)

    def clear(self, key: str) -> None:
        with self._engine.begin() as connection:
            connection.execute(delete(_COUNTERS).where(_COUNTERS.c.key == key))

    # ------------------------------------------------------------- the sliding window

    def acquire_sliding_window_entry(
        self, key: str, limit: int, expiry: int, amount: int = 1
    ) -> bool:
        if amount > limit:
            return False
        now = time.time()
        current = int(now // expiry)
        previous_count, previous_ttl, current_count, _ = self._window(key, expiry, now)
        if math.floor(previous_count * previous_ttl / expiry + current_count) + amount > limit:
            return False
        with self._engine.begin() as connection:
            connection.execute(
                delete(_COUNTERS).where(
                    _COUNTERS.c.key == key,
                    _COUNTERS.c.window > 0,
                    _COUNTERS.c.window < current - 1,
                )
            )
            counted = self._add(connection, key, current, amount, (current + 2) * expiry)
            if math.floor(previous_count * previous_ttl / expiry + counted) > limit:
                # Another instance counted a request meanwhile: this one is refused.
                connection.execute(
                    update(_COUNTERS)
                    .where(_COUNTERS.c.key == key, _COUNTERS.c.window == current)
                    .values(count=_COUNTERS.c.count - amount)
                )
                return False
        return True

    def get_sliding_window(self, key: str, expiry: int) -> tuple[int, float, int, float]:
        return self._window(key, expiry, time.time())

    def clear_sliding_window(self, key: str, expiry: int) -> None:
        self.clear(key)

    def _window(self, key: str, expiry: int, now: float) -> tuple[int, float, int, float]:
        """(previous count, its time left, current count, its time left), as limits'
        own storages compute them."""
        current = int(now // expiry)
        counts = self._counts(key, [current - 1, current], now)
        previous_count, current_count = counts.get(current - 1, 0), counts.get(current, 0)
        previous_ttl = 0.0 if previous_count == 0 else (1 - ((now - expiry) / expiry) % 1) * expiry
        current_ttl = (1 - (now / expiry) % 1) * expiry + expiry
        return previous_count, previous_ttl, current_count, current_ttl

    # ------------------------------------------------------------------ rows

    def _counts(self, key: str, windows: list[int], now: float) -> dict[int, int]:
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(_COUNTERS.c.window, _COUNTERS.c.count).where(
                    _COUNTERS.c.key == key,
                    _COUNTERS.c.window.in_(windows),
                    _COUNTERS.c.expires_at > now,
                )
            ).all()
        return {int(window): int(count) for window, count in rows}

    def _add(self, connection: Any, key: str, window: int, amount: int, expires_at: float) -> int:
        """Add `amount` to a window's counter, creating it if need be; the new count."""
        statement = self._insert(_COUNTERS).values(
            key=key, window=window, count=amount, expires_at=expires_at
        )
        statement = statement.on_conflict_do_update(
            index_elements=[_COUNTERS.c.key, _COUNTERS.c.window],
            set_={"count": _COUNTERS.c.count + statement.excluded.count},
        ).returning(_COUNTERS.c.count)
        return int(connection.execute(statement).scalar_one())


class RateLimiter:
    """`burst` requests per key in any `burst / rate` seconds, counted in `storage`."""

    def __init__(
        self,
        rate_per_s: float,
        burst: int,
        storage: str = "memory://",
        engine: Engine | None = None,
    ) -> None:
        self._on = rate_per_s > 0
        window = max(1, math.ceil(burst / rate_per_s)) if self._on else 1
        self._item = RateLimitItemPerSecond(burst, window)
        if storage == DATABASE_STORAGE:
            if engine is None:
                raise ValueError("the database rate-limit storage needs the service's engine")
            self._storage: Storage = DatabaseCounters(engine)
        else:
            found = storage_from_string(storage)
            if not isinstance(found, Storage):
                raise ValueError(f"{storage!r} is an asynchronous storage; use a synchronous one")
            self._storage = found
        self._limiter = SlidingWindowCounterRateLimiter(self._storage)
        # Memory is answered at once; any other storage is a round trip, kept off the
        # event loop by the caller.
        self.blocks = storage != "memory://"

    def retry_after(self, key: str) -> int | None:
        """None when the request may go ahead (and is counted), else whole seconds to wait."""
        if not self._on:
            return None
        if self._limiter.hit(self._item, key):
            return None
        reset_at = self._limiter.get_window_stats(self._item, key).reset_time
        return max(1, math.ceil(reset_at - time.time()))


class RetryAfter(Protocol):
    """A rate limiter as the API and the pages use it (`RateLimiter`)."""

    blocks: bool

    def retry_after(self, key: str) -> int | None: ...


async def retry_after_off_loop(limiter: RetryAfter, key: str) -> int | None:
    """`limiter.retry_after(key)` from a request handler: in a thread when the count is a
    round trip (the database, another store), so that it never holds up the event loop."""
    if limiter.blocks:
        return await run_in_threadpool(limiter.retry_after, key)
    return limiter.retry_after(key)
