"""Short-lived signed access tokens and single-use rotating refresh tokens.

A sign-in starts a token family: its access tokens carry the family id (`fam`), and every refresh
token rotated from it shares it. A used refresh token presented again means it leaked, so the
whole family is revoked, its access tokens included (OAuth 2.0 Security BCP, refresh token
rotation). Whether a family is revoked is cached: authenticate asks on every request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

import jwt
from jwt.algorithms import HMACAlgorithm

from domain.access import CallerKind, StaffRole, Viewer
from domain.stores.models import RefreshToken
from infra import cache
from infra.clock import Clock

ALGORITHM = "HS256"
AUDIENCE = "orchard"


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    expires_at: datetime
    refresh_token: str


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def issue_access_token(
    viewer: Viewer, *, secret: str, clock: Clock, lifetime: timedelta, family: str | None = None
) -> tuple[str, datetime]:
    now = clock.now()
    expires = now + lifetime
    claims = {
        "sub": str(viewer.subject_id),
        "knd": viewer.kind.value,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "aud": AUDIENCE,
    }
    if viewer.role:
        claims["rol"] = viewer.role.value
    if viewer.store_id:
        claims["sto"] = viewer.store_id
    if family:
        claims["fam"] = family
    return jwt.encode(claims, secret, algorithm=ALGORITHM), expires


class _HS256(HMACAlgorithm):
    """PyJWT's own HS256, with its checks of the secret (not empty, not a PEM, SSH, DER or JWK key,
    long enough) run once per secret instead of once per token.

    PyJWT re-checks the key on every decode, and those checks (two failed DER parses and a failed
    JSON parse) cost more than the HMAC itself. The verification of the token is PyJWT's, unchanged.
    """

    def __init__(self) -> None:
        super().__init__(HMACAlgorithm.SHA256)

    def prepare_key(self, key: str | bytes) -> bytes:  # an invalid key raises, and is not cached
        return _prepared_key(key)

    def check_key_length(self, key: bytes) -> str | None:
        return _key_length_warning(key)


# Module-level caches: lru_cache on the methods would key on (and keep alive) the instance.
_PLAIN_HS256 = HMACAlgorithm(HMACAlgorithm.SHA256)


@lru_cache(maxsize=8)
def _prepared_key(key: str | bytes) -> bytes:
    return _PLAIN_HS256.prepare_key(key)


@lru_cache(maxsize=8)
def _key_length_warning(key: bytes) -> str | None:
    return _PLAIN_HS256.check_key_length(key)


def _decoder() -> jwt.PyJWT:
    decoder = jwt.PyJWT()
    jws = getattr(decoder, "_jws", None)
    if not isinstance(jws, jwt.PyJWS):  # a PyJWT without that attribute: its plain decode
        return decoder
    jws.unregister_algorithm(ALGORITHM)
    jws.register_algorithm(ALGORITHM, _HS256())
    return decoder


_DECODER = _decoder()


@lru_cache(maxsize=50_000)
def _verified_claims(token: str, secret: str) -> dict | None:
    """Signature checks are the costly part of a request: each token is verified once per process."""
    try:
        return _DECODER.decode(
            token, secret, algorithms=[ALGORITHM], audience=AUDIENCE,
            options={"verify_exp": False, "verify_iat": False, "require": ["exp", "sub", "knd"]},
        )
    except jwt.PyJWTError:
        return None


async def read_access_token(token: str, *, secret: str, clock: Clock) -> Viewer | None:
    claims = _verified_claims(token, secret)
    if claims is None or claims["exp"] <= clock.now().timestamp():
        return None
    if "fam" in claims and await family_revoked(claims["fam"]):
        return None
    kind = CallerKind(claims["knd"])
    if kind not in (CallerKind.STAFF, CallerKind.MEMBER):
        return None
    return Viewer(
        kind=kind,
        subject_id=int(claims["sub"]),
        role=StaffRole(claims["rol"]) if "rol" in claims else None,
        store_id=claims.get("sto"),
    )


class RefreshSubject(NamedTuple):
    kind: CallerKind
    subject_id: int
    family: str | None


async def issue_refresh_token(
    subject_kind: CallerKind, subject_id: int, *, family: str, clock: Clock, lifetime: timedelta, connection=None
) -> str:
    token = "orch_rt_" + secrets.token_urlsafe(32)
    await RefreshToken.create(
        subject_kind=subject_kind.value, subject_id=subject_id, token_hash=sha256(token), family=family,
        expires_at=clock.now() + lifetime, using_db=connection,
    )
    return token


async def consume_refresh_token(token: str, *, clock: Clock, connection=None) -> RefreshSubject | None:
    """Mark a refresh token used, exactly once; None when unknown, used, revoked or expired.

    A token used before revokes its whole family: whoever holds the newer tokens lost them too.
    """
    now = clock.now()
    hashed = sha256(token)
    used = await RefreshToken.filter(
        token_hash=hashed, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).using_db(connection).update(used_at=now)
    row = await RefreshToken.get_or_none(token_hash=hashed).using_db(connection)
    if used != 1 or row is None:
        if row is not None and row.used_at is not None and row.family:
            await revoke_family(row.family, clock=clock, connection=connection)
        return None
    return RefreshSubject(CallerKind(row.subject_kind), row.subject_id, row.family)


# How late, at most, another worker sees a revocation without Redis (with Redis: cache.NEAR_TTL).
FAMILY_CACHE_TTL = 30


def _family_key(family: str) -> str:
    return f"token-family-revoked:{family}"


async def start_family() -> str:
    """A new sign-in's family, remembered as not revoked: its first requests read nothing."""
    family = secrets.token_hex(16)
    await cache.put(_family_key(family), False, ttl=FAMILY_CACHE_TTL)
    return family


async def family_revoked(family: str) -> bool:
    async def load() -> bool:
        return await RefreshToken.filter(family=family, revoked_at__isnull=False).exists()

    return bool(await cache.get_or_load(_family_key(family), load, ttl=FAMILY_CACHE_TTL))


async def revoke_family(family: str, *, clock: Clock, connection=None) -> None:
    await RefreshToken.filter(family=family, revoked_at__isnull=True).using_db(connection).update(revoked_at=clock.now())
    await cache.put(_family_key(family), True, ttl=FAMILY_CACHE_TTL)
