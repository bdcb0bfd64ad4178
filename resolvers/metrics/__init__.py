"""Programme metrics resolvers."""
