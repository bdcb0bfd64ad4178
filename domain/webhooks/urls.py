"""Which URLs an endpoint may have: the guard against server-side request forgery (SSRF).

An endpoint URL is absolute http(s) without credentials or fragment, at most 2,048 characters;
in production it must be https. Its host must resolve only to public addresses: loopback,
private (RFC 1918, unique-local), link-local (169.254/16 with the cloud metadata address,
fe80::/10), shared (100.64/10), multicast, reserved and unspecified addresses are refused.
Loopback is allowed outside production when `webhooks_allow_loopback` is set (development and
tests). The check runs when an endpoint is created or changed, and again at delivery, on the
addresses the connection is about to use (transport.py), since DNS can change in between.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from domain.webhooks.errors import WebhookError, WebhookErrorCode
from infra.settings import Settings

MAX_URL_LENGTH = 2048
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeAddress(Exception):
    """A host resolved to an address webhooks may not reach (or did not resolve)."""


def allows_loopback(settings: Settings) -> bool:
    return settings.webhooks_allow_loopback and not settings.is_production


def check_url(url: str, settings: Settings, *, field: str = "url") -> tuple[str, int]:
    """The URL's (host, port) after the checks that need no DNS; a WebhookError otherwise."""
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH or any(c.isspace() or ord(c) < 32 for c in url):
        raise WebhookError(
            WebhookErrorCode.INVALID_URL, f"An endpoint URL is an http(s) address of at most {MAX_URL_LENGTH} characters.", field
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise WebhookError(WebhookErrorCode.INVALID_URL, "That is not a valid URL.", field) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError(WebhookErrorCode.INVALID_URL, "An endpoint URL starts with https:// and names a host.", field)
    if parts.username is not None or parts.password is not None or parts.fragment:
        raise WebhookError(WebhookErrorCode.INVALID_URL, "An endpoint URL carries no user name, password or #fragment.", field)
    if settings.is_production and parts.scheme != "https":
        raise WebhookError(WebhookErrorCode.HTTPS_REQUIRED, "Endpoint URLs must use https.", field)
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def is_public(address: Address, *, allow_loopback: bool) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return allow_loopback
    return not (
        address.is_private or address.is_link_local or address.is_multicast or address.is_reserved
        or address.is_unspecified or address in _SHARED
    ) and address.is_global


_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: is_private is False for it, is_global too


async def resolve(host: str, port: int, *, allow_loopback: bool) -> list[str]:
    """Every address `host` resolves to, when all of them are allowed; UnsafeAddress otherwise.

    All, not some: a name that resolves to one public and one private address would let a
    connection land on the private one.
    """
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        found = [literal]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise UnsafeAddress(f"{host} does not resolve: {exc}") from None
        found = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    if not found:
        raise UnsafeAddress(f"{host} does not resolve")
    refused = [str(a) for a in found if not is_public(a, allow_loopback=allow_loopback)]
    if refused:
        raise UnsafeAddress(f"{host} resolves to an address webhooks may not reach ({', '.join(refused)})")
    return [str(a) for a in dict.fromkeys(found)]


async def check_reachable(url: str, settings: Settings, *, field: str = "url") -> str:
    """The URL, stripped, once its form and every address it resolves to pass; a WebhookError otherwise."""
    host, port = check_url(url, settings, field=field)
    try:
        await resolve(host, port, allow_loopback=allows_loopback(settings))
    except UnsafeAddress as exc:
        code = WebhookErrorCode.UNRESOLVABLE_URL if "does not resolve" in str(exc) else WebhookErrorCode.UNSAFE_URL
        message = (
            "The endpoint's host does not resolve." if code is WebhookErrorCode.UNRESOLVABLE_URL
            else "The endpoint's host resolves to a loopback, private or link-local address: use a public address."
        )
        raise WebhookError(code, message, field) from None
    return url.strip()
