"""Prometheus metrics: requests by route template, solves by outcome, the queue's depth.

Labels are route templates (`/v1/plans/{plan_id}`) and status codes, never ids or
anything from a request body. Each app has its own registry, so tests can build many.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from app.solving.pool import SolverPool

_SOLVE_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)


class ServiceMetrics:
    """The service's metrics and the registry `/metrics` renders."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "exchange_http_requests",
            "HTTP requests by method, route template and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "exchange_http_request_duration_seconds",
            "HTTP request latency by method and route template.",
            ["method", "route"],
            registry=self.registry,
        )
        self.solves = Counter(
            "exchange_solves",
            "Finished solves by outcome (plan status, cancelled or failed).",
            ["outcome"],
            registry=self.registry,
        )
        self.solve_seconds = Histogram(
            "exchange_solve_duration_seconds",
            "Wall time of finished solves.",
            buckets=_SOLVE_BUCKETS,
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "exchange_solve_queue_depth",
            "Solves waiting for a free worker.",
            registry=self.registry,
        )
        self.solves_running = Gauge(
            "exchange_solves_running", "Solves in progress.", registry=self.registry
        )
        self.workers_alive = Gauge(
            "exchange_solver_workers_alive",
            "Solver worker processes ready to solve.",
            registry=self.registry,
        )

    def track_pool(self, pool: SolverPool) -> None:
        """Read the pool's gauges at scrape time instead of updating them on every change."""
        self.queue_depth.set_function(pool.queue_depth)
        self.solves_running.set_function(pool.running)
        self.workers_alive.set_function(pool.workers_alive)

    def record_solve(self, outcome: str, seconds: float) -> None:
        self.solves.labels(outcome=outcome).inc()
        self.solve_seconds.observe(seconds)


class RequestMetricsMiddleware:
    """Counts and times every HTTP request under the route template it matched."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def observe_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, observe_status)
        finally:
            route = route_template(scope)
            method = str(scope.get("method", ""))
            self.metrics.requests.labels(method=method, route=route, status=str(status)).inc()
            self.metrics.request_seconds.labels(method=method, route=route).observe(
                time.perf_counter() - started
            )


def route_template(scope: Scope) -> str:
    """The matched route as a template (`/v1/plans/{plan_id}`); unmatched paths share one.

    The router leaves the matched route in the scope, but a route of an included router
    knows only its own path, so the literal prefix in front of it is taken from the URL.
    """
    route = scope.get("route")
    template = getattr(route, "path", None)
    regex = getattr(route, "path_regex", None)
    if not isinstance(template, str) or regex is None:
        return "unmatched"
    path = str(scope.get("path", ""))
    for position, char in enumerate(path):
        if char == "/" and regex.match(path[position:]):
            return path[:position] + template
    return template
