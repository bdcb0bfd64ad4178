"""Orchard's Starlette app (the GraphQL endpoint, health, metrics) and the `orchard` CLI."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
import sys
import time
import uuid
from contextlib import asynccontextmanager
from typing import Any

from graphql import GraphQLError
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from strawberry.http.ides import get_graphql_ide_html

from domain import cache, db
from domain.clock import SYSTEM_CLOCK, Clock
from domain.errors import AccessDenied, DomainError
from domain.notifications import service as notifications
from domain.observability import Metrics, configure_logging, request_id_var
from domain.ratelimit import RateLimiter
from domain.settings import Settings, load_settings
from domain.stores.services import authenticate
from resolvers.context import RequestContext
from schema.relay import InvalidGlobalId
from schema.root import build_schema

log = logging.getLogger("orchard.http")
OPERATION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
SUGGESTION = re.compile(r" Did you mean .*\?$")
MAX_BODY_BYTES = 1_000_000


def _error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}, status)


class GraphQLEndpoint:
    def __init__(self, settings: Settings, clock: Clock, metrics: Metrics) -> None:
        self.settings = settings
        self.clock = clock
        self.metrics = metrics
        self.schema = build_schema(settings)
        self.rate_limiter = RateLimiter(
            rate_per_second=settings.extra.get("rate_per_second", 100.0),
            burst=settings.extra.get("rate_burst", 200.0),
        )

    async def __call__(self, scope, receive, send) -> None:
        request = Request(scope, receive)
        if request.method == "GET":
            response = self.ide()
        elif request.method == "POST":
            response = await self.post(request)
        else:
            response = PlainTextResponse("Method not allowed", 405)
        await response(scope, receive, send)

    def ide(self) -> Response:
        if self.settings.is_production:
            return PlainTextResponse("Not found", 404)
        return HTMLResponse(get_graphql_ide_html("graphiql"))

    async def post(self, request: Request) -> Response:
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        request_id_var.set(request_id)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return _error_response(415, "UNSUPPORTED_MEDIA_TYPE", "Send the operation as application/json.")
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return _error_response(413, "PAYLOAD_TOO_LARGE", "The request body is too large.")
        try:
            params = json.loads(body)
        except ValueError:
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
        if not self.rate_limiter.allow(limiter_key):
            self.metrics.errors.labels("RATE_LIMITED").inc()
            return _error_response(429, "RATE_LIMITED", "Too many operations; slow down and retry shortly.")

        label = operation_name if operation_name and OPERATION_NAME.match(operation_name) else "anonymous"
        context = RequestContext(
            viewer=viewer, settings=self.settings, clock=self.clock, request_id=request_id, client_address=client
        )
        started = time.perf_counter()
        result = await self.schema.execute(
            params["query"], variable_values=variables, context_value=context, operation_name=operation_name
        )
        elapsed = time.perf_counter() - started
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [self.format_error(e, request_id) for e in result.errors]
        if result.extensions:
            payload["extensions"] = result.extensions
        self.metrics.latency.labels(label).observe(elapsed)
        self.metrics.operations.labels(label, "error" if result.errors else "ok").inc()
        return JSONResponse(payload, headers={"x-request-id": request_id})

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
        elif original is not None and not isinstance(original, GraphQLError):
            log.error("unhandled error in resolver", exc_info=original, extra={"path": error.path})
            formatted = {"message": "Internal server error.", "path": formatted.get("path")}
            extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
        else:
            extensions.setdefault("code", "GRAPHQL_VALIDATION_FAILED" if error.locations else "BAD_REQUEST")
            if self.settings.is_production:
                formatted["message"] = SUGGESTION.sub("", formatted["message"])
        formatted["extensions"] = extensions
        self.metrics.errors.labels(extensions["code"]).inc()
        return formatted


def create_app(settings: Settings | None = None, clock: Clock = SYSTEM_CLOCK, *, manage_db: bool = True) -> Starlette:
    """The ASGI app. `manage_db=False` when the caller (a test) has opened the database already."""
    settings = settings or load_settings()
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
        try:
            yield
        finally:
            if manage_db:
                await db.close_db()
            await cache.close()

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> Response:
        ok = await db.ping()
        return JSONResponse({"status": "ready" if ok else "unavailable", "database": ok}, 200 if ok else 503)

    async def metrics_endpoint(_request: Request) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics_endpoint),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.graphql = graphql
    return app


def asgi() -> Starlette:
    """Factory for `uvicorn --factory app:asgi` (each worker builds its own app)."""
    configure_logging()
    return create_app()


# ---- CLI ----------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="orchard", description="Orchard loyalty API")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply pending migrations")
    serve = sub.add_parser("serve", help="migrate, load demo data (development, empty database), serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--no-demo", action="store_true", help="do not load the demo data set")
    sub.add_parser("demo", help="load the demo data set into an empty development database")
    sub.add_parser("schema", help="print the GraphQL schema (SDL), as committed in schema.graphql")
    sub.add_parser("makemigrations", help="write a migration for model changes (CHECK constraints included)")
    ledger = sub.add_parser("ledger", help="points ledger maintenance")
    ledger_sub = ledger.add_subparsers(dest="ledger_command", required=True)
    check = ledger_sub.add_parser("check", help="check the ledger invariants; exit status 1 on any violation")
    check.add_argument("--member-id", type=int, default=None, help="check one member only")
    return parser


def _makemigrations() -> int:
    """tortoise's makemigrations, then CHECK constraints moved where the schema editor applies them."""
    import subprocess
    from pathlib import Path

    from domain.migration_checks import fix_migration_files

    done = subprocess.run([sys.executable, "-m", "tortoise", "-c", "domain.db.TORTOISE_ORM", "makemigrations"], check=False)
    for line in fix_migration_files(Path(__file__).resolve().parent / "migrations"):
        print(line)
    return done.returncode


async def _migrate(settings: Settings) -> None:
    def progress(event: str, app_label: str, name: str) -> None:
        logging.getLogger("orchard.migrations").info("migration %s", event, extra={"migration": f"{app_label}.{name}"})

    try:
        await db.apply_migrations(settings, progress=progress)
    finally:
        await db.close_db()


async def _load_demo(settings: Settings) -> None:
    from domain import demo

    await db.init_db(settings)
    try:
        printed = await demo.load_if_empty(settings)
        for line in printed:
            print(line, flush=True)
    finally:
        await db.close_db()


async def _ledger_violations(settings: Settings, member_id: int | None) -> list[str]:
    from domain.ledger.check import check_ledger

    await db.init_db(settings)
    try:
        return await check_ledger(member_id)
    finally:
        await db.close_db()


def _ledger_check(settings: Settings, member_id: int | None) -> int:
    violations = asyncio.run(_ledger_violations(settings, member_id))
    scope = f"member {member_id}" if member_id is not None else "all accounts"
    if not violations:
        print(f"ledger check ({scope}): clean")
        return 0
    print(f"ledger check ({scope}): {len(violations)} violation(s)")
    for line in violations:
        print(f"  {line}")
    return 1


def main(argv: list[str] | None = None) -> int:
    configure_logging()
    args = _parser().parse_args(argv)
    if args.command == "schema":
        from domain.settings import Settings as _Settings

        print(build_schema(_Settings(secret_key="schema-printing")).as_str().strip())
        return 0
    if args.command == "makemigrations":
        return _makemigrations()
    settings = load_settings()
    if args.command == "migrate":
        asyncio.run(_migrate(settings))
        return 0
    if args.command == "ledger":
        return _ledger_check(settings, args.member_id)
    if args.command == "demo":
        asyncio.run(_migrate(settings))
        asyncio.run(_load_demo(settings))
        return 0
    if args.command == "serve":
        import uvicorn

        asyncio.run(_migrate(settings))
        if not args.no_demo and not settings.is_production:
            asyncio.run(_load_demo(settings))
        print(f"Orchard serving GraphQL on http://{args.host}:{args.port}/graphql", flush=True)
        uvicorn.run(
            "app:asgi", factory=True, host=args.host, port=args.port, workers=args.workers,
            log_config=None, access_log=False,
        )
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
