"""The gateway's scenarios on a run of their own: behave started for @gateway starts the gateway
area only, and every gateway scenario passes. (Its faults are in tests/fault_matrix.py, run by
tests/test_fault_matrix.py like every area's.)"""
from tests.behave_run import run_behave


def test_the_gateway_features_pass_with_no_fault_on_a_stack_of_the_gateway_only():
    run = run_behave("features/gateway", extra_args=("--tags", "@gateway and not @slow"))
    assert run.returncode == 0, run.output[-4000:]
    assert run.failed_steps() == []
    assert "with areas gateway;" in run.output, run.output[-2000:]
