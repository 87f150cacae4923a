"""The stack starts, reports itself, and leaves nothing behind however it is stopped."""
import json
import os
import signal
import socket
import subprocess
import sys

import pytest

from stack.supervisor import listens_on, pid_alive
from support.config import Budget
from support.waits import eventually

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def stack_cli(*args, state, env=None):
    return subprocess.run([sys.executable, "-m", "stack", *args, "--state", state], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, env=env)


def children_of(pid):
    result = subprocess.run(["ps", "-eo", "pid,ppid"], capture_output=True, text=True)
    pairs = [tuple(map(int, line.split())) for line in result.stdout.splitlines()[1:]]
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in pairs if parent in frontier} - found
        found |= frontier
    return found


def gone(pids):
    return eventually(lambda: [p for p in pids if pid_alive(p)], until=lambda alive: not alive,
                      within=Budget("processes_gone", 10), describe="stack processes to exit", report=False)


@pytest.fixture
def state(tmp_path):
    path = str(tmp_path / "state.json")
    yield path
    stack_cli("down", state=path)


def test_up_status_down_leaves_nothing(state):
    up = stack_cli("up", state=state)
    assert up.returncode == 0, up.stderr
    print(up.stdout.strip())
    with open(state) as handle:
        info = json.load(handle)
    pids = children_of(info["pid"]) | {info["pid"]}
    assert len(pids) >= 5, "moto, orchestrator, hermes and the router run as their own processes"
    assert stack_cli("status", state=state).returncode == 0
    assert stack_cli("down", state=state).returncode == 0
    gone(pids)
    assert not os.path.exists(info["runtime_dir"])
    assert not os.path.exists(state)
    assert stack_cli("status", state=state).returncode == 3


def test_a_killed_supervisor_takes_its_children_and_the_next_sweep_its_directory(state, tmp_path):
    # A temporary directory of its own: any other stack starting meanwhile sweeps the shared one first.
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    assert stack_cli("up", state=state, env=env).returncode == 0
    with open(state) as handle:
        info = json.load(handle)
    assert info["runtime_dir"].startswith(str(tmp_path))
    pids = children_of(info["pid"])
    os.kill(info["pid"], signal.SIGKILL)
    gone(pids | {info["pid"]})
    sweep = stack_cli("sweep", state=state, env=env)
    assert info["runtime_dir"] in sweep.stdout
    assert not os.path.exists(info["runtime_dir"])


def test_an_unknown_fault_is_refused_before_anything_starts(state):
    result = subprocess.run([sys.executable, "-m", "stack", "serve", "--state", state], cwd=ROOT,
                            env={**os.environ, "STACK_FAULTS": "gremlins"}, capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 2
    assert "unknown fault(s) gremlins" in result.stderr


def test_a_port_another_program_took_does_not_pass_for_the_stack_process_own():
    """Between a port's choice and its bind another program may take it, and answer there."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert listens_on(os.getpid(), port)
        other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
        try:
            assert not listens_on(other.pid, port)
        finally:
            other.kill()
            other.wait()
