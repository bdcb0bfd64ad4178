"""Every type, field, argument, input field and enum value of the schema has a description:
frontends read them in GraphiQL and in schema.graphql, since production has no introspection."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    is_specified_scalar_type,
)

from schema.root import build_schema


def undescribed(schema: GraphQLSchema) -> Iterator[str]:
    """Schema coordinates (`Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`) with no description."""
    for name, named in sorted(schema.type_map.items()):
        if name.startswith("__") or is_specified_scalar_type(named):
            continue  # introspection and the built-in scalars are graphql's own
        if not named.description:
            yield name
        if isinstance(named, GraphQLEnumType):
            yield from (f"{name}.{value}" for value, enum_value in named.values.items() if not enum_value.description)
        elif isinstance(named, GraphQLInputObjectType):
            yield from (f"{name}.{field}" for field, input_field in named.fields.items() if not input_field.description)
        elif isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                if not field.description:
                    yield f"{name}.{field_name}"
                yield from (
                    f"{name}.{field_name}({arg}:)" for arg, argument in field.args.items() if not argument.description
                )


def test_the_walk_finds_what_lacks_a_description():
    from graphql import build_schema as from_sdl

    schema = from_sdl('''
        "Described" type Query { "Described" ok(a: Int, "Described" b: Int): Colour  bare: Int }
        enum Colour { RED "Described" GREEN }
        input Filter { "Described" code: String  name: String }
        type Mutation { "Described" go(input: Filter): Int }
    ''')
    assert list(undescribed(schema)) == [
        "Colour", "Colour.RED", "Filter", "Filter.name", "Mutation", "Mutation.go(input:)",
        "Query.ok(a:)", "Query.bare",
    ]


def test_every_type_field_argument_input_field_and_enum_value_is_described():
    missing = list(undescribed(build_schema()._schema))
    assert not missing, f"{len(missing)} schema elements have no description:\n  " + "\n  ".join(missing)
