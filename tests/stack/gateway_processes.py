"""The embedded gateway and its stand-in model, started as real processes for the stack's tests."""
import json
import tempfile
from pathlib import Path

from stack.gateway import publish
from stack.supervisor import free_ports
from tests.stack.processes import Processes


class GatewayStack:
    def __init__(self, scratch, faults=(), **overrides):
        runtime = Path(tempfile.mkdtemp(prefix="gateway-", dir=scratch))
        ports = free_ports(("gateway", "upstream"))
        self.settings = {"runtime_dir": str(runtime), "ports": ports, "faults": list(faults),
                         "endpoints": {name: f"http://127.0.0.1:{port}" for name, port in ports.items()},
                         **({"gateway": overrides} if overrides else {})}
        path = runtime / "settings.json"
        path.write_text(json.dumps(self.settings))
        self.processes = Processes(str(runtime))
        try:
            self.processes.start("upstream", ["-m", "stack.gateway.upstream", "--settings", str(path)],
                                 self.settings["endpoints"]["upstream"] + "/health")
            self.processes.start("gateway", ["-m", "stack.gateway.server", "--settings", str(path)],
                                 self.settings["endpoints"]["gateway"] + "/healthz")
        except BaseException:
            self.stop()
            raise
        self.state = publish(self.settings)

    def stop(self):
        self.processes.stop_all()
