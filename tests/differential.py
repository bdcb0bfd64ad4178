"""Every operation the tests send is answered by both executors, and the answers must be equal.

The app's runner keeps the fast path (schema/plain_fields.py) and answers as usual; then the
same operation goes through strawberry's stock execution, with the same request context:

- a query runs again whole (queries do not write);
- a mutation does not run twice: its root fields take the values their resolvers returned in
  the first run (the payloads), and the stock executor completes the payloads from there, which
  is all the fast path changes. A mutation whose root resolver raised is not compared.

The two answers are compared as the JSON the endpoint would send (data, then each error's
message, path, locations and extensions, and the class of its original error). A difference is
kept and raised by the test client after the request (tests/api.py), naming the operation.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import OperationType, get_operation_ast

from infra import contention
from schema.execution import OperationResult, OperationRunner

FIRST_RUN_ROOTS = "differential: root values of the first run"
REPLAY_ROOTS = "differential: root values to replay"
compared: Counter[str] = Counter()  # by kind, for the session's summary line


class _RootsFromFirstRun:
    """A graphql-core middleware manager answering each root field with its first run's value."""

    def __init__(self, roots: dict[str, Any]) -> None:
        self.roots = roots

    def get_field_resolver(self, resolve):
        roots = self.roots

        def replayed(source, info, **args):
            if info.path.prev is None and info.path.key in roots:
                return roots[info.path.key]
            return resolve(source, info, **args)

        return replayed


def recording(executor_class):
    """The runner's own executor, also keeping the value each root field's resolver returned."""

    class Recording(executor_class):
        def complete_value(self, return_type, field_details_list, info, path, result, position_context):
            if path.prev is None:
                roots = self.context_value.extra.get(FIRST_RUN_ROOTS)
                if roots is not None:
                    roots[path.key] = result
            return super().complete_value(return_type, field_details_list, info, path, result, position_context)

    return Recording


def replaying(executor_class):
    """The stock executor, answering a mutation's root fields from the first run."""

    class Replaying(executor_class):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            roots = self.context_value.extra.get(REPLAY_ROOTS)
            if roots is not None:
                self.middleware_manager = _RootsFromFirstRun(roots)

    return Replaying


def as_json(result: OperationResult) -> bytes:
    errors = [
        {**error.formatted, "original": type(error.original_error).__name__ if error.original_error else None}
        for error in result.errors or ()
    ]
    return orjson.dumps({"data": result.data, "errors": errors}, option=orjson.OPT_INDENT_2)


@dataclass
class DifferentialRunner:
    """Stands in for the endpoint's OperationRunner: answers with it, then checks the stock executor agrees."""

    fast: OperationRunner
    stock: OperationRunner
    mismatches: list[str] = field(default_factory=list)
    compared_operations: Counter[str] = field(default_factory=Counter)  # by operation name

    def __post_init__(self) -> None:
        assert self.fast.executor_class is not self.stock.executor_class, "the app must run the fast path"
        self.fast.executor_class = recording(self.fast.executor_class)
        self.stock.executor_class = replaying(self.stock.executor_class)

    def __getattr__(self, name: str) -> Any:  # prepare, cost, ...: the app's runner's
        return getattr(self.fast, name)

    async def execute(self, query: str, *, variables: dict[str, Any], operation_name: str | None, context: Any):
        document = self.fast.prepare(query, operation_name).document
        operation = get_operation_ast(document, operation_name) if document is not None else None
        kind = operation.operation if operation is not None else None
        if kind is OperationType.MUTATION:
            context.extra[FIRST_RUN_ROOTS] = {}
        result = await self.fast.execute(query, variables=variables, operation_name=operation_name, context=context)
        roots = context.extra.pop(FIRST_RUN_ROOTS, None)
        if kind is None or result.data is None or any(_unavailable(error) for error in result.errors or ()):
            return result  # refused before execution, or the database was away: nothing to compare
        if kind is OperationType.MUTATION:
            if set(roots) != {key for key in result.data if key != "__typename"}:
                compared["mutations not compared (a root resolver raised)"] += 1
                return result
            context.extra[REPLAY_ROOTS] = roots
        elif kind is not OperationType.QUERY:
            return result
        try:
            stock = await self.stock.execute(query, variables=variables, operation_name=operation_name, context=context)
        finally:
            context.extra.pop(REPLAY_ROOTS, None)
        compared["queries" if kind is OperationType.QUERY else "mutations"] += 1
        self.compared_operations[operation_name or ""] += 1
        fast_json, stock_json = as_json(result), as_json(stock)
        if fast_json != stock_json:
            self.mismatches.append(
                f"the fast path and the stock executor answer {operation_name or 'the operation'} differently:\n"
                f"{query}\nvariables: {variables}\nfast:\n{fast_json.decode()}\nstock:\n{stock_json.decode()}"
            )
        return result


def _unavailable(error) -> bool:
    return error.original_error is not None and contention.is_unavailable(error.original_error)


def install(app) -> DifferentialRunner:
    """Wrap the app's runner; the stock one shares its schema and settings but for the switch."""
    endpoint = app.state.graphql
    stock = OperationRunner(endpoint.schema, endpoint.settings.with_(fast_fields=False))
    endpoint.operations = DifferentialRunner(endpoint.operations, stock)
    return endpoint.operations
