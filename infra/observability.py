"""Structured JSON logs and Prometheus metrics, shared by the server and the CLI."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Histogram

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
# A request may carry 1 MB of text, which an error message can quote whole: each logged value is
# capped, a traceback per line and in all (its head and its tail, the exception, are kept).
MAX_LOGGED_CHARS = 2_000
MAX_LOGGED_TRACEBACK_CHARS = 16_000


def capped(text: str, limit: int = MAX_LOGGED_CHARS) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}...[truncated {len(text) - limit:,} chars]"


def _capped_traceback(text: str) -> str:
    text = "\n".join(capped(line) for line in text.split("\n"))
    if len(text) <= MAX_LOGGED_TRACEBACK_CHARS:
        return text
    half = MAX_LOGGED_TRACEBACK_CHARS // 2
    return f"{text[:half]}\n...[truncated {len(text) - 2 * half:,} chars]...\n{text[-half:]}"


def _logged(value: object) -> object:
    if isinstance(value, str):
        return capped(value)
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    dumped = json.dumps(value, default=str)
    return value if len(dumped) <= MAX_LOGGED_CHARS else capped(dumped)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": capped(record.getMessage()),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["requestId"] = capped(request_id)  # the caller's x-request-id header
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = _logged(value)
        if record.exc_info:
            entry["exc"] = _capped_traceback(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("tortoise", "aiosqlite", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class Metrics:
    """One registry per app, so tests can build several apps in one process."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.operations = Counter(
            "orchard_graphql_operations_total", "GraphQL operations by name and outcome",
            ["operation", "outcome"], registry=self.registry,
        )
        self.latency = Histogram(
            "orchard_graphql_duration_seconds", "GraphQL operation latency",
            ["operation"], registry=self.registry,
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5),
        )
        self.errors = Counter(
            "orchard_graphql_errors_total", "GraphQL errors by code (top-level and payload)",
            ["code"], registry=self.registry,
        )
