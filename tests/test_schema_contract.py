"""The committed schema.graphql is the contract: any change to it is a reviewed change."""

from __future__ import annotations

from domain.settings import Settings
from schema.root import build_schema
from tests.conftest import REPO_ROOT


def printed_schema() -> str:
    return build_schema(Settings(secret_key="x")).as_str().strip() + "\n"


def test_schema_graphql_matches_the_code():
    committed = (REPO_ROOT / "schema.graphql").read_text()
    assert committed == printed_schema(), (
        "schema.graphql differs from the code: review the change, then run `orchard schema > schema.graphql`"
    )


def test_names_follow_the_conventions():
    schema = build_schema(Settings(secret_key="x"))
    mutation_fields = schema.as_str().split("type Mutation {", 1)[1].split("}", 1)[0]
    for line in mutation_fields.strip().splitlines():
        name = line.strip().split("(", 1)[0]
        if name and not name.startswith('"'):
            assert "(input:" in line, f"{name} takes one `input` argument"
