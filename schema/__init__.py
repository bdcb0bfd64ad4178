"""GraphQL types, inputs, payloads and enums; `schema.root` assembles the schema."""
