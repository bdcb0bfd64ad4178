"""`orchard serve --workers N`: every worker accepts on its own socket, so connections spread over them."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest

from serving import listening_sockets
from tests.conftest import free_port

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads sockets from /proc (Linux)")

ORCHARD = str(Path(sys.executable).with_name("orchard"))
STARTED = "Application startup complete."


class Server:
    """`orchard serve` in a subprocess, read line by line; a watchdog kills it if a test hangs."""

    def __init__(self, database: Path, port: int, workers: int) -> None:
        env = {**os.environ, "ORCHARD_DATABASE_URL": f"sqlite://{database}", "ORCHARD_SECRET_KEY": "serving-test-secret-key-long"}
        env.pop("ORCHARD_REDIS_URL", None)
        self.process = subprocess.Popen(
            [ORCHARD, "serve", "--no-demo", "--port", str(port), "--workers", str(workers)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.watchdog = threading.Timer(90, self.process.kill)
        self.watchdog.start()
        self.started_pids: list[int] = []

    def read_until(self, wanted: str, times: int = 1) -> list[str]:
        seen: list[str] = []
        while sum(wanted in line for line in seen) < times:
            line = self.process.stdout.readline()
            assert line, f"the server ended before printing {wanted!r}: {''.join(seen)[-2000:]}"
            seen.append(line)
            if '"worker started"' in line:
                self.started_pids.append(json.loads(line)["pid"])
        return seen

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=60)
        self.watchdog.cancel()
        return code


def _connections_per_worker(port: int, pids: list[int]) -> Counter:
    """Established server-side sockets on `port`, counted by the worker process that holds them."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    inodes = {row.split()[9] for row in rows if row.split()[1].endswith(f":{port:04X}") and row.split()[3] == "01"}
    held: Counter = Counter()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            target = os.readlink(fd)
            if target.startswith("socket:[") and target[8:-1] in inodes:
                held[pid] += 1
    return held


def _open_connections(port: int, count: int) -> list[socket.socket]:
    connections = []
    for _ in range(count):
        conn = socket.create_connection(("127.0.0.1", port), timeout=30)
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        assert conn.recv(4096).startswith(b"HTTP/1.1 200")  # accepted and answered by a worker
        connections.append(conn)
    return connections


def test_two_workers_each_listen_and_share_the_connections(tmp_path):
    port = free_port()
    env = {**os.environ, "ORCHARD_DATABASE_URL": f"sqlite://{tmp_path}/serve.db"}
    subprocess.run([ORCHARD, "migrate"], env=env, check=True, capture_output=True)
    server = Server(tmp_path / "serve.db", port, workers=2)
    try:
        server.read_until(STARTED, times=2)
        assert listening_sockets(port) == 2  # one socket per worker, not one shared by both

        connections = _open_connections(port, 32)
        held = _connections_per_worker(port, server.started_pids)
        assert sum(held.values()) == 32 and len(held) == 2, held  # all 32 on one worker: a 1 in 2**31 chance
        for conn in connections:
            conn.close()

        taken = subprocess.run([ORCHARD, "serve", "--no-demo", "--port", str(port), "--workers", "2"],
                               env=env,
                               capture_output=True, text=True, timeout=60)
        assert taken.returncode == 1 and "cannot listen" in taken.stdout + taken.stderr

        os.kill(server.started_pids[0], signal.SIGKILL)
        server.read_until('"worker exited"')
        server.read_until(STARTED)
        assert len(server.started_pids) == 3 and listening_sockets(port) == 2
        _open_connections(port, 1)
    finally:
        code = server.stop()
    assert code == 0
