"""The gateway features run unchanged against a gateway named only by environment variables.

The embedded gateway is started alone (`python -m stack serve --areas gateway`) as a separate
process, like any deployment; the suite then runs with the area-only profile (gateway.yaml) and
nothing but the variables the profile documents. Without a control URL the failure scenario is
skipped, and with the default (a day's) trace time to live the expiry scenario is, each with its
reason; everything else passes.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from stack import procs
from tests.behave_run import ROOT
from tests.stack.processes import wait_until

# The gateway alone starts in about a second; 15 s means it is broken.
STACK_READY_S = 15.0


def test_the_gateway_features_run_through_the_area_only_profile():
    with tempfile.TemporaryDirectory(prefix="gateway-profile-") as scratch:
        state_path = Path(scratch, "state.json")
        stack = procs.spawn(["-m", "stack", "serve", "--areas", "gateway", "--state", str(state_path)],
                            os.path.join(scratch, "stack.log"), env={"PYTHONPATH": ROOT, "STACK_FAULTS": ""})
        try:
            wait_until(lambda: state_path.exists() or stack.poll() is not None, until=bool, within=STACK_READY_S,
                       describe="the embedded gateway to start")
            assert state_path.exists(), Path(scratch, "stack.log").read_text()
            gateway = json.loads(state_path.read_text())["gateway"]
            tokens = gateway["tokens"]
            variables = {
                "GATEWAY_URL": gateway["base_url"],
                "GATEWAY_TOKEN_TENANT_A": tokens["tenant_a"], "GATEWAY_TOKEN_READ_ONLY": tokens["read_only"],
                "GATEWAY_TOKEN_WRITE_ONLY": tokens["write_only"], "GATEWAY_TOKEN_TENANT_B": tokens["tenant_b"],
                "GATEWAY_TOKEN_NO_TENANT": tokens["no_tenant"], "GATEWAY_AUDIT_LOG": gateway["audit_log"],
                "GATEWAY_MANIFEST": gateway["manifest"], "GATEWAY_VALUES": gateway["values"],
            }
            environment = {key: value for key, value in os.environ.items()
                           if not key.startswith(("GATEWAY_", "ACCEPTANCE_", "STACK_"))}
            run = subprocess.run(
                [sys.executable, "-m", "behave", "features/gateway", "--tags", "@gateway and not @slow",
                 "--no-capture", "--format", "plain", "-D", "profile=gateway"],
                cwd=ROOT, capture_output=True, text=True, timeout=300,
                env={**environment, **variables, "ALLURE_RESULTS_DIR": os.path.join(scratch, "allure-results")})
        finally:
            stack.send_signal(signal.SIGTERM)
            stack.wait(10)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:]
    assert "embedded stack" not in output, "the area-only profile started a stack"
    assert "0 failed" in output and "While attribution fails" in output, output[-3000:]
    skipped = [line for line in output.splitlines() if "skipped" in line.lower() and "Scenario" in line]
    assert any("attribution_failure" in line for line in skipped) or "attribution_failure" in output, output[-3000:]
    assert "longer than the trace expiry" in output, output[-3000:]
