"""Starts every stack process, watches them, and takes them all down together.

One supervisor per stack run owns a private runtime directory (workspaces, git remotes, logs,
settings). It is removed on a clean stop; a run that was killed leaves it behind, and the next
start sweeps every such directory whose owner is gone.
"""
import glob
import json
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
import urllib.request

from stack import cloud, faults, procs
from stack.settings import NAMES, write

RUNTIME_PREFIX = "acceptance-stack-"
READY_WITHIN_S = 15.0
# Ports are chosen free, but another program can take one before its service binds it.
START_ATTEMPTS = 3
# The version of the state file's layout (stack/state.md).
STATE_SCHEMA = 2


class StackError(RuntimeError):
    pass


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_ports(names):
    """Distinct free ports, one per name: all are held open together, so none is handed out twice."""
    sockets = []
    try:
        for _ in names:
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return {name: sock.getsockname()[1] for name, sock in zip(names, sockets)}
    finally:
        for sock in sockets:
            sock.close()


def pid_alive(pid):
    """True for a running process; a zombie (killed, not yet reaped) counts as gone."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def sweep_runtime_dirs():
    """Removes runtime directories left by stack runs whose supervisor no longer exists."""
    removed = []
    for path in glob.glob(os.path.join(tempfile.gettempdir(), RUNTIME_PREFIX + "*")):
        owner = os.path.basename(path)[len(RUNTIME_PREFIX):].split("-", 1)[0]
        if owner.isdigit() and not pid_alive(int(owner)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def listens_on(pid, port):
    """True when process `pid` itself holds the listening socket on `port`: another program that took the
    port between its choice and the bind answers there too, and must not pass for the stack's process."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as handle:
                rows = [line.split() for line in handle.readlines()[1:]]
        except OSError:
            continue
        inodes |= {row[9] for row in rows if row[3] == "0A" and int(row[1].rsplit(":", 1)[1], 16) == port}
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    sockets = {f"socket:[{inode}]" for inode in inodes}
    return any(_link(f"/proc/{pid}/fd/{fd}") in sockets for fd in fds)


def _link(path):
    """Where a /proc fd link points, or None for one closed meanwhile."""
    try:
        return os.readlink(path)
    except OSError:
        return None


def _wait_ready(url, process, name, port):
    deadline = time.monotonic() + READY_WITHIN_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StackError(f"{name} exited with code {process.returncode} while starting")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200 and listens_on(process.pid, port):
                    return
        except OSError:
            pass
        time.sleep(0.02)
    raise StackError(f"{name} did not answer {url} within {READY_WITHIN_S} s")


def _wait_port(port, process, name):
    deadline = time.monotonic() + READY_WITHIN_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StackError(f"{name} exited with code {process.returncode} while starting")
        if listens_on(process.pid, port):
            return
        time.sleep(0.02)
    raise StackError(f"{name} did not open port {port} within {READY_WITHIN_S} s")


class Stack:
    def __init__(self, state_path, areas, fault_names=(), idle_timeout_s=2.0, max_edit_tasks=3):
        self.state_path = os.path.abspath(state_path)
        self.areas = list(areas)
        self.services = {name: service for area in self.areas for name, service in area.services.items()}
        self.needs_aws = any(area.needs_aws for area in self.areas)
        self.fault_names = sorted(fault_names)
        self.idle_timeout_s = idle_timeout_s
        self.max_edit_tasks = max_edit_tasks
        self.processes = {}
        self.runtime_dir = None
        self.stopping = threading.Event()

    def start(self):
        started = time.monotonic()
        sweep_runtime_dirs()
        self.runtime_dir = tempfile.mkdtemp(prefix=f"{RUNTIME_PREFIX}{os.getpid()}-")
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                settings, settings_path = self._launch()
                break
            except StackError:
                if attempt == START_ATTEMPTS or not self._lost_a_port():
                    raise
                self._stop_processes()
                shutil.rmtree(os.path.join(self.runtime_dir, "logs"), ignore_errors=True)

        state = {
            **settings,
            "schema": STATE_SCHEMA,
            "pid": os.getpid(),
            "settings_path": settings_path,
            "start_seconds": round(time.monotonic() - started, 3),
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            **({"aws": {"endpoint": settings["endpoints"]["aws"]}} if self.needs_aws else {}),
            **{area.name: area.publish(settings) for area in self.areas},
        }
        os.makedirs(os.path.dirname(self.state_path), exist_ok=True)
        partial = self.state_path + ".partial"
        with open(partial, "w") as handle:
            json.dump(state, handle, indent=2)
        os.replace(partial, self.state_path)
        return state

    def _launch(self):
        """Starts every process on fresh ports and waits until each answers."""
        settings = self._settings()
        settings_path = os.path.join(self.runtime_dir, "settings.json")
        write(settings_path, settings)
        faults.initialise(settings, self.fault_names)
        for folder in (os.path.join(self.runtime_dir, "logs"), settings["workspace_root"],
                       settings["git_remote_root"]):
            os.makedirs(folder, exist_ok=True)

        if self.needs_aws:
            self._spawn("aws", cloud.server_command(settings["ports"]["aws"]))
        for name, service in self.services.items():
            self._spawn(name, ["-m", service.module, "--settings", settings_path])
        if self.needs_aws:
            _wait_port(settings["ports"]["aws"], self.processes["aws"], "moto")
            for area in self.areas:
                area.provision(settings)
        for name, service in self.services.items():
            _wait_ready(settings["endpoints"][name] + service.health, self.processes[name], name,
                        settings["ports"][name])
        return settings, settings_path

    def _lost_a_port(self):
        """True when a process died because another program took its port between choice and bind."""
        return "address already in use" in self.log_tail(lines=50).lower()

    def _settings(self):
        ports = free_ports((*(["aws"] if self.needs_aws else []), *self.services))
        endpoints = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        return {
            "areas": [area.name for area in self.areas],
            "runtime_dir": self.runtime_dir,
            "workspace_root": os.path.join(self.runtime_dir, "workspace"),
            "git_remote_root": os.path.join(self.runtime_dir, "remotes"),
            "ports": ports,
            "endpoints": endpoints,
            "names": dict(NAMES),
            "idle_timeout_s": self.idle_timeout_s,
            "max_edit_tasks": self.max_edit_tasks,
            "faults": self.fault_names,
        }

    def _spawn(self, name, args):
        log_path = os.path.join(self.runtime_dir, "logs", f"{name}.log")
        self.processes[name] = procs.spawn(args, log_path)

    def watch(self):
        """Blocks until asked to stop or until a stack process dies; returns a reason."""
        while not self.stopping.wait(0.2):
            for name, process in self.processes.items():
                if process.poll() is not None:
                    return f"{name} exited unexpectedly with code {process.returncode}"
        return None

    def _stop_processes(self):
        """Stops every process, the last started first, so moto outlives the services that use it."""
        for name in reversed(list(self.processes)):
            procs.stop(self.processes.pop(name))

    def stop(self):
        self.stopping.set()
        self._stop_processes()
        if os.path.exists(self.state_path):
            with open(self.state_path) as handle:
                if json.load(handle).get("pid") == os.getpid():
                    os.remove(self.state_path)
        if self.runtime_dir:
            shutil.rmtree(self.runtime_dir, ignore_errors=True)

    def log_tail(self, lines=20):
        chunks = []
        for path in sorted(glob.glob(os.path.join(self.runtime_dir or "", "logs", "*.log"))):
            with open(path, errors="replace") as handle:
                tail = handle.readlines()[-lines:]
            if tail:
                chunks.append(f"--- {os.path.basename(path)}\n" + "".join(tail))
        return "\n".join(chunks)


def install_signal_handlers(stack):
    def handle(signum, frame):
        stack.stopping.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def parse_faults(spec):
    return faults.parse(spec)
