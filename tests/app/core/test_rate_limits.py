"""The per-key rate limit: `burst` requests in any `burst / rate` seconds, counted in
memory, or in the database so that every instance on it counts together."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from app.core.config import Settings
from app.core.db import make_engine, migrate
from app.core.rate_limits import DatabaseCounters, RateLimiter
from app.models import RateLimitCounterRecord
from tests.app.databases import DATABASES, database_url


@pytest.fixture(params=DATABASES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with database_url(request.param, tmp_path) as url:
        engine = make_engine(Settings(database_url=url))
        migrate(engine)
        yield engine
        engine.dispose()


def test_memory_limit_allows_the_burst_then_says_how_long_to_wait() -> None:
    limiter = RateLimiter(rate_per_s=1, burst=3)
    assert [limiter.retry_after("key:a") for _ in range(3)] == [None, None, None]
    wait = limiter.retry_after("key:a")
    assert wait is not None
    assert 1 <= wait <= 3
    assert limiter.retry_after("key:b") is None, "each key has its own count"


def test_no_rate_means_no_limit() -> None:
    limiter = RateLimiter(rate_per_s=0, burst=1)
    assert all(limiter.retry_after("key:a") is None for _ in range(50))


def test_instances_on_one_database_share_the_count(engine: Engine) -> None:
    """Two limiters on the same database, as two instances of the service would have."""
    first = RateLimiter(rate_per_s=0.1, burst=4, storage="database", engine=engine)
    second = RateLimiter(rate_per_s=0.1, burst=4, storage="database", engine=engine)
    allowed = [limiter.retry_after("key:a") for limiter in (first, second, first, second)]
    assert allowed == [None, None, None, None]
    for limiter in (first, second):
        wait = limiter.retry_after("key:a")
        assert wait is not None
        assert 1 <= wait <= 80
    assert first.retry_after("key:b") is None


def test_database_counters_keep_only_the_windows_they_need(engine: Engine) -> None:
    counters = DatabaseCounters(engine)
    assert counters.check()
    for _ in range(3):
        assert counters.acquire_sliding_window_entry("key:a", limit=10, expiry=60)
    previous, _, current, current_ttl = counters.get_sliding_window("key:a", 60)
    assert (previous, current) == (0, 3)
    assert 60 < current_ttl <= 120
    assert counters.incr("plain", expiry=30) == 1
    assert counters.incr("plain", expiry=30, amount=2) == 3
    assert counters.get("plain") == 3
    with engine.connect() as connection:
        rows = connection.scalar(select(func.count()).select_from(RateLimitCounterRecord))
    assert rows == 2
    counters.clear("key:a")
    assert counters.get_sliding_window("key:a", 60)[2] == 0
    assert counters.reset() == 1
