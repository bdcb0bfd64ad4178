"""Orchard's Starlette app (the GraphQL endpoint, health, metrics) and the `orchard` CLI."""

from __future__ import annotations

import gc
import itertools
import logging
import os
import re
import sys
import time
from contextlib import asynccontextmanager
from typing import Any

import orjson
from graphql import GraphQLError
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from strawberry.http.ides import get_graphql_ide_html

from dashboard.routes import routes as dashboard_routes
from domain.errors import AccessDenied, DomainError
from domain.idempotency import in_flight, keep_keys_for
from domain.notifications import service as notifications
from domain.partners import sales as bundle_sales
from domain.stores.services import authenticate
from infra import cache, contention, db
from infra.clock import SYSTEM_CLOCK, Clock
from infra.observability import Metrics, configure_logging, request_id_var
from infra.ratelimit import rate_limiter
from infra.settings import Settings, load_settings
from resolvers.context import RequestContext
from schema.execution import OperationRunner
from schema.relay import InvalidGlobalId
from schema.root import build_schema

log = logging.getLogger("orchard.http")
OPERATION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MAX_BODY_BYTES = 1_000_000
YOUNG_GC_THRESHOLD = 5_000  # see create_app(tune_gc=True)


_REQUEST_PREFIX = os.urandom(4).hex()
_request_serial = itertools.count(1)


def _next_request_id() -> str:
    """Unique per process start and request; cheaper than a uuid4 on the hot path."""
    return f"{_REQUEST_PREFIX}-{next(_request_serial):x}"


class JsonAnswer:
    """A JSON response sent in two ASGI messages with nothing else built: the GraphQL endpoint's
    answer, on the path every operation takes (starlette's JSONResponse builds and checks its
    headers through a MutableHeaders object per response)."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, payload: dict[str, Any], status: int = 200, request_id: str | None = None) -> None:
        self.status = status
        self.body = orjson.dumps(payload)
        self.headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(self.body))]
        if request_id is not None:
            self.headers.append((b"x-request-id", request_id.encode("latin-1")))

    async def __call__(self, scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body})


UNAVAILABLE = "SERVICE_UNAVAILABLE"
UNAVAILABLE_MESSAGE = "The service is briefly unavailable. Send the request again (with the same idempotency key)."


def _unavailable_extensions(request_id: str | None) -> dict[str, Any]:
    return {"code": UNAVAILABLE, "retryable": True, "requestId": request_id}


def _is_unavailable(error: GraphQLError) -> bool:
    return error.original_error is not None and contention.is_unavailable(error.original_error)


def _error_response(status: int, code: str, message: str) -> JsonAnswer:
    return JsonAnswer({"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}, status)


class GraphQLEndpoint:
    def __init__(self, settings: Settings, clock: Clock, metrics: Metrics) -> None:
        self.settings = settings
        self.clock = clock
        self.metrics = metrics
        self.schema = build_schema()
        self.operations = OperationRunner(self.schema, settings)
        self.rate_limiter = rate_limiter(settings.redis_url, settings.rate_per_second, settings.rate_burst)

    async def __call__(self, scope, receive, send) -> None:
        request = Request(scope, receive)
        if request.method == "GET":
            response = self.ide()
        elif request.method == "POST":
            try:
                response = await self.post(request)
            except Exception as exc:  # resolvers' errors are in the result: this is the HTTP layer's own failure
                if contention.is_unavailable(exc):
                    response = await self.unavailable(exc)
                else:
                    log.exception("unhandled error answering an operation")
                    self.metrics.errors.labels("INTERNAL_SERVER_ERROR").inc()
                    response = _error_response(500, "INTERNAL_SERVER_ERROR", "Internal server error.")
        else:
            response = PlainTextResponse("Method not allowed", 405)
        await response(scope, receive, send)

    async def unavailable(self, exc: BaseException) -> JsonAnswer:
        """The whole request failed on an unreachable database or cache: 503, retry with the same keys."""
        await self.lost_connections(exc)
        self.metrics.errors.labels(UNAVAILABLE).inc()
        answer = JsonAnswer(
            {"data": None, "errors": [{"message": UNAVAILABLE_MESSAGE, "extensions": _unavailable_extensions(request_id_var.get())}]},
            503, request_id=request_id_var.get(),
        )
        answer.headers.append((b"retry-after", b"1"))
        return answer

    async def lost_connections(self, exc: BaseException) -> None:
        log.warning("database or cache unavailable: %s: %s", type(exc).__name__, str(exc)[:200])
        try:
            await db.discard_connections()
        except Exception:
            log.warning("could not discard the pool's connections", exc_info=True)

    def ide(self) -> Response:
        if self.settings.is_production:
            return PlainTextResponse("Not found", 404)
        return HTMLResponse(get_graphql_ide_html("graphiql"))

    async def post(self, request: Request) -> JsonAnswer:
        request_id = request.headers.get("x-request-id") or _next_request_id()
        request_id_var.set(request_id)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return _error_response(415, "UNSUPPORTED_MEDIA_TYPE", "Send the operation as application/json.")
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return _error_response(413, "PAYLOAD_TOO_LARGE", "The request body is too large.")
        try:
            params = orjson.loads(body)
        except orjson.JSONDecodeError:
            return _error_response(400, "BAD_REQUEST", "The body is not valid JSON.")
        if not isinstance(params, dict) or not isinstance(params.get("query"), str):
            return _error_response(400, "BAD_REQUEST", "The body needs a `query` string.")
        variables = params.get("variables") or {}
        operation_name = params.get("operationName")
        if not isinstance(variables, dict) or (operation_name is not None and not isinstance(operation_name, str)):
            return _error_response(400, "BAD_REQUEST", "`variables` must be an object and `operationName` a string.")

        header = request.headers.get("authorization", "")
        bearer = header[7:].strip() if header.lower().startswith("bearer ") else None
        viewer = await authenticate(bearer, settings=self.settings, clock=self.clock)
        if viewer is None:
            return _error_response(401, "UNAUTHENTICATED", "The token or API key is invalid or expired.")
        client = request.client.host if request.client else None
        limiter_key = viewer.idempotency_scope if not viewer.is_anonymous else f"ip:{client}"
        if not await self.rate_limiter.take(limiter_key):
            self.metrics.errors.labels("RATE_LIMITED").inc()
            return _error_response(429, "RATE_LIMITED", "Too many operations; slow down and retry shortly.")

        label = operation_name if operation_name and OPERATION_NAME.match(operation_name) else "anonymous"
        context = RequestContext(
            viewer=viewer, settings=self.settings, clock=self.clock, request_id=request_id, client_address=client
        )
        started = time.perf_counter()
        try:
            result = await self.operations.execute(
                params["query"], variables=variables, operation_name=operation_name, context=context
            )
        finally:
            context.finish()
        elapsed = time.perf_counter() - started
        payload: dict[str, Any] = {"data": result.data}
        status = 200
        if result.errors:
            payload["errors"] = [self.format_error(e, request_id) for e in result.errors]
            lost = next((e.original_error for e in result.errors if _is_unavailable(e)), None)
            if lost is not None:
                await self.lost_connections(lost)
                status = 503
        if result.extensions:
            payload["extensions"] = result.extensions
        self.metrics.latency.labels(label).observe(elapsed)
        self.metrics.operations.labels(label, "error" if result.errors else "ok").inc()
        answer = JsonAnswer(payload, status, request_id=request_id)
        if status == 503:
            answer.headers.append((b"retry-after", b"1"))
        return answer

    def format_error(self, error: GraphQLError, request_id: str) -> dict[str, Any]:
        original = error.original_error
        formatted = error.formatted
        extensions = dict(formatted.get("extensions") or {})
        if isinstance(original, AccessDenied):
            extensions["code"] = "UNAUTHENTICATED" if original.unauthenticated else "FORBIDDEN"
        elif isinstance(original, DomainError):
            extensions["code"] = "BAD_USER_INPUT"
            extensions["reason"] = original.code
        elif isinstance(original, InvalidGlobalId):
            formatted["message"] = "That ID is not valid."
            extensions["code"] = "BAD_USER_INPUT"
        elif original is not None and contention.is_unavailable(original):
            formatted = {"message": UNAVAILABLE_MESSAGE, "path": formatted.get("path")}
            extensions = _unavailable_extensions(request_id)
        elif original is not None and not isinstance(original, GraphQLError):
            log.error("unhandled error in resolver", exc_info=original, extra={"path": error.path})
            formatted = {"message": "Internal server error.", "path": formatted.get("path")}
            extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
        else:
            extensions.setdefault("code", "GRAPHQL_VALIDATION_FAILED" if error.locations else "BAD_REQUEST")
        formatted["extensions"] = extensions
        self.metrics.errors.labels(extensions["code"]).inc()
        return formatted


class OrchardApp(Starlette):
    """Starlette, with `/graphql` answered straight by its endpoint.

    Every operation would otherwise pass starlette's error and exception middleware, its router
    and its route's exception wrapper: a visible share of a `{ __typename }` under py-spy. The
    endpoint answers its own failures (a 500 with a JSON body, logged) as that middleware would.
    """

    def __init__(self, graphql: GraphQLEndpoint, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.graphql = graphql

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["path"] == "/graphql":
            scope["app"] = self
            await self.graphql(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def create_app(
    settings: Settings | None = None, clock: Clock = SYSTEM_CLOCK, *, manage_db: bool = True, tune_gc: bool = False
) -> Starlette:
    """The ASGI app. `manage_db=False` when the caller (a test) has opened the database already.

    `tune_gc=True` (the served worker) tunes the cyclic garbage collector for serving: what is
    alive after start-up (schema, models, pools: some 120,000 objects) is frozen out of its
    reach, so full collections walk only what requests made; and the youngest generation is
    collected every 5,000 net allocations rather than 700, since with a dozen requests in flight
    each young collection walked all their live objects and collected almost nothing. Measured on
    the balance query with 16 requests in flight: the collector's time per request went from
    about 75 us to about 25. Tests leave it off (they build many apps).
    """
    settings = settings or load_settings()
    in_flight.configure(
        wait_seconds=settings.lock_timeout_ms / 1000, lease_seconds=max(15.0, 3 * settings.statement_timeout_ms / 1000)
    )
    keep_keys_for(hours=settings.idempotency_ttl_hours)
    bundle_sales.install()
    metrics = Metrics()
    graphql = GraphQLEndpoint(settings, clock, metrics)

    if not settings.is_production:
        # Development delivers messages to the log; production plugs in real adapters.
        for channel in notifications.Channel:
            notifications.use_adapter_unless_set(channel, notifications.LogAdapter())

    @asynccontextmanager
    async def lifespan(_app):
        cache.configure(settings.redis_url)
        if manage_db:
            await db.init_db(settings)
        if tune_gc:
            gc.collect()
            gc.freeze()
            gc.set_threshold(YOUNG_GC_THRESHOLD, *gc.get_threshold()[1:])
        try:
            yield
        finally:
            if manage_db:
                await db.close_db()
            await cache.close()

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> Response:
        # Readiness follows the database only: Redis is a cache and the shared rate-limit store,
        # and a worker degrades without it (infra.cache), so a Redis outage must not take every
        # worker out of the load balancer. Its state is reported for the operator.
        ok = await db.ping()
        body = {"status": "ready" if ok else "unavailable", "database": ok, "cache": cache.status()}
        return JSONResponse(body, 200 if ok else 503)

    async def metrics_endpoint(_request: Request) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    app = OrchardApp(
        graphql,
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics_endpoint),
            *dashboard_routes(settings, clock),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.graphql = graphql
    return app


def asgi() -> Starlette:
    """Factory for `uvicorn --factory app:asgi` (each worker builds its own app)."""
    configure_logging()
    return create_app(tune_gc=True)


def main(argv: list[str] | None = None) -> int:
    """The `orchard` command (see cli.py)."""
    from cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
