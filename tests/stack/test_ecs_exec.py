"""ECS Exec on the embedded stack, driven as staging drives it: the AWS CLI of `make tools` calls
ExecuteCommand on the orchestrator and hands the session to the stack's stand-in Session Manager
plugin, which prints what the command printed in the task's own workspace, framed as the real one."""
import json
import os
import subprocess
import sys

import pytest

from stack.preview import EXEC_TOOLS
from stack.preview.ecs_exec import ExecRefused, in_workspace
from stack.settings import NAMES
from tests.stack.processes import wait_until

CLUSTER, EDIT = NAMES["cluster"], NAMES["edit_service"]
PLUGIN = os.path.join(EXEC_TOOLS[0], "session-manager-plugin")
AWS_CLI = os.path.join(EXEC_TOOLS[1], "aws")


@pytest.fixture(scope="module")
def one_task(scratch, aws):
    from tests.stack.processes import Stack
    stack = Stack(scratch, aws, ["ecs"])
    ecs = stack.client("ecs")
    ecs.update_service(cluster=CLUSTER, service=EDIT, desiredCount=1)
    arns = wait_until(lambda: [t["taskArn"] for t in ecs.describe_tasks(
        cluster=CLUSTER, tasks=ecs.list_tasks(cluster=CLUSTER, serviceName=EDIT)["taskArns"] or ["none"])["tasks"]
        if t["lastStatus"] == "RUNNING"], until=bool, within=20, describe="an edit task to run")
    yield stack, arns[0]
    ecs.update_service(cluster=CLUSTER, service=EDIT, desiredCount=0)
    stack.stop()


def execute(stack, task_arn, command):
    env = {**os.environ, "PATH": os.pathsep.join([*EXEC_TOOLS, os.environ["PATH"]]),
           "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    result = subprocess.run([AWS_CLI, "ecs", "execute-command", "--endpoint-url", stack.url("ecs"), "--cluster",
                             CLUSTER, "--task", task_arn, "--container", "edit", "--interactive", "--command", command],
                            capture_output=True, timeout=60, env=env)
    # Bytes as printed (text mode would turn the terminal's CRLF into LF)
    return subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode(), result.stderr.decode())


@pytest.mark.skipif(not os.path.exists(AWS_CLI), reason="the AWS CLI of `make tools` is not installed")
def test_a_command_runs_in_the_tasks_workspace_and_prints_as_the_plugin_does(one_task):
    stack, task = one_task
    project = os.path.join(stack.settings["workspace_root"], "TEST_exec", "owner", "project")
    os.makedirs(project, exist_ok=True)
    with open(os.path.join(project, "index.astro"), "w") as handle:
        handle.write("<h1>hi</h1>")

    result = execute(stack, task, "sh -c 'ls /workspace/TEST_exec/owner/project; pwd; ls missing'")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("\n")
    start = next(n for n, line in enumerate(lines) if line.startswith("Starting session with SessionId: ecs-execute"))
    assert lines[:start] == ["", "The Session Manager plugin was installed successfully. Use the AWS CLI to start "
                             "a session.", "", ""]
    # A terminal's output: CRLF line ends, and what the command wrote to stderr among the rest.
    assert lines[start + 1:start + 4] == ["index.astro\r", stack.settings["workspace_root"] + "\r",
                                          "ls: cannot access 'missing': No such file or directory\r"], result.stdout
    assert lines[-3].startswith("Exiting session with sessionId: ecs-execute-command-"), result.stdout


@pytest.mark.skipif(not os.path.exists(AWS_CLI), reason="the AWS CLI of `make tools` is not installed")
def test_a_command_naming_a_path_outside_the_workspace_is_refused(one_task):
    stack, task = one_task
    result = execute(stack, task, "cat /etc/hostname")
    assert result.returncode != 0
    assert "the command names /etc/hostname, outside the container's /workspace" in result.stderr


def test_execute_command_needs_a_running_task_and_interactive_mode(one_task):
    stack, task = one_task
    ecs = stack.client("ecs")
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="Interactive is the only mode"):
        ecs.execute_command(cluster=CLUSTER, task=task, container="edit", command="ls", interactive=False)
    with pytest.raises(ecs.exceptions.InvalidParameterException, match="task was not found"):
        ecs.execute_command(cluster=CLUSTER, task="0" * 32, container="edit", command="ls", interactive=True)
    answer = ecs.execute_command(cluster=CLUSTER, task=task, container="edit", command="ls", interactive=True)
    assert answer["session"]["streamUrl"].startswith(stack.url("ecs") + "/exec/data-channel/ecs-execute-command-")
    assert ecs.describe_tasks(cluster=CLUSTER, tasks=[task])["tasks"][0]["containers"][0]["runtimeId"]


def test_the_plugin_refuses_a_session_it_cannot_open(one_task):
    stack, _ = one_task
    session = {"sessionId": "ecs-execute-command-0", "tokenValue": "wrong",
               "streamUrl": stack.url("ecs") + "/exec/data-channel/ecs-execute-command-0?role=publish_subscribe"}
    result = subprocess.run([sys.executable, PLUGIN, json.dumps(session), "us-east-1", "StartSession", "", "{}",
                             stack.url("ecs")], capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "no open session ecs-execute-command-0" in result.stderr


@pytest.mark.parametrize("command, expected", [
    ("test -f /workspace/c/u/project/a && echo EXISTS", "test -f /root/w/c/u/project/a && echo EXISTS"),
    ("cd /workspace/c 2>/dev/null && find . -path './*/project' -prune",
     "cd /root/w/c 2>/dev/null && find . -path './*/project' -prune"),
    ("ls /workspace", "ls /root/w"),
])
def test_the_containers_mount_stands_for_the_tasks_workspace(command, expected):
    assert in_workspace(command, "/root/w") == expected


@pytest.mark.parametrize("command", ["cat /etc/passwd", "ls /workspaces", "git -C / log", "ls ~/x", "cat ../../etc/passwd",
                                     "ls /workspace/..", "cd .. && ls"])
def test_a_command_that_could_leave_the_workspace_is_refused(command):
    with pytest.raises(ExecRefused, match="outside the container's /workspace"):
        in_workspace(command, "/root/w")
