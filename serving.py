"""Serving with several worker processes, each accepting connections on its own socket.

uvicorn's `--workers` shares one listening socket between its workers, and whichever worker
wakes first accepts. With keep-alive clients (tills, kiosks, a load balancer's pool) that
left one worker holding most connections: of 32 connections opened at once, the two workers
held 22/10, 27/5, 23/9, 22/10 and 32/0 in five tries, and the busy worker saturated its core
while the other idled. Here every worker binds its own socket with SO_REUSEPORT, and the
kernel spreads new connections over the workers by a hash of their addresses.

The supervisor starts the workers, starts a new one when one dies, and stops them all on
SIGTERM or SIGINT. A worker that dies before it was ready stops the whole server instead (a
broken configuration would otherwise restart forever).
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event
from pathlib import Path

import uvicorn

log = logging.getLogger("orchard.serving")

STOP_SECONDS = 30.0
_spawn = multiprocessing.get_context("spawn")


def _config(host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config("app:asgi", factory=True, host=host, port=port, log_config=None, access_log=False)


def _bound_socket(host: str, port: int, *, shared: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


class _Worker(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, ready) -> None:
        super().__init__(config)
        self.ready = ready

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets)
        if self.started:
            self.ready.set()


def _worker(host: str, port: int, ready) -> None:
    config = _config(host, port)
    sock = _bound_socket(host, port, shared=True)
    sock.listen(config.backlog)
    _Worker(config, ready).run(sockets=[sock])


def listening_sockets(port: int) -> int:
    """How many sockets listen on the IPv4 `port` (Linux): one per ready worker."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for row in rows if row.split()[1].endswith(f":{port:04X}") and row.split()[3] == "0A")


def serve(host: str, port: int, workers: int) -> int:
    """Run `workers` worker processes until SIGTERM or SIGINT; the exit code."""
    if workers <= 1:
        uvicorn.Server(_config(host, port)).run()
        return 0
    # Bound without SO_REUSEPORT, this fails if anything listens on the port already, even an
    # older Orchard server that the workers would otherwise silently share it with.
    try:
        _bound_socket(host, port, shared=False).close()
    except OSError as exc:
        log.error("cannot listen on %s:%s: %s", host, port, exc.strerror)
        return 1
    stopping = False
    running: dict[int, tuple[BaseProcess, Event]] = {}

    def start() -> None:
        ready = _spawn.Event()
        process = _spawn.Process(target=_worker, args=(host, port, ready), name="orchard-worker")
        process.start()
        running[process.sentinel] = (process, ready)
        log.info("worker started", extra={"pid": process.pid})

    def stop(signum: int, _frame) -> None:
        nonlocal stopping
        stopping = True
        for process, _ in running.values():
            if process.is_alive():
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(workers):
        start()
    exit_code = 0
    while running:
        ended = wait(list(running), timeout=STOP_SECONDS if stopping else None)
        if stopping and not ended:
            log.error("workers did not stop in time: killing them")
            for process, _ in running.values():
                process.kill()
            ended = wait(list(running))
        for sentinel in ended:
            process, ready = running.pop(sentinel)  # type: ignore[arg-type]
            process.join()
            if stopping:
                continue
            log.warning("worker exited", extra={"pid": process.pid, "exit_code": process.exitcode})
            if not ready.is_set():
                log.error("a worker died while starting: stopping the server")
                exit_code = 1
                stop(signal.SIGTERM, None)
            else:
                start()
    return exit_code
