"""Driver call counts (support/drivers.py), and reading what ECS Exec printed (support/preview/workspace.py)."""
import json

import boto3
import pytest
from botocore.stub import Stubber

from support.drivers import DriverCalls, DriversNotUsed, read
from support.preview.workspace import WorkspaceError, session_output


def s3_client():
    return boto3.client("s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


def test_counts_are_listed_per_driver_and_operation():
    calls = DriverCalls()
    calls.select("chaos", "ecs")
    calls.select("workspace", "ecs_exec")
    for _ in range(14):
        calls.record("workspace", "ExecuteCommand")
    calls.record("chaos", "StopTask")
    calls.record("chaos", "StopTask")
    assert calls.lines() == ["chaos: ecs StopTask ×2", "workspace: ecs_exec ExecuteCommand ×14"]


def test_a_watched_client_counts_only_the_calls_that_match():
    calls = DriverCalls()
    calls.select("mailbox", "s3_inbox")
    s3 = s3_client()
    calls.watch(s3, "mailbox", ["ListObjectsV2"], when=lambda params: params.get("Bucket") == "inbox")
    with Stubber(s3) as stub:
        for bucket in ("inbox", "elsewhere", "inbox"):
            stub.add_response("list_objects_v2", {"KeyCount": 0}, {"Bucket": bucket})
            s3.list_objects_v2(Bucket=bucket)
    assert calls.counts() == {"mailbox": {"driver": "s3_inbox", "calls": {"ListObjectsV2": 2}}}


def test_a_needed_driver_never_called_fails_the_run_and_an_unneeded_one_does_not():
    calls = DriverCalls(prove=True)
    calls.select("chaos", "ecs", needed_when=lambda tags: "chaos" in tags)
    calls.select("mailbox", "s3_inbox", needed_when=lambda tags: "email" in tags)
    calls.scenario_ran(["preview", "email"])
    with pytest.raises(DriversNotUsed, match=r"never called: mailbox \(s3_inbox\)$"):
        calls.check_all_used()
    assert calls.lines() == ["chaos: ecs not needed by the scenarios that ran", "mailbox: s3_inbox never called"]
    calls.record("mailbox", "GetObject")
    calls.check_all_used()


def test_counts_are_written_for_the_summary_and_every_lanes_are_added_up(tmp_path):
    calls = DriverCalls()
    calls.select("workspace", "ecs_exec")
    calls.record("workspace", "ExecuteCommand")
    calls.write(str(tmp_path))
    (tmp_path / "drivers-1.json").write_text(json.dumps(
        {"workspace": {"driver": "ecs_exec", "calls": {"ExecuteCommand": 2}},
         "chaos": {"driver": "ecs", "calls": {}}}))
    assert read(str(tmp_path)) == {"workspace": {"driver": "ecs_exec", "calls": {"ExecuteCommand": 3}},
                                   "chaos": {"driver": "ecs", "calls": {}}}
    assert read(str(tmp_path / "nothing")) is None


PRINTED = ("\nThe Session Manager plugin was installed successfully. Use the AWS CLI to start a session.\n\n\n"
           "Starting session with SessionId: ecs-execute-command-0a1\r\nindex.astro\r\nabout.astro\r\n\r\n\r\n"
           "Exiting session with sessionId: ecs-execute-command-0a1.\n\n")


def test_the_plugins_framing_is_taken_off_what_the_command_printed():
    assert session_output(PRINTED).splitlines() == ["index.astro", "about.astro"]


def test_output_without_a_session_is_an_error_that_shows_it():
    with pytest.raises(WorkspaceError, match="opened no session; it printed: 'An error occurred"):
        session_output("An error occurred (TargetNotConnectedException)")


def test_housekeeping_while_paused_is_not_counted():
    calls = DriverCalls(prove=True)
    calls.select("mailbox", "s3_inbox")
    calls.scenario_ran(["email"])
    with calls.paused():
        calls.record("mailbox", "ListObjectsV2")
    with pytest.raises(DriversNotUsed):
        calls.check_all_used()
