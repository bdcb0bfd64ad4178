"""Thin resolvers: GraphQL input -> one domain service call -> payload. DataLoaders live here."""
