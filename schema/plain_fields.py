"""Plain fields answered without graphql-core's per-field machinery.

Most fields of a list page are plain: a strawberry field with no resolver, no arguments and no
extensions, whose value is an attribute of the object and whose type is a scalar or an enum
(`name`, `points`, `occurredAt`). graphql-core still builds a resolve-info object for each
one, calls strawberry's wrapper, and dispatches on the return type to complete it: on a
20-item mall page that was the larger part of the operation's CPU.

The execution context here answers such a field itself, reading the attribute with
strawberry's own default resolver and serializing it with the field's type, as
`complete_leaf_value` would. Anything else, including a plain field whose value is null (a
non-null field must then raise its error at its path) or fails to serialize, takes
graphql-core's normal path, so answers and errors are the same as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLEnumType, GraphQLScalarType, GraphQLSchema, get_nullable_type
from graphql.pyutils import Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# (read the value from the source, its attribute name, serialize the value)
PlainField = tuple[Callable[[Any, str], Any], str, Callable[[Any], Any]]


def plain_fields(schema: GraphQLSchema) -> dict[str, dict[str, PlainField]]:
    """By object type name and field name: the fields that are plain attributes of a leaf type."""
    found: dict[str, dict[str, PlainField]] = {}
    for type_name, graphql_type in schema.type_map.items():
        fields = getattr(graphql_type, "fields", None)
        if type_name.startswith("__") or fields is None or not hasattr(graphql_type, "is_type_of"):
            continue  # introspection types, input types and interfaces keep the normal path
        for field_name, field in fields.items():
            definition = (field.extensions or {}).get("strawberry-definition")
            leaf = get_nullable_type(field.type)
            if (
                definition is None or field.args or not getattr(field.resolve, "_is_default", False)
                or definition.base_resolver is not None or definition.extensions
                or not isinstance(leaf, GraphQLScalarType | GraphQLEnumType)
            ):
                continue
            found.setdefault(type_name, {})[field_name] = (definition.default_resolver, definition.python_name, leaf.serialize)
    return found


def execution_context_class(schema: GraphQLSchema) -> type[StrawberryGraphQLCoreExecutionContext]:
    """Strawberry's execution context, answering the schema's plain fields directly."""
    by_type = plain_fields(schema)

    class PlainFieldsExecutionContext(StrawberryGraphQLCoreExecutionContext):
        def execute_field(self, parent_type, source, field_details_list, path, position_context):
            plain = by_type.get(parent_type.name)
            if plain is not None:
                field = plain.get(field_details_list[0].node.name.value)
                if field is not None:
                    read, attribute, serialize = field
                    try:
                        value = read(source, attribute)
                        if value is not None:
                            serialized = serialize(value)
                            if serialized is not None and serialized is not Undefined:
                                return serialized
                    except Exception:  # noqa: BLE001 - the normal path below reports it at the field's path
                        pass
            return super().execute_field(parent_type, source, field_details_list, path, position_context)

    return PlainFieldsExecutionContext
