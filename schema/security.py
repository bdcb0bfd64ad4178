"""Query limits: size, depth and aliases at validation time, cost per operation (tokens: schema/execution.py)."""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
    value_from_ast_untyped,
    visit,
)
from graphql.language import Visitor
from graphql.validation import ASTValidationRule, ValidationRule, specified_rules
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter
from strawberry.extensions.disable_introspection import DisableIntrospection
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from domain.pagination import DEFAULT_PAGE_SIZE
from infra.settings import Settings

CONNECTION_SUFFIX = "Connection"
MAX_NODE_IDS = 100


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


def _id_count(node: FieldNode, variables: dict[str, Any]) -> int:
    """How many objects `nodes(ids:)` asks for (1 for any other field)."""
    for argument in node.arguments or ():
        if argument.name.value == "ids":
            value = argument.value
            if isinstance(value, ListValueNode):
                return len(value.values)
            if isinstance(value, VariableNode):
                given = variables.get(value.name.value)
                return len(given) if isinstance(given, (list, range)) else 1
    return 1


def _selection_cost(
    schema: GraphQLSchema, parent: GraphQLNamedType | None, selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any], fragment_costs: dict[str, int],
) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.selection_set is None:
                continue  # scalars are free
            child_type = _field_type(parent, selection.name.value)
            inner = _selection_cost(schema, child_type, selection.selection_set, fragments, variables, fragment_costs)
            if child_type is not None and child_type.name.endswith(CONNECTION_SUFFIX):
                total += 2 + inner * max(_page_size(selection, variables), 1)
            else:
                total += 1 + inner * max(_id_count(selection, variables), 1)
        elif isinstance(selection, InlineFragmentNode):
            condition = schema.get_type(selection.type_condition.name.value) if selection.type_condition else parent
            total += _selection_cost(schema, condition, selection.selection_set, fragments, variables, fragment_costs)
        elif isinstance(selection, FragmentSpreadNode):
            total += _fragment_cost(schema, selection.name.value, fragments, variables, fragment_costs)
    return total


def _fragment_cost(
    schema: GraphQLSchema, name: str, fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any],
    fragment_costs: dict[str, int],
) -> int:
    """A fragment's cost, worked out once per operation however often it is spread."""
    if name not in fragment_costs:
        fragment_costs[name] = 0  # a cycle costs nothing more (validation refuses it)
        fragment = fragments.get(name)
        if fragment is not None:
            condition = schema.get_type(fragment.type_condition.name.value)
            fragment_costs[name] = _selection_cost(
                schema, condition, fragment.selection_set, fragments, variables, fragment_costs
            )
    return fragment_costs[name]


def query_cost(schema: GraphQLSchema, document: Any, operation_name: str | None, variables: dict[str, Any]) -> int:
    """Shopify-style requested cost: 1 per object, connections multiply their nodes by the page size."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    root = schema.get_root_type(operation.operation)
    defaults = {
        d.variable.name.value: value_from_ast_untyped(d.default_value)
        for d in operation.variable_definitions or () if d.default_value is not None
    }
    return _selection_cost(schema, root, operation.selection_set, fragments, defaults | variables, {})


def too_many_ids(count: int, nodes: Any = None) -> GraphQLError:
    return GraphQLError(
        f"`nodes(ids:)` takes at most {MAX_NODE_IDS} IDs, not {count}.", nodes,
        extensions={"code": "GRAPHQL_VALIDATION_FAILED", "maximumIds": MAX_NODE_IDS},
    )


class NodeIdsLimitRule(ValidationRule):
    """`nodes(ids:)` given a literal list longer than MAX_NODE_IDS, or a variable whose default
    is one; the variables a request sends are checked by `oversized_ids`."""

    def enter_argument(self, node, *_args) -> None:
        query = self.context.schema.query_type
        nodes_field = query.fields.get("nodes") if query else None
        if nodes_field is None or self.context.get_argument() is not nodes_field.args.get("ids"):
            return
        if isinstance(node.value, ListValueNode) and len(node.value.values) > MAX_NODE_IDS:
            self.report_error(too_many_ids(len(node.value.values), node))

    def enter_variable_definition(self, node, *_args) -> None:
        default = node.default_value
        if (
            isinstance(default, ListValueNode)
            and len(default.values) > MAX_NODE_IDS
            and node.variable.name.value in node_ids_variables(self.context.document)
        ):
            self.report_error(too_many_ids(len(default.values), default))


def node_ids_variables(document: Any) -> frozenset[str]:
    """The variables a document passes as `nodes(ids:)` (only that field has an `ids` argument)."""
    names: set[str] = set()

    class Usages(Visitor):
        def enter_field(self, node: FieldNode, *_args) -> None:
            for argument in node.arguments or ():
                if argument.name.value == "ids" and isinstance(argument.value, VariableNode):
                    names.add(argument.value.name.value)

    visit(document, Usages())
    return frozenset(names)


def oversized_ids(names: frozenset[str], variables: dict[str, Any]) -> GraphQLError | None:
    for name in names:
        given = variables.get(name)
        if isinstance(given, list) and len(given) > MAX_NODE_IDS:
            return too_many_ids(len(given))
    return None


def too_costly(cost: int, max_cost: int) -> GraphQLError:
    return GraphQLError(
        f"Query cost {cost} is over the limit of {max_cost}. Ask for fewer items.",
        extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "maximumCost": max_cost},
    )


def expanded_size(document: Any, limit: int) -> int:
    """Fields and fragments of the document's operations once every spread is expanded, counted
    up to `limit + 1`: in one pass over the text, each fragment counted once (memoised)."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    sizes: dict[str, int] = {}

    def fragment_size(name: str) -> int:
        if name not in sizes:
            sizes[name] = 0  # a cycle counts once here; NoFragmentCyclesRule refuses it
            fragment = fragments.get(name)
            sizes[name] = selection_size(fragment.selection_set) if fragment else 0
        return sizes[name]

    def selection_size(selection_set: SelectionSetNode) -> int:
        total = 0
        for selection in selection_set.selections:
            total += 1
            if isinstance(selection, FragmentSpreadNode):
                total += fragment_size(selection.name.value)
            elif selection.selection_set is not None:
                total += selection_size(selection.selection_set)
            if total > limit:
                return limit + 1
        return total

    total = 0
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            total = min(total + selection_size(definition.selection_set), limit + 1)
    return total


def max_fields_rule(max_fields: int) -> type[ASTValidationRule]:
    class MaxFieldsRule(ASTValidationRule):
        def enter_document(self, node, *_args) -> Any:
            if expanded_size(node, max_fields) > max_fields:
                self.report_error(GraphQLError(
                    f"The query has more than {max_fields} fields once its fragments are expanded.",
                    extensions={"code": "QUERY_TOO_LARGE", "maximumFields": max_fields},
                ))
            return self.BREAK

    return MaxFieldsRule


def validation_passes(settings: Settings) -> tuple[tuple, tuple]:
    """The size limit alone, then the rules that walk fragments as expanded (strawberry's depth
    and alias limiters: exponential in a fan-out of fragments) only for a document within it."""
    return (max_fields_rule(settings.max_fields),), validation_rules(settings)


def validation_rules(settings: Settings) -> tuple:
    """GraphQL's own rules, strawberry's and ours: depth, aliases, IDs and, in production, no introspection.

    Built once per schema: strawberry's per-request extension factories would make new rule
    classes for every request and so defeat any validation cache (strawberry issue 4635).
    """
    rules = [
        *specified_rules,
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
        NodeIdsLimitRule,
        MaybeNullValidationRule,  # strawberry's: Schema.validate_document adds these two
        OneOfInputValidationRule,
    ]
    if settings.is_production:
        rules.extend(DisableIntrospection().validation_rules)
    return tuple(rules)
