"""Staff passwords, hashed with Argon2id (memory-hard)."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 8


@cache
def hasher(profile: str = "default") -> PasswordHasher:
    if profile == "cheapest":  # tests only: same algorithm, tiny cost
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)


def hash_password(password: str, profile: str = "default") -> str:
    return hasher(profile).hash(password)


def verify_password(password_hash: str, password: str, profile: str = "default") -> bool:
    try:
        return hasher(profile).verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Verifying against this keeps a login for an unknown email as slow as for a known one.
def dummy_hash(profile: str = "default") -> str:
    return _dummy_hash(profile)


@cache
def _dummy_hash(profile: str) -> str:
    return hash_password("orchard-timing-equaliser", profile)
