"""Query limits: depth, aliases and tokens at parse/validation time, cost per operation.

The depth and alias rules are built once when the schema is made: strawberry's per-request
extension factories would create new rule classes for every request and so defeat the
validation cache (strawberry issue 4635).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLInterfaceType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from graphql.language.parser import parse
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.extensions.disable_introspection import DisableIntrospection
from strawberry.schema.schema import validate_document

from domain.pagination import DEFAULT_PAGE_SIZE
from domain.settings import Settings

CONNECTION_SUFFIX = "Connection"


def _field_type(parent: GraphQLNamedType | None, name: str) -> GraphQLNamedType | None:
    if isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)) and name in parent.fields:
        return get_named_type(parent.fields[name].type)
    return None


def _page_size(node: FieldNode, variables: dict[str, Any]) -> int:
    for argument in node.arguments or ():
        if argument.name.value in ("first", "last"):
            value = argument.value
            if isinstance(value, IntValueNode):
                return max(int(value.value), 0)
            if isinstance(value, VariableNode):
                given = variables.get(value.name.value)
                return max(int(given), 0) if isinstance(given, int) else DEFAULT_PAGE_SIZE
    return DEFAULT_PAGE_SIZE


def _selection_cost(
    schema: GraphQLSchema, parent: GraphQLNamedType | None, selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any], seen: frozenset[str],
) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.selection_set is None:
                continue  # scalars are free
            child_type = _field_type(parent, selection.name.value)
            inner = _selection_cost(schema, child_type, selection.selection_set, fragments, variables, seen)
            if child_type is not None and child_type.name.endswith(CONNECTION_SUFFIX):
                total += 2 + inner * max(_page_size(selection, variables), 1)
            else:
                total += 1 + inner
        elif isinstance(selection, InlineFragmentNode):
            condition = schema.get_type(selection.type_condition.name.value) if selection.type_condition else parent
            total += _selection_cost(schema, condition, selection.selection_set, fragments, variables, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in seen:
                continue
            condition = schema.get_type(fragment.type_condition.name.value)
            total += _selection_cost(schema, condition, fragment.selection_set, fragments, variables, seen | {name})
    return total


def query_cost(schema: GraphQLSchema, document: Any, operation_name: str | None, variables: dict[str, Any]) -> int:
    """Shopify-style requested cost: 1 per object, connections multiply their nodes by the page size."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if not operations:
        return 0
    operation = operations[0]
    root = schema.get_root_type(operation.operation)
    return _selection_cost(schema, root, operation.selection_set, fragments, variables, frozenset())


OPERATION_CACHE_SIZE = 512  # distinct query texts; bounded so unique texts cannot grow memory

_cached_parse = lru_cache(maxsize=OPERATION_CACHE_SIZE)(parse)
_cached_validate = lru_cache(maxsize=OPERATION_CACHE_SIZE)(validate_document)


@lru_cache(maxsize=OPERATION_CACHE_SIZE)
def _cached_cost(schema: GraphQLSchema, document: Any, operation_name: str | None, page_sizes: tuple) -> int:
    return query_cost(schema, document, operation_name, dict(page_sizes))


def _page_size_variables(variables: dict[str, Any] | None) -> tuple:
    """The variables that can change a cost: only integers are read, as page sizes."""
    return tuple(sorted((k, v) for k, v in (variables or {}).items() if isinstance(v, int)))


class OperationGuard(SchemaExtension):
    """Every per-operation check and cache in one extension: strawberry enters each extension's
    hooks for every operation, and five small ones cost a `{ __typename }` more than its
    execution did.

    - parse through a shared LRU cache, refusing documents of more than `max_tokens` tokens;
    - validate through a shared LRU cache with the depth, alias (and, in production,
      introspection) rules built once by `build_extensions`;
    - refuse an operation whose requested cost is over `max_cost`, and report the cost in
      `extensions.cost`.
    """

    max_tokens = 2000
    max_cost = 2000
    rules: tuple = ()

    def __init__(self) -> None:
        self.cost: int | None = None

    def on_operation(self) -> Iterator[None]:
        ctx = self.execution_context
        ctx.parse_options["max_tokens"] = self.max_tokens
        ctx.validation_rules = ctx.validation_rules + self.rules
        yield

    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        ctx.graphql_document = _cached_parse(ctx.query, **ctx.parse_options)
        yield

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        ctx.pre_execution_errors = _cached_validate(ctx.schema._schema, ctx.graphql_document, ctx.validation_rules)
        yield

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        schema = ctx.schema._schema
        if ctx.graphql_document is not None:
            self.cost = _cached_cost(schema, ctx.graphql_document, ctx.operation_name, _page_size_variables(ctx.variables))
            if self.cost > self.max_cost:
                ctx.result = GraphQLExecutionResult(
                    data=None,
                    errors=[GraphQLError(
                        f"Query cost {self.cost} is over the limit of {self.max_cost}. Ask for fewer items.",
                        extensions={"code": "QUERY_TOO_COSTLY", "cost": self.cost, "maximumCost": self.max_cost},
                    )],
                )
        yield

    def get_results(self) -> dict[str, Any]:
        if not self.cost:  # a bare `{ __typename }` answers with data alone
            return {}
        return {"cost": {"requestedQueryCost": self.cost, "maximumAvailable": self.max_cost}}


def build_extensions(settings: Settings) -> list[Any]:
    """The schema's one extension, with its validation rules made here, once."""
    rules = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    if settings.is_production:
        rules.extend(DisableIntrospection().validation_rules)
    guard = type(
        "OrchardOperationGuard", (OperationGuard,),
        {"max_tokens": settings.max_tokens, "max_cost": settings.max_query_cost, "rules": tuple(rules)},
    )
    return [guard]
