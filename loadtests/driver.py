"""A small closed-loop HTTP load driver for benchmarks: keep-alive HTTP/1.1 over asyncio streams.

Python HTTP clients cost more CPU than the server under test on a 2-core machine; this one
writes prepared request bytes and reads responses by Content-Length, so the server dominates.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from loadtests.cpu import CpuMeter


@dataclass
class Result:
    name: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    samples: list[bytes] = field(default_factory=list)
    cpu_us: dict[str, float] = field(default_factory=dict)  # CPU microseconds per request, by process

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def row(self) -> str:
        return (f"{self.name:<34} {self.throughput:>9.0f}/s  p50 {self.percentile(50):7.2f} ms  "
                f"p95 {self.percentile(95):7.2f} ms  p99 {self.percentile(99):7.2f} ms  "
                f"n={self.count} failures={self.failures}" + self.cpu_row())

    def cpu_row(self) -> str:
        if not self.cpu_us:
            return ""
        return "\n    CPU per request: " + ", ".join(f"{name} {us:,.0f} us" for name, us in self.cpu_us.items())


def graphql_request(host: str, port: int, query: str, variables: dict | None = None, token: str | None = None,
                    operation_name: str | None = None) -> bytes:
    body = json.dumps({"query": query, "variables": variables or {}, "operationName": operation_name}).encode()
    headers = [
        "POST /graphql HTTP/1.1", f"Host: {host}:{port}", "Content-Type: application/json",
        f"Content-Length: {len(body)}", "Connection: keep-alive",
    ]
    if token:
        headers.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        lowered = name.strip().lower()
        if lowered == b"content-length":
            length = int(value.strip())
        elif lowered == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if not chunked:
        return status, await reader.readexactly(length)
    body = b""
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return status, body
        body += chunk[:-2]


def graphql_ok(status: int, body: bytes) -> bool:
    """GraphQL answers 200 even on failure: an `errors` key, or payload errors, count as failures."""
    if status != 200:
        return False
    return b'"errors":[{' not in body and b'"errors": [{' not in body


async def run_closed_loop(
    name: str, host: str, port: int, make_request: Callable[[int], bytes], *, concurrency: int, seconds: float,
    is_ok: Callable[[int, bytes], bool] = graphql_ok, keep_samples: int = 0, cpu: CpuMeter | None = None,
) -> Result:
    """`concurrency` connections, each sending its next request as soon as the last one answered.

    With a CPU meter, the result carries the CPU time per request of the server, PostgreSQL and
    this driver.
    """
    result = Result(name=name, seconds=seconds)
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**12))

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < deadline:
                request = make_request(next(counter))
                started = time.perf_counter()
                writer.write(request)
                status, body = await _read_response(reader)
                result.latencies.append(time.perf_counter() - started)
                if not is_ok(status, body):
                    result.failures += 1
                    if len(result.samples) < keep_samples:
                        result.samples.append(body[:300])
        finally:
            writer.close()

    if cpu is not None:
        cpu.start()
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.seconds = time.perf_counter() - started
    if cpu is not None:
        cpu.stop()
        result.cpu_us = cpu.per_request(result.count)
    return result


def summary(results: list[Result]) -> str:
    return "\n".join(r.row() for r in results)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
