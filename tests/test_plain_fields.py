"""Plain fields answered by the execution context itself give the answers and errors graphql-core gives."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import strawberry
from graphql import execute, parse

from schema.plain_fields import execution_context_class, plain_fields
from schema.root import build_schema


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"


@strawberry.type
class Thing:
    name: str
    colour: Colour
    note: str | None

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


@dataclass
class Row:  # what a resolver hands over: any object with the attributes
    name: str | None
    colour: Colour
    note: str | None = None


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing]:
        return [Row("apple", Colour.RED), Row(None, Colour.RED, "a null in a non-null field")]  # type: ignore[list-item]


def _run(query: str):
    schema = strawberry.Schema(query=Query)._schema
    return execute(schema, parse(query), executor_class=execution_context_class(schema))


def test_the_schemas_plain_fields_are_attributes_of_leaf_types_without_resolvers_or_arguments():
    found = plain_fields(build_schema()._schema)
    assert {"name", "pointsPrice", "band"} <= set(found["MallItem"])
    assert {"kind", "points", "occurredAt"} <= set(found["PointsEntry"])
    assert "tier" not in found["Member"] and "pointsHistory" not in found["Member"]  # a resolver; arguments
    assert "effectivePrice" not in found["MallItem"]  # an object: graphql-core completes it
    assert not any(name.startswith("__") for name in found)


def test_plain_values_enums_nulls_and_resolved_fields_answer_as_graphql_core_does():
    result = _run("{ things { name colour note shout } }")
    assert result.data is None  # the null in a non-null field nulls the non-null list, as the spec says
    assert [e.path for e in result.errors] == [["things", 1, "name"]]
    assert "Cannot return null for non-nullable field Thing.name" in result.errors[0].message

    fine = _run("{ things { colour note } }")
    assert fine.errors is None
    assert fine.data == {"things": [{"colour": "RED", "note": None}, {"colour": "RED", "note": "a null in a non-null field"}]}
