"""Plain fields answered without graphql-core's per-field machinery.

Most fields of a list page are plain: a strawberry field with no resolver, no arguments and no
extensions, whose value is an attribute of the object and whose type is a scalar or an enum
(`name`, `points`, `occurredAt`). graphql-core still builds a resolve-info object for each
one, calls strawberry's wrapper, and dispatches on the return type to complete it: on a
20-item mall page that was the larger part of the operation's CPU.

The execution context here answers such a field itself, inside its loop over a selection's
fields (no path object, no call per field), reading the attribute with strawberry's own default
resolver and serializing it with the field's type, as `complete_leaf_value` would. Anything
else, including a plain field whose value is null (a non-null field must then raise its error
at its path) or fails to serialize, takes graphql-core's normal path, so answers and errors are
the same as before.

Plain fields of an object type (`effectivePrice`, a Money's holder, an edge's `node`) and of a
list of objects (a connection's `edges`) are answered the same way one level up: the value is
read with the default resolver and its sub-selection executed straight away, skipping the
resolve-info object, strawberry's wrapper and graphql-core's dispatch on the type. A value
that is null, not a list, or that the type's own `is_type_of` does not accept, and a field
carrying a directive (`@stream`, `@include`), take the normal path; an error below is handled
at the field's (or the list item's) path exactly as graphql-core handles it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    get_nullable_type,
)
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# (read the value from the source, its attribute name, serialize the value)
PlainField = tuple[Callable[[Any, str], Any], str, Callable[[Any], Any]]


@dataclass(frozen=True)
class PlainObjectField:
    read: Callable[[Any, str], Any]
    attribute: str
    field_type: Any  # the field's type as declared, for errors: non-null ones propagate
    object_type: GraphQLObjectType
    item_type: Any | None  # for a list of objects, the declared item type; None for one object


def _default_fields(schema: GraphQLSchema):
    """(type name, field name, field, strawberry definition) of fields read as plain attributes."""
    for type_name, graphql_type in schema.type_map.items():
        fields = getattr(graphql_type, "fields", None)
        if type_name.startswith("__") or fields is None or not hasattr(graphql_type, "is_type_of"):
            continue  # introspection types, input types and interfaces keep the normal path
        for field_name, field in fields.items():
            definition = (field.extensions or {}).get("strawberry-definition")
            if (
                definition is None or field.args or not getattr(field.resolve, "_is_default", False)
                or definition.base_resolver is not None or definition.extensions
            ):
                continue
            yield type_name, field_name, field, definition


def plain_fields(schema: GraphQLSchema) -> dict[str, dict[str, PlainField]]:
    """By object type name and field name: the fields that are plain attributes of a leaf type."""
    found: dict[str, dict[str, PlainField]] = {}
    for type_name, field_name, field, definition in _default_fields(schema):
        leaf = get_nullable_type(field.type)
        if isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
            found.setdefault(type_name, {})[field_name] = (definition.default_resolver, definition.python_name, leaf.serialize)
    return found


def plain_object_fields(schema: GraphQLSchema) -> dict[str, dict[str, PlainObjectField]]:
    """By object type name and field name: the plain attributes holding an object or a list of objects."""
    found: dict[str, dict[str, PlainObjectField]] = {}
    for type_name, field_name, field, definition in _default_fields(schema):
        holder = get_nullable_type(field.type)
        item_type = holder.of_type if isinstance(holder, GraphQLList) else None
        target = get_nullable_type(item_type) if item_type is not None else holder
        if isinstance(target, GraphQLObjectType):
            found.setdefault(type_name, {})[field_name] = PlainObjectField(
                definition.default_resolver, definition.python_name, field.type, target, item_type
            )
    return found


def execution_context_class(schema: GraphQLSchema) -> type[StrawberryGraphQLCoreExecutionContext]:
    """Strawberry's execution context, answering the schema's plain fields directly."""
    by_type = plain_fields(schema)
    objects_by_type = plain_object_fields(schema)

    class PlainFieldsExecutionContext(StrawberryGraphQLCoreExecutionContext):
        def execute_fields(self, parent_type, source_value, path, grouped_field_set, position_context):
            """graphql-core's execute_fields, with each plain leaf answered in the loop: no path, no call."""
            results: dict[str, Any] = {}
            is_awaitable = self.is_awaitable
            awaitable_fields: list[str] = []
            try:
                for response_name, field_details_list, leaf in self._plan(parent_type, grouped_field_set):
                    if leaf is not None:
                        answer = _serialized(leaf, source_value)
                        if answer is not _NOT_PLAIN:
                            results[response_name] = answer
                            continue
                    field_path = Path(path, response_name, parent_type.name)
                    result = self.execute_field(parent_type, source_value, field_details_list, field_path, position_context)
                    if result is not Undefined:
                        results[response_name] = result
                        if is_awaitable(result):
                            awaitable_fields.append(response_name)
            except Exception:
                if awaitable_fields:
                    self.settle_in_background([results[field] for field in awaitable_fields])
                raise
            if not awaitable_fields:
                return results

            async def get_results() -> dict[str, Any]:
                if len(awaitable_fields) == 1:
                    results[awaitable_fields[0]] = await results[awaitable_fields[0]]
                else:
                    awaited = await gather_with_cancel(*(results[field] for field in awaitable_fields))
                    results.update(zip(awaitable_fields, awaited, strict=True))
                return results

            return get_results()

        def _plan(self, parent_type, grouped_field_set) -> list[tuple[str, Any, PlainField | None]]:
            """(response name, its field nodes, the plain leaf or None) of a selection, once per request:
            a list page runs the same selection for every item."""
            try:
                plans = self._plans
            except AttributeError:
                plans = self._plans = {}
            key = (parent_type.name, id(grouped_field_set))
            known = plans.get(key)
            if known is not None and known[0] is grouped_field_set:
                return known[1]
            leaves = by_type.get(parent_type.name, _NO_FIELDS)
            plan = [
                (response_name, field_details_list, leaves.get(field_details_list[0].node.name.value))
                for response_name, field_details_list in grouped_field_set.items()
            ]
            plans[key] = (grouped_field_set, plan)  # holding the set keeps its id from being reused
            return plan

        def execute_field(self, parent_type, source, field_details_list, path, position_context):
            name = field_details_list[0].node.name.value
            held = objects_by_type.get(parent_type.name, _NO_FIELDS).get(name)
            if held is not None and _undirected(field_details_list):
                value = held.read(source, held.attribute)
                if held.item_type is None and value is not None and _accepts(held.object_type, value):
                    return self._guarded(
                        lambda: self.collect_and_execute_subfields(held.object_type, field_details_list, path, value, position_context),
                        held.field_type, field_details_list, path,
                    )
                if held.item_type is not None and isinstance(value, list | tuple) and all(
                    item is not None and _accepts(held.object_type, item) for item in value
                ):
                    return self._complete_plain_list(held, field_details_list, path, value, position_context)
            return super().execute_field(parent_type, source, field_details_list, path, position_context)

        def _complete_plain_list(self, field, field_details_list, path, items, position_context):
            def complete():
                completed, waiting = [], []
                for index, item in enumerate(items):
                    item_path = path.add_key(index, None)
                    result = self._guarded(
                        lambda item=item, item_path=item_path: self.collect_and_execute_subfields(
                            field.object_type, field_details_list, item_path, item, position_context
                        ),
                        field.item_type, field_details_list, item_path,
                    )
                    if self.is_awaitable(result):
                        waiting.append(index)
                    completed.append(result)
                if not waiting:
                    return completed

                async def settle() -> list[Any]:
                    for index, result in zip(waiting, await gather_with_cancel(*(completed[i] for i in waiting)), strict=True):
                        completed[index] = result
                    return completed

                return settle()

            return self._guarded(complete, field.field_type, field_details_list, path)

        def _guarded(self, complete, field_type, field_details_list, path):
            """complete(), with an error handled at `path` as execute_field and complete_list_item_value do:
            a non-null type passes it up, a nullable one becomes null with the error recorded."""
            try:
                result = complete()
            except Exception as raw_error:  # noqa: BLE001 - handled (or raised again) as graphql-core does
                self.handle_field_error(raw_error, field_type, field_details_list, path)
                return None
            if not self.is_awaitable(result):
                return result

            async def settled() -> Any:
                try:
                    return await result
                except Exception as raw_error:  # noqa: BLE001
                    self.handle_field_error(raw_error, field_type, field_details_list, path)
                    return None

            return settled()

    return PlainFieldsExecutionContext


_NOT_PLAIN = object()
_NO_FIELDS: dict[str, Any] = {}


def _serialized(field: PlainField, source: Any) -> Any:
    """A plain leaf's answer, or _NOT_PLAIN when it is null or fails to serialize: the normal path then reports it."""
    read, attribute, serialize = field
    try:
        value = read(source, attribute)
        if value is not None:
            serialized = serialize(value)
            if serialized is not None and serialized is not Undefined:
                return serialized
    except Exception:  # noqa: BLE001 - the normal path reports it at the field's path
        pass
    return _NOT_PLAIN


def _undirected(field_details_list) -> bool:
    return all(not details.node.directives for details in field_details_list)


def _accepts(object_type: GraphQLObjectType, value: Any) -> bool:
    """The type's own check of a value, where it has one (strawberry's, for a type with
    interfaces, is an isinstance test and reads nothing of the resolve info)."""
    check = object_type.is_type_of
    if check is None:
        return True
    try:
        return check(value, None) is True
    except Exception:  # noqa: BLE001 - the normal path reports it
        return False
