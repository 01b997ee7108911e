"""A trainer started by a worker exits when the worker dies."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]

# A parent that starts the watched child, reports its pid, then waits to be killed.
PARENT = """
import os, subprocess, sys, time
os.environ.setdefault('RAG_R1_EXIT_WITH_PARENT', str(os.getpid()))
child = subprocess.Popen([sys.executable, '-c',
    'from rag_r1_trainer.watchdog import start_parent_watchdog as s; s(0.1); import time; time.sleep(60)'],
    start_new_session=True)
print(child.pid, flush=True)
time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); read its state.
    state = Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}/stat").exists() else "X"
    return state not in ("Z", "X")


def test_exits_when_parent_is_killed():
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_DIR)}
    env.pop("RAG_R1_EXIT_WITH_PARENT", None)
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, env=env, text=True)
    child = int(parent.stdout.readline())
    assert _alive(child)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.time() + 10
    while _alive(child) and time.time() < deadline:
        time.sleep(0.1)
    assert not _alive(child)


def test_stays_when_not_asked():
    # An empty flag (set, so PARENT keeps it) means: not started by a worker.
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_DIR), "RAG_R1_EXIT_WITH_PARENT": ""}
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, env=env, text=True)
    child = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    time.sleep(1.0)
    try:
        assert _alive(child)
    finally:
        os.kill(child, signal.SIGKILL)
