"""The HTTP client of the delivery worker: httpx, with the SSRF check at connection time.

Every new connection resolves the endpoint's host, refuses it unless every address is allowed
(urls.resolve), and connects to a checked address: a name that changed to a private address
after the endpoint was created is refused at delivery, with no window between check and
connect. Proxies from the environment are ignored (they would connect on our behalf, unchecked).
"""

from __future__ import annotations

import typing

import httpcore
import httpx

from domain.webhooks import urls


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, allow_loopback: bool) -> None:
        self._backend = httpcore.AnyIOBackend()
        self._allow_loopback = allow_loopback

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await urls.resolve(host, port, allow_loopback=self._allow_loopback)
        except urls.UnsafeAddress as exc:
            raise httpcore.ConnectError(str(exc)) from None
        # TLS still names the URL's host (SNI and certificate check): httpcore takes it from the request.
        return await self._backend.connect_tcp(
            addresses[0], port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


class _GuardedTransport(httpx.AsyncHTTPTransport):
    def __init__(self, *, allow_loopback: bool, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        # httpx takes no network backend; its pool does. Same pool options as httpx's own.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False), max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
            network_backend=_GuardedBackend(allow_loopback),
        )


def client(*, allow_loopback: bool, concurrency: int, timeout_seconds: float) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency, keepalive_expiry=30.0)
    return httpx.AsyncClient(
        transport=_GuardedTransport(allow_loopback=allow_loopback, limits=limits),
        timeout=httpx.Timeout(timeout_seconds, connect=min(5.0, timeout_seconds)),
        follow_redirects=False,  # a redirect could point anywhere: a 3xx is a failed attempt
        trust_env=False,
        headers={"user-agent": "Orchard-Webhooks/1", "content-type": "application/json"},
    )
