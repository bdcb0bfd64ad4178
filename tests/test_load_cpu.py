"""The load suite's CPU split: a process's CPU time goes to the role of the command that started it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from loadtests.cpu import ROLES, cpu_by_role

# Busy for 0.3 s of its own CPU, then says so and waits for its stdin to close (still alive, so
# /proc still has its CPU time). The trailing words make its command line look like the server's.
_BUSY = (
    "import sys, time\n"
    "end = time.process_time() + 0.3\n"
    "while time.process_time() < end: pass\n"
    "print('busy done', flush=True)\n"
    "sys.stdin.read()\n"
)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_a_servers_cpu_counts_as_the_servers_and_its_childrens_as_well():
    before = cpu_by_role()
    parent = subprocess.Popen(
        [sys.executable, "-c", f"import subprocess, sys; subprocess.run([sys.executable, '-c', {_BUSY!r}])", "orchard", "serve"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert parent.stdout.readline().strip() == "busy done"  # the grandchild, busy under `orchard serve`
        during = cpu_by_role()
    finally:
        parent.stdin.close()
        parent.wait(timeout=10)
    assert set(during) == set(ROLES)
    assert during["server"] - before["server"] >= 0.25
    assert during["locust"] - before["locust"] < 0.25  # nothing of it went to another role
