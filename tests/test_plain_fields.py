"""Plain fields answered by the execution context itself give the answers and errors graphql-core gives."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import strawberry
from graphql import execute, parse
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.plain_fields import execution_context_class, plain_fields, plain_object_fields
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


@strawberry.type
class Price:
    points: int

    @strawberry.field
    async def later(self) -> int:  # an awaited field below a plain object
        return self.points + 1


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Box(Named):
    price: Price | None
    prices: list[Price]
    maybe_prices: list[Price | None] | None


@strawberry.type
class Crate:
    box: Box | None
    boxes: list[Box] | None


@dataclass
class PriceRow:
    points: int | None


def BoxRow(name, price, prices, maybe_prices=None) -> Box:
    return Box(name=name, price=price, prices=prices, maybe_prices=maybe_prices)


@dataclass
class CrateRow:
    box: object
    boxes: list | None


CRATES = [
    CrateRow(BoxRow("fine", PriceRow(3), [PriceRow(1), PriceRow(2)], [PriceRow(5), None]), None),
    CrateRow(BoxRow("null price points", PriceRow(None), []), [BoxRow("b", None, [PriceRow(None)])]),
    CrateRow(BoxRow(None, None, []), [BoxRow("c", PriceRow(1), [])]),  # a null in Named.name, via the interface's type
    CrateRow(PriceRow(9), None),  # not a Box: is_type_of refuses it
    CrateRow(None, [BoxRow("d", PriceRow(1), [PriceRow(2)], "not a list")]),
]


@strawberry.type
class CrateQuery:
    @strawberry.field
    def crates(self) -> list[Crate | None]:
        return CRATES  # type: ignore[return-value]


def _run(query: str, query_type=Query, *, executor_class=None):
    schema = strawberry.Schema(query=query_type)._schema
    return execute(schema, parse(query), executor_class=executor_class or execution_context_class(schema))


async def _both(query: str):
    plain = _run(query, CrateQuery)
    normal = _run(query, CrateQuery, executor_class=StrawberryGraphQLCoreExecutionContext)
    return [await r if hasattr(r, "__await__") else r for r in (plain, normal)]


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


def test_plain_object_fields_are_objects_and_lists_of_objects_without_resolvers():
    found = plain_object_fields(build_schema()._schema)
    assert {"effectivePrice"} <= set(found["MallItem"]) and {"cash"} <= set(found["EffectivePrice"])
    assert {"edges", "pageInfo"} <= set(found["MallItemConnection"]) and "node" in found["MallItemEdge"]
    assert "tier" not in found.get("Member", {})  # a resolver keeps the normal path


async def test_plain_objects_and_lists_give_graphql_cores_answers_nulls_and_error_paths():
    queries = [
        "{ crates { box { name price { points } prices { points } } } }",
        "{ crates { box { price { points later } prices { later } maybePrices { points } } boxes { name prices { points } } } }",
        "{ crates { boxes { name price { later } maybePrices { later } } } }",
        "{ crates { box { ... on Box { name price { points } } } } }",
        "{ crates { box @include(if: true) { name } } }",
        "{ crates { first: box { n: name name price { p: points } } box { name price { later points } } } }",
    ]
    for query in queries:
        plain, normal = await _both(query)
        assert plain.data == normal.data, query
        assert [(e.message, e.path) for e in plain.errors or []] == [(e.message, e.path) for e in normal.errors or []], query
    plain, _ = await _both(queries[1])
    assert plain.data["crates"][0]["box"]["price"] == {"points": 3, "later": 4}
    second = plain.data["crates"][1]  # Price.points null in a non-null field: nulls the nearest nullable holder
    assert second["box"]["price"] is None and second["boxes"] is None
    assert [e.path for e in plain.errors][:2] == [["crates", 1, "box", "price", "points"], ["crates", 1, "boxes", 0, "prices", 0, "points"]]
    assert plain.data["crates"][3]["box"] is None  # not a Box: refused as graphql-core refuses it
