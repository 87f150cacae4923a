"""The guardian's service as a real process over the shared moto server, in a deployment of its own."""
import json
import secrets
import tempfile
from pathlib import Path

from stack.guardian.resources import provision
from stack.supervisor import free_port
from tests.stack.processes import Processes


def guardian_settings(scratch, aws_endpoint, faults=(), env=None, **guardian):
    runtime = Path(tempfile.mkdtemp(prefix="guardian-", dir=scratch))
    port = free_port()
    settings = {
        "runtime_dir": str(runtime),
        "ports": {"guardian": port},
        "endpoints": {"aws": aws_endpoint, "guardian": f"http://127.0.0.1:{port}"},
        "faults": list(faults),
        "guardian": {"project": "mirror-dissonance", "env": env or f"t{secrets.token_hex(3)}", **guardian},
    }
    (runtime / "settings.json").write_text(json.dumps(settings))
    return str(runtime / "settings.json"), settings


class Guardian:
    """One deployment: its resources provisioned in moto, and its service started as the supervisor would."""

    def __init__(self, scratch, aws_endpoint, faults=(), **guardian):
        self.settings_path, self.settings = guardian_settings(scratch, aws_endpoint, faults, **guardian)
        provision(self.settings)
        self.url = self.settings["endpoints"]["guardian"]
        self.processes = Processes(self.settings["runtime_dir"])
        self.processes.start("guardian", ["-m", "stack.guardian.server", "--settings", self.settings_path],
                             self.url + "/health")

    @property
    def env(self):
        return self.settings["guardian"]["env"]

    def stop(self):
        self.processes.stop_all()
