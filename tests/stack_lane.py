"""One embedded stack that many behave runs attach to in turn (a lane of the fault matrix): it switches
an area's faults through that area's control endpoint and checks that a run left the stack at rest,
resetting the preview and the studio first (`settle`) and restarting the stack when a run's damage
outlived its fault all the same.
"""
import functools
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3

from stack import faults
from stack.control import RESET_PATH
from support.config import load_profile
from support.procs import die_with_parent

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
START_WITHIN_S = 30.0
# After a run the edit service has this long to return to zero: the idle timeout, a reaper pass
# and a worker's stop, with room for a busy machine.
AT_REST_WITHIN_S = 5.0


class LaneError(RuntimeError):
    pass


class Lane:
    def __init__(self, name, area):
        self.name, self.area = name, area
        self.scratch = tempfile.mkdtemp(prefix=f"matrix-lane-{name}-")
        self.state_path = os.path.join(self.scratch, "state.json")
        self.process = None
        self.state = None
        self.restarts = 0

    # --- the stack ---------------------------------------------------------------------------

    def start(self):
        settings = load_profile("local")["stack"]
        command = [sys.executable, "-m", "stack", "serve", "--state", self.state_path, "--areas", self.area,
                   "--idle-timeout", str(settings["idle_timeout_s"]),
                   "--max-edit-tasks", str(settings["max_edit_tasks"])]
        env = {key: value for key, value in os.environ.items() if key != "STACK_FAULTS"}
        with open(os.path.join(self.scratch, "stack.log"), "ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        deadline = time.monotonic() + START_WITHIN_S
        while time.monotonic() < deadline and self.process.poll() is None:
            state = _read_json(self.state_path)
            if state and state.get("pid") == self.process.pid:
                self.state = state
                return self
            time.sleep(0.05)
        self.stop()
        raise LaneError(f"lane {self.name}: the stack did not start; see {self.scratch}/stack.log")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = self.state = None

    def restart(self):
        self.restarts += 1
        self.stop()
        self.start()


def switch(state, area, names):
    """Makes `names` the area's run-time faults; the area's active set as the stack answers it."""
    url = faults.control_url(state, area)
    request = urllib.request.Request(url, data=json.dumps({"faults": list(names)}).encode(), method="PUT",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["faults"]


def settle(state, routing_before):
    """After a run (the studio's routing was `routing_before`): (what the run left, undone by its areas'
    resets, or None; why the stack is still not as the run found it, or None). A lane is restarted only
    for the second. Every run is followed by a reset, since some of what a defect leaves (capacity held,
    an email intake stopped) shows from outside only when a later run fails. The preview then gets
    `AT_REST_WITHIN_S` to settle; the studio's reset is done when it answers."""
    left, why = [], None
    if "preview" in state["areas"]:
        left += [_preview_unrest(state), _reset_preview(state)]
        why = _preview_at_rest(state)
    if "studio" in state["areas"]:
        left.append(_studio_unrest(state, routing_before))
        _reset(state["studio"]["base_url"] + RESET_PATH)
        why = why or _studio_unrest(state, routing_before)
    return "; ".join(filter(None, left)) or None, why


def _reset(url):
    """A service's reset (`RESET_PATH`, stack/control.py) at `url`: what it undid."""
    request = urllib.request.Request(url, data=b"{}", method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def _reset_preview(state):
    """What Hermes's reset undid inside Hermes that its tables and the edit service do not show, or None."""
    undone = _reset(state["preview"]["endpoints"]["hermes_control"] + "/reset")
    inside = [f"{undone['capacity_released']} unit(s) of capacity held" if undone["capacity_released"] else "",
              "the email intake stopped" if undone["email_intake_restarted"] else ""]
    return ", ".join(filter(None, inside)) or None


def _preview_at_rest(state):
    """Why the preview is still not at rest `AT_REST_WITHIN_S` after a reset, or None."""
    deadline = time.monotonic() + AT_REST_WITHIN_S
    while (why := _preview_unrest(state)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return why


def _preview_unrest(state):
    names, endpoints = state["names"], state["endpoints"]
    ecs = _client("ecs", endpoints["ecs"])
    service = ecs.describe_services(cluster=names["cluster"], services=[names["edit_service"]])["services"][0]
    if service["desiredCount"] or service["runningCount"]:
        return f"edit service desired {service['desiredCount']}, running {service['runningCount']}"
    items = _client("dynamodb", endpoints["aws"]).scan(TableName=names["sessions_table"], Select="COUNT")["Count"]
    return f"{items} session item(s) left" if items else None


def studio_routing(state):
    """The studio's active routing and its running load tests: what a run must leave as it found it."""
    if "studio" not in state["areas"]:
        return None
    path = os.path.join(state["runtime_dir"], "studio.sqlite")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return (db.execute("SELECT effect_revision_id, variant_id FROM routing_bindings WHERE is_active = 1 "
                           "ORDER BY 1, 2").fetchall(),
                db.execute("SELECT count(*) FROM load_test_runs WHERE status = 'running'").fetchone()[0])


def _studio_unrest(state, routing_before):
    routing = studio_routing(state)
    return None if routing == routing_before else f"the studio's routing or running load tests changed to {routing}"


def _read_json(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


@functools.lru_cache(maxsize=None)
def _client(service, endpoint):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")
