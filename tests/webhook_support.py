"""A webhook receiver for tests: a starlette app served by uvicorn on 127.0.0.1, on a free port.

It records every request (headers and body) and answers with the statuses it is given, in
order (then 200). The socket is bound and listening before the server task starts, so a
request sent at once waits in the backlog: nothing needs to wait for the server to be ready.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.access import CallerKind, Viewer
from domain.stores.models import ApiKey, Partner
from domain.stores.tokens import sha256
from domain.webhooks.access import WEBHOOK_SCOPE


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)


class serve_receiver:
    def __init__(self, answers: list[int] | None = None) -> None:
        self._answers = list(answers or [])

    async def __aenter__(self) -> Receiver:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(1024)
        sock.setblocking(False)
        receiver = Receiver(url=f"http://127.0.0.1:{sock.getsockname()[1]}/hooks", answers=self._answers)

        async def hook(request: Request) -> Response:
            receiver.received.append(Received(dict(request.headers), await request.body()))
            return Response(status_code=receiver.answers.pop(0) if receiver.answers else 200)

        app = Starlette(routes=[Route("/hooks", hook, methods=["POST"])])
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False))
        self._server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]  # pytest keeps its own handlers
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        self._sock = sock
        return receiver

    async def __aexit__(self, *exc) -> None:
        self._server.should_exit = True
        await self._task
        self._sock.close()


async def partner_with_key(name: str, *, scopes: tuple[str, ...] = (WEBHOOK_SCOPE,)) -> tuple[Partner, str]:
    """A partner and a partner API key for it (until partner keys have their mutation)."""
    partner = await Partner.create(code=name.upper(), name=name)
    secret = f"orch_partner_{name}_{'x' * 32}"
    await ApiKey.create(
        kind="PARTNER", name=f"{name} key", display_prefix=secret[:16], key_hash=sha256(secret), scopes=list(scopes),
        partner=partner,
    )
    return partner, secret


def partner_viewer(partner: Partner) -> Viewer:
    return Viewer(kind=CallerKind.PARTNER, subject_id=1, partner_id=partner.id, scopes=frozenset({WEBHOOK_SCOPE}))
