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


def bulk_hasher(key: str):
    """`lookup_hash` with the key derived once: for bulk writers hashing many phones."""
    derived = _derive(key, "phone-lookup")
    return lambda e164: hmac.digest(derived, e164.encode(), "sha256").hex()


def bulk_encrypter(key: str):
    """`encrypt` with the cipher made once and nonces drawn from the OS in blocks: for bulk
    writers encrypting many phones. Each nonce is still 12 fresh random bytes."""
    cipher = AESGCM(_derive(key, "phone-encryption"))
    pool = bytearray()

    def seal(e164: str) -> str:
        nonlocal pool
        if not pool:
            pool = bytearray(os.urandom(12 * 4096))
        nonce = bytes(pool[-12:])
        del pool[-12:]
        return base64.b64encode(nonce + cipher.encrypt(nonce, e164.encode(), b"phone")).decode()

    return seal


def mask(e164: str) -> str:
    """+8613812345678 -> +86 138****5678: enough for a clerk to confirm, not to dial."""
    if len(e164) == 14 and e164.startswith("+86"):  # a Chinese mobile number: no need to parse it
        return f"+86 {e164[3:6]}****{e164[-4:]}"
    parsed = phonenumbers.parse(e164, None)
    national = str(parsed.national_number)
    return f"+{parsed.country_code} {national[:3]}{'*' * max(len(national) - 7, 0)}{national[-4:]}"
