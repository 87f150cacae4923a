"""Starting the preview's services as real processes for tests, and waiting on them by polling."""
import os
import tempfile
import time
from pathlib import Path

import httpx

from stack import procs
from stack.preview import AREA as PREVIEW
from stack.supervisor import free_port
from stack.settings import NAMES, aws_client, write

ROOT = Path(__file__).resolve().parents[2]
# A cold Python process that imports aiohttp and boto3 answers within about a second; 15 s means it is broken.
SERVICE_READY_S = 15.0
POLL_S = 0.05


def wait_until(probe, until, within, describe):
    """Polls `probe` until `until(value)`; on timeout names what was awaited and the last value."""
    deadline = time.monotonic() + within
    while True:
        value = probe()
        if until(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{describe} did not happen within {within} s; last seen {value!r}")
        time.sleep(POLL_S)


def answering(url):
    try:
        return httpx.get(url, timeout=1).status_code
    except httpx.HTTPError as exc:
        return repr(exc)


def children(pid):
    """Pids of the live processes whose parent is `pid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Processes:
    """Processes started for one fixture, stopped together (SIGTERM, then SIGKILL)."""

    def __init__(self, log_dir):
        self.log_dir = log_dir
        self.started = {}

    def start(self, name, args, ready_url):
        process = procs.spawn(args, os.path.join(self.log_dir, f"{name}.log"), env={"PYTHONPATH": str(ROOT)})
        self.started[name] = process

        def probe():
            return f"exited with {process.returncode}" if process.poll() is not None else answering(ready_url)

        seen = wait_until(probe, until=lambda s: s == 200 or str(s).startswith("exited"), within=SERVICE_READY_S,
                          describe=f"{name} to answer {ready_url}")
        assert seen == 200, f"{name} {seen}:\n{self.log(name)}"
        return process

    def log(self, name):
        return Path(self.log_dir, f"{name}.log").read_text(errors="replace")

    def stop_all(self):
        for process in reversed(list(self.started.values())):
            procs.stop(process)


def make_settings(scratch, aws_endpoint, **overrides):
    """A fresh runtime directory and settings file, as the supervisor writes them."""
    runtime = Path(tempfile.mkdtemp(prefix="run-", dir=scratch))
    ports = {"aws": int(aws_endpoint.rsplit(":", 1)[1]), "ecs": free_port(), "hermes": free_port(), "lb": free_port()}
    settings = {
        "runtime_dir": str(runtime),
        "workspace_root": str(runtime / "workspace"),
        "git_remote_root": str(runtime / "remotes"),
        "ports": ports,
        "endpoints": {name: f"http://127.0.0.1:{port}" for name, port in ports.items()},
        "names": dict(NAMES),
        "idle_timeout_s": 1.0,
        "max_edit_tasks": 3,
        "faults": [],
        **overrides,
    }
    for directory in ("logs", "workspace", "remotes"):
        (runtime / directory).mkdir()
    path = runtime / "settings.json"
    write(path, settings)
    return str(path), settings


class Stack:
    """Some of the preview's services, started as the supervisor starts them."""

    SERVICES = PREVIEW.services

    def __init__(self, scratch, aws_endpoint, services, **overrides):
        self.settings_path, self.settings = make_settings(scratch, aws_endpoint, **overrides)
        self.processes = Processes(os.path.join(self.settings["runtime_dir"], "logs"))
        try:
            for name in services:
                service = self.SERVICES[name]
                self.processes.start(name, ["-m", service.module, "--settings", self.settings_path],
                                     self.settings["endpoints"][name] + service.health)
        except BaseException:
            self.stop()
            raise

    def url(self, service, path=""):
        return self.settings["endpoints"][service] + path

    def client(self, service):
        return aws_client(self.settings, service)

    def worker_pid(self, task_arn):
        """The pid of the worker process the orchestrator started for `task_arn`."""
        for pid in children(self.processes.started["ecs"].pid):
            if task_arn.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
        raise AssertionError(f"no worker process for {task_arn}")

    def stop(self):
        """Stops the services and proves that the orchestrator took its workers down with it."""
        workers = children(self.processes.started["ecs"].pid) if "ecs" in self.processes.started else []
        self.processes.stop_all()
        left = [pid for pid in workers if alive(pid)]
        assert not left, f"worker processes {left} outlived the orchestrator"
