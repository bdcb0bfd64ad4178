"""Orchard's business rules: models and services, one package per bounded context.

Nothing here imports strawberry, starlette, `schema` or `resolvers`.
"""
