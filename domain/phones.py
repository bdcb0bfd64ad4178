"""Phone numbers: normalised to E.164, encrypted at rest, looked up by a keyed hash, shown masked."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

import phonenumbers
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.errors import DomainError

DEFAULT_REGION = "CN"


class InvalidPhone(DomainError):
    def __init__(self, field: str = "phone") -> None:
        super().__init__("INVALID_PHONE", "That is not a valid phone number.", field=field)


def normalise(raw: str, region: str = DEFAULT_REGION) -> str:
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise InvalidPhone() from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhone()
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _derive(key: str, purpose: str) -> bytes:
    return hmac.new(key.encode(), purpose.encode(), hashlib.sha256).digest()


def lookup_hash(e164: str, key: str) -> str:
    return hmac.new(_derive(key, "phone-lookup"), e164.encode(), hashlib.sha256).hexdigest()


def seal(data: bytes, key: str, purpose: str) -> str:
    """`data` encrypted at rest with AES-GCM under a key derived from `key` for `purpose` (also the
    associated data): base64 of nonce + ciphertext. Phones use it; so does a lottery's server seed."""
    nonce = os.urandom(12)
    sealed = AESGCM(_derive(key, f"{purpose}-encryption")).encrypt(nonce, data, purpose.encode())
    return base64.b64encode(nonce + sealed).decode()


def unseal(token: str, key: str, purpose: str) -> bytes:
    raw = base64.b64decode(token)
    return AESGCM(_derive(key, f"{purpose}-encryption")).decrypt(raw[:12], raw[12:], purpose.encode())


def encrypt(e164: str, key: str) -> str:
    return seal(e164.encode(), key, "phone")


def decrypt(token: str, key: str) -> str:
    return unseal(token, key, "phone").decode()


def mask(e164: str) -> str:
    """+8613812345678 -> +86 138****5678: enough for a clerk to confirm, not to dial."""
    parsed = phonenumbers.parse(e164, None)
    national = str(parsed.national_number)
    return f"+{parsed.country_code} {national[:3]}{'*' * max(len(national) - 7, 0)}{national[-4:]}"
