"""Starting, attaching to and stopping the embedded stack, through its command line and state
file only (steps and support never import stack/)."""
import json
import os
import signal
import subprocess
import sys

from support.config import Budget
from support.procs import die_with_parent
from support.waits import WaitTimeout, eventually

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
START_WITHIN_S = 20.0


class StackUnavailable(RuntimeError):
    pass


def _alive(pid):
    """True for a running process; a zombie (killed, not yet reaped) counts as gone."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def read_state(state_file):
    try:
        with open(state_file) as handle:
            state = json.load(handle)
    except (OSError, ValueError):
        return None
    return state if _alive(state.get("pid", -1)) else None


def state_path(stack_settings):
    return os.path.join(ROOT, stack_settings["state_file"])


class EmbeddedStack:
    """A stack this run started (and must stop), or one started by `make stack` (left running)."""

    def __init__(self, stack_settings):
        self.state_file = state_path(stack_settings)
        self.settings = stack_settings
        self.process = None
        self.state = None
        self.attached = False

    def start_or_attach(self, areas):
        """The state of a running stack that has every one of `areas`, or of one started with just those."""
        self.state = read_state(self.state_file)
        if self.state:
            missing = sorted(set(areas) - set(self.state.get("areas", ())))
            if missing:
                raise StackUnavailable(f"the running stack ({self.state_file}) has no {', '.join(missing)}; stop it "
                                       "(python -m stack down) or start it with every area this run needs")
            self.attached = True
            return self.state
        command = [sys.executable, "-m", "stack", "serve", "--state", self.state_file, "--areas", ",".join(areas),
                   "--idle-timeout", str(self.settings["idle_timeout_s"]),
                   "--max-edit-tasks", str(self.settings["max_edit_tasks"])]
        os.makedirs(os.path.dirname(self.state_file), exist_ok=True)
        self._log_path = os.path.join(os.path.dirname(self.state_file), "stack.log")
        log = open(self._log_path, "wb")
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        log.close()
        try:
            state = eventually(
                lambda: read_state(self.state_file),
                until=lambda state: self.process.poll() is not None or bool(state and state["pid"] == self.process.pid),
                within=Budget("stack_start", START_WITHIN_S),
                describe="the embedded stack to start",
                interval=0.02,
                report=False,
            )
            if self.process.poll() is None:
                self.state = state
                return state
        except WaitTimeout:
            pass
        self.stop()
        with open(self._log_path, errors="replace") as handle:
            output = handle.read()[-3000:]
        raise StackUnavailable(f"the embedded stack did not start within {START_WITHIN_S:g} s:\n{output}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
