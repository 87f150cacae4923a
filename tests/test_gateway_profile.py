"""The gateway features run unchanged against a gateway named only by environment variables.

The embedded gateway is started alone (`python -m stack serve --areas gateway`) as a separate
process, like any deployment; the suite then runs with the area-only profile (gateway.yaml) and
nothing but the variables the profile documents. Without a control URL the failure scenario is
skipped ("the target lacks attribution_failure"), and with the default (a day's) trace time to live
the expiry scenario is; everything else passes.
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
            report = os.path.join(scratch, "scenarios.json")
            run = subprocess.run(
                [sys.executable, "-m", "behave", "features/gateway", "--tags", "@gateway and not @slow",
                 "--no-capture", "--no-junit", "--format", "json", "--outfile", report, "--format", "plain",
                 "--outfile", "-", "-D", "profile=gateway"],
                cwd=ROOT, capture_output=True, text=True, timeout=300,
                env={**environment, **variables, "ALLURE_RESULTS_DIR": os.path.join(scratch, "allure-results")})
            with open(report) as handle:
                outcomes = {element["name"]: element["status"] for feature in json.load(handle)
                            for element in feature.get("elements", []) if element.get("type") != "background"}
        finally:
            stack.send_signal(signal.SIGTERM)
            stack.wait(10)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:]
    assert "embedded stack" not in output, "the area-only profile started a stack"
    skipped = sorted(name for name, status in outcomes.items() if status == "skipped")
    assert skipped == ["An expired trace's graph is gone for good",
                       "While attribution fails, new traces fail with a reason; once restored, they complete"], outcomes
    assert {status for name, status in outcomes.items() if name not in skipped} == {"passed"}, outcomes
