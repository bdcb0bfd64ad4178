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


def _process_cpu(server_group: int | None) -> dict[str, float]:
    """CPU seconds so far of the server's process group and of every PostgreSQL process."""
    totals = {"server": 0.0, "postgres": 0.0}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended while we looked
            continue
        command = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime
        if server_group is not None and int(fields[2]) == server_group:
            totals["server"] += seconds
        elif command.startswith("postgres"):
            totals["postgres"] += seconds
    return totals


def cpu_by_role() -> dict[str, float]:
    """CPU seconds so far of this machine's processes by role: Locust (its processes and what
    they started), the Orchard server (`orchard serve` and its workers), PostgreSQL and Redis.

    A process belongs to the role of its nearest ancestor (itself included) that has one.
    """
    processes: dict[int, tuple[int, str, float]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            command_line = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # the process ended while we looked
            continue
        command = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / _TICKS
        processes[int(stat.parent.name)] = (int(fields[1]), f"{command} {command_line}", seconds)

    def role(pid: int) -> str | None:
        for _ in range(64):  # a chain of parents, bounded
            if pid not in processes:
                return None
            parent, command, _seconds = processes[pid]
            if "locust" in command:
                return "locust"
            if "orchard serve" in command:
                return "server"
            if command.startswith("postgres"):
                return "postgres"
            if command.startswith("redis-server"):
                return "redis"
            pid = parent
        return None

    totals = dict.fromkeys(ROLES, 0.0)
    for pid, (_parent, _command, seconds) in processes.items():
        found = role(pid)
        if found is not None:
            totals[found] += seconds
    return totals


ROLES = ("locust", "server", "postgres", "redis")


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
