"""Short-lived signed access tokens and single-use rotating refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import jwt
from jwt.algorithms import HMACAlgorithm

from domain.access import CallerKind, StaffRole, Viewer
from domain.clock import Clock
from domain.stores.models import RefreshToken

ALGORITHM = "HS256"
AUDIENCE = "orchard"


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    expires_at: datetime
    refresh_token: str


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def issue_access_token(viewer: Viewer, *, secret: str, clock: Clock, lifetime: timedelta) -> tuple[str, datetime]:
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
    return jwt.encode(claims, secret, algorithm=ALGORITHM), expires


class _HS256(HMACAlgorithm):
    """PyJWT's own HS256, with its checks of the secret (not empty, not a PEM, SSH, DER or JWK key,
    long enough) run once per secret instead of once per token.

    PyJWT re-checks the key on every decode, and those checks (two failed DER parses and a failed
    JSON parse) cost more than the HMAC itself. The verification of the token is PyJWT's, unchanged.
    """

    def __init__(self) -> None:
        super().__init__(HMACAlgorithm.SHA256)

    @lru_cache(maxsize=8)
    def prepare_key(self, key: str | bytes) -> bytes:  # an invalid key raises, and is not cached
        return super().prepare_key(key)

    @lru_cache(maxsize=8)
    def check_key_length(self, key: bytes) -> str | None:
        return super().check_key_length(key)


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


def read_access_token(token: str, *, secret: str, clock: Clock) -> Viewer | None:
    claims = _verified_claims(token, secret)
    if claims is None or claims["exp"] <= clock.now().timestamp():
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


async def issue_refresh_token(subject_kind: CallerKind, subject_id: int, *, clock: Clock, lifetime: timedelta, connection=None) -> str:
    token = "orch_rt_" + secrets.token_urlsafe(32)
    await RefreshToken.create(
        subject_kind=subject_kind.value, subject_id=subject_id, token_hash=sha256(token),
        expires_at=clock.now() + lifetime, using_db=connection,
    )
    return token


async def consume_refresh_token(token: str, *, clock: Clock, connection=None) -> tuple[CallerKind, int] | None:
    """Mark a refresh token used, exactly once; None when unknown, used or expired."""
    now = clock.now()
    used = await RefreshToken.filter(
        token_hash=sha256(token), used_at__isnull=True, expires_at__gt=now
    ).using_db(connection).update(used_at=now)
    if used != 1:
        return None
    row = await RefreshToken.get(token_hash=sha256(token)).using_db(connection)
    return CallerKind(row.subject_kind), row.subject_id
