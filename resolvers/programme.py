"""Resolvers for programme settings."""

from __future__ import annotations


from domain.errors import DomainError
from domain.programme import service as programme
from resolvers.context import RequestContext
from schema import programme as gql
from schema.errors import errors_from



def _view(values: dict) -> gql.ProgrammeSettings:
    return gql.ProgrammeSettings(**{key: values[key] for key in programme.DEFAULTS})


async def programme_settings() -> gql.ProgrammeSettings:
    return _view(await programme.current())


async def update_programme_settings(ctx: RequestContext, data: gql.UpdateProgrammeSettingsInput) -> gql.UpdateProgrammeSettingsPayload:
    changes = {key: getattr(data, key) for key in programme.DEFAULTS if getattr(data, key) is not None}
    try:
        values = await programme.update(changes)
    except DomainError as exc:
        return gql.UpdateProgrammeSettingsPayload(settings=None, errors=errors_from(exc, gql.ProgrammeError, gql.ProgrammeErrorCode))
    return gql.UpdateProgrammeSettingsPayload(settings=_view(values), errors=[])
