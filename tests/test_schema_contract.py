"""The committed schema.graphql is the contract: any change to it is a reviewed change."""

from __future__ import annotations

from schema.root import build_schema
from tests.conftest import REPO_ROOT


def printed_schema() -> str:
    return build_schema().as_str().strip() + "\n"


def test_schema_graphql_matches_the_code():
    committed = (REPO_ROOT / "schema.graphql").read_text()
    assert committed == printed_schema(), (
        "schema.graphql differs from the code: review the change, then run `orchard schema > schema.graphql`"
    )


def test_every_mutation_takes_one_input_and_returns_a_payload_with_errors():
    schema = build_schema()._schema
    for name, field in schema.mutation_type.fields.items():
        assert list(field.args) == ["input"], f"{name} takes one `input` argument"
        payload = field.type.of_type if hasattr(field.type, "of_type") else field.type
        assert payload.name.endswith("Payload"), f"{name} returns an XPayload"
        assert "errors" in payload.fields, f"{payload.name} has errors"


def test_every_entry_point_is_described():
    schema = build_schema()._schema
    for root in ("Query", "Mutation"):
        for name, field in schema.type_map[root].fields.items():
            assert field.description, f"{root}.{name} needs a description: frontends read it in GraphiQL"


def test_every_payload_error_implements_user_error_and_lists_its_codes():
    schema = build_schema()._schema
    user_error = schema.type_map["UserError"]
    codes = set(schema.type_map["ErrorCode"].values)
    for field in schema.mutation_type.fields.values():
        payload = field.type.of_type
        error = payload.fields["errors"].type.of_type.of_type.of_type  # [XError!]!
        assert user_error in error.interfaces, f"{error.name} implements UserError"
        listed = error.description.rsplit("Codes: ", 1)[1].rstrip(".").split(", ")
        assert listed and set(listed) <= codes, f"{error.name} lists the codes it may carry"
