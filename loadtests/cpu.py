"""CPU time the server, PostgreSQL and the load driver spent during a run, read from /proc (Linux).

Throughput on a shared 2-core machine moves with whatever else runs; CPU time per request
moves much less, so the benchmark reports both. Elsewhere than Linux the meter reads nothing.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class _Process:
    pid: int
    parent: int
    group: int
    command: str  # the executable's name, then its command line
    seconds: float  # CPU so far, user + system


def _processes(*, command_lines: bool) -> list[_Process]:
    """This machine's processes, from /proc/<pid>/stat (and cmdline when asked for)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            command_line = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace") if command_lines else ""
        except OSError:  # the process ended while we looked
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        found.append(_Process(pid=int(stat.parent.name), parent=int(fields[1]), group=int(fields[2]),
                              command=f"{name} {command_line}", seconds=(int(fields[11]) + int(fields[12])) / _TICKS))
    return found


def _process_cpu(server_group: int | None) -> dict[str, float]:
    """CPU seconds so far of the server's process group and of every PostgreSQL process."""
    totals = {"server": 0.0, "postgres": 0.0}
    for process in _processes(command_lines=False):
        if server_group is not None and process.group == server_group:
            totals["server"] += process.seconds
        elif process.command.startswith("postgres"):
            totals["postgres"] += process.seconds
    return totals


ROLES = ("locust", "server", "postgres", "redis")


def _own_role(command: str) -> str | None:
    if "locust" in command:
        return "locust"
    if "orchard serve" in command:
        return "server"
    if command.startswith("postgres"):
        return "postgres"
    if command.startswith("redis-server"):
        return "redis"
    return None


def cpu_by_role() -> dict[str, float]:
    """CPU seconds so far of this machine's processes by role: Locust (its processes and what
    they started), the Orchard server (`orchard serve` and its workers), PostgreSQL and Redis.

    A process belongs to the role of its nearest ancestor (itself included) that has one.
    """
    processes = {process.pid: process for process in _processes(command_lines=True)}

    def role(pid: int) -> str | None:
        for _ in range(64):  # a chain of parents, bounded
            process = processes.get(pid)
            if process is None:
                return None
            own = _own_role(process.command)
            if own is not None:
                return own
            pid = process.parent
        return None

    totals = dict.fromkeys(ROLES, 0.0)
    for process in processes.values():
        found = role(process.pid)
        if found is not None:
            totals[found] += process.seconds
    return totals


@dataclass
class CpuMeter:
    """Start it before a run and stop it after; `per_request` gives microseconds per request.

    A PostgreSQL backend that exits during the run takes its CPU time with it: stop the meter
    before closing the connections the run used.
    """

    server_group: int | None = None
    started: dict[str, float] = field(default_factory=dict)
    spent: dict[str, float] = field(default_factory=dict)

    def _now(self) -> dict[str, float]:
        return {**_process_cpu(self.server_group), "driver": time.process_time()}

    def start(self) -> None:
        self.started = self._now()

    def stop(self) -> None:
        now = self._now()
        self.spent = {name: now[name] - self.started[name] for name in now}

    def per_request(self, requests: int) -> dict[str, float]:
        if not self.spent or not requests:
            return {}
        spent = {name: seconds for name, seconds in self.spent.items() if name != "server" or self.server_group}
        return {name: seconds / requests * 1e6 for name, seconds in spent.items()}
