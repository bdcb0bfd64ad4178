"""Running one GraphQL operation: parse, validate and pick the operation once per distinct text,
check its cost, then execute with graphql-core.

Strawberry's `Schema.execute` does the same through its extension hooks, which it builds anew
for every operation (a context manager per hook and extension, each wrapped afresh); with the
caches and limits as extensions, that machinery cost a `{ __typename }` more than its execution.
The types, resolvers and permissions are strawberry's as before: only the pipeline around
graphql-core's `execute` is ours. It also answers an unknown operation name or an empty
document with a GraphQL error, where strawberry raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from inspect import isawaitable
from typing import Any

import strawberry
from graphql import DocumentNode, GraphQLError, execute, get_operation_ast, parse, validate
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from infra.settings import Settings
from schema import plain_fields, security

OPERATION_CACHE_SIZE = 512  # distinct query texts; bounded so unique texts cannot grow memory


@dataclass(frozen=True, slots=True)
class Prepared:
    """A query text as parsed and validated, or the errors that stop it before execution."""

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...] = ()
    id_variables: frozenset[str] = frozenset()  # checked against the variables of each request


@dataclass(slots=True)
class OperationResult:
    data: dict[str, Any] | None
    errors: list[GraphQLError] | None
    extensions: dict[str, Any] | None = None


class OperationRunner:
    def __init__(self, schema: strawberry.Schema, settings: Settings) -> None:
        self.graphql_schema = schema._schema
        # The one switch for the fast path; tests/differential.py runs every test's operations
        # through both and compares the answers.
        self.executor_class: type[StrawberryGraphQLCoreExecutionContext] = (
            plain_fields.execution_context_class(self.graphql_schema) if settings.fast_fields
            else StrawberryGraphQLCoreExecutionContext
        )
        self.size_rules, self.rules = security.validation_passes(settings)
        self.max_tokens = settings.max_tokens
        self.max_cost = settings.max_query_cost
        self.hide_suggestions = settings.is_production
        self.prepare = lru_cache(maxsize=OPERATION_CACHE_SIZE)(self._prepare)
        self._cost = lru_cache(maxsize=OPERATION_CACHE_SIZE)(self._uncached_cost)

    def _prepare(self, query: str, operation_name: str | None) -> Prepared:
        try:
            document = parse(query, max_tokens=self.max_tokens)
        except GraphQLError as error:
            return Prepared(None, (error,))
        errors = validate(self.graphql_schema, document, self.size_rules) or validate(
            self.graphql_schema, document, self.rules, hide_suggestions=self.hide_suggestions
        )
        if errors:
            return Prepared(None, tuple(errors))
        if get_operation_ast(document, operation_name) is None:
            message = (
                f"Unknown operation named '{operation_name}'." if operation_name
                else "Name the operation to run (`operationName`): the document has several."
            )
            return Prepared(None, (GraphQLError(message),))
        return Prepared(document, id_variables=security.node_ids_variables(document))

    def _uncached_cost(self, query: str, operation_name: str | None, sizes: tuple) -> int:
        document = self.prepare(query, operation_name).document
        return security.query_cost(self.graphql_schema, document, operation_name, dict(sizes))

    def cost(self, query: str, operation_name: str | None, variables: dict[str, Any]) -> int:
        """Cached by the query's text (a document's own hash walks its whole tree), page sizes and
        list lengths: only integer variables and the number of IDs can change a cost."""
        sizes = tuple(sorted(
            # range(n): a hashable stand-in for a list, of which the cost reads only the length
            (k, range(len(v)) if isinstance(v, list) else v)
            for k, v in variables.items() if isinstance(v, (int, list))
        )) if variables else ()
        return self._cost(query, operation_name, sizes)

    async def execute(
        self, query: str, *, variables: dict[str, Any], operation_name: str | None, context: Any
    ) -> OperationResult:
        prepared = self.prepare(query, operation_name)
        if prepared.document is None:
            return OperationResult(None, list(prepared.errors))
        if prepared.id_variables and (error := security.oversized_ids(prepared.id_variables, variables)):
            return OperationResult(None, [error])
        cost = self.cost(query, operation_name, variables)
        extensions = {"cost": {"requestedQueryCost": cost, "maximumAvailable": self.max_cost}} if cost else None
        if cost > self.max_cost:
            return OperationResult(None, [security.too_costly(cost, self.max_cost)], extensions)
        result = execute(
            self.graphql_schema, prepared.document, context_value=context, variable_values=variables,
            operation_name=operation_name, executor_class=self.executor_class, is_awaitable=optimized_is_awaitable,
            hide_suggestions=self.hide_suggestions,
        )
        if isawaitable(result):
            result = await result
        return OperationResult(result.data, result.errors, extensions)
