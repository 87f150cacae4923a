"""ECS Exec on the embedded stack: the agent's side of `aws ecs execute-command`.

`ExecuteCommand` (stack/preview/orchestrator.py) opens a session for one running task and answers
with its id, stream URL and token, as ECS does; the AWS CLI then hands them to the Session Manager
plugin, whose stand-in (stack/preview/bin/session-manager-plugin) fetches the command's output from
the stream URL. In a Fargate task the agent runs the command inside the container, whose
`/workspace` is the task's EFS mount; here the container is a worker process on this machine, so
the command runs with the task's own workspace root as its working directory and `/workspace` in it
standing for that root. A command naming any other absolute path (but /dev/null), a parent
directory or a home directory is refused, so nothing is ever run against this machine's own files.
"""
import asyncio
import os
import re
import secrets
import shlex
import time

CONTAINER_MOUNT = "/workspace"
HARMLESS_PATHS = frozenset({"/dev/null"})
# An absolute path: a slash that does not continue a word, a relative path or a glob.
ABSOLUTE_PATH = re.compile(r"(?<![\w.*/-])/[\w.*/-]*")
SAFE_ROOT = re.compile(r"^/[\w./-]+$")
# A way out of a directory that is not an absolute path: a parent step, or a home directory.
WAY_OUT = re.compile(r"(?<![\w.])\.\.(?![\w.])|(?<![\w])~")
RUN_TIMEOUT_S = 30
# A session's stream URL is good for one use, within this time (ECS's own sessions expire too).
SESSION_TTL_S = 60
STREAM_PATH = "/exec/data-channel/{session_id}"


class ExecRefused(ValueError):
    """A command or session the agent will not run; the text says why."""


def task_workspace_root(settings, task_id, faults):
    """The directory a task's container sees as /workspace; under `workspace_not_persisted` the
    task's own scratch disk (the defect that test catches)."""
    if faults.active(settings, "workspace_not_persisted"):
        return os.path.join(settings["runtime_dir"], "scratch", task_id)
    return settings["workspace_root"]


def in_workspace(command, root):
    """`command` with the container's /workspace mount standing for `root`; raises ExecRefused when
    it names another absolute path, a parent directory or a home directory."""
    if not SAFE_ROOT.match(root):
        raise ExecRefused(f"the task's workspace {root!r} cannot be named safely in a command")
    if way_out := WAY_OUT.search(command):
        raise ExecRefused(f"the command names {way_out.group(0)!r}, which could lead outside the container's "
                          f"{CONTAINER_MOUNT}")

    def translate(match):
        path = match.group(0)
        if path == CONTAINER_MOUNT or path.startswith(CONTAINER_MOUNT + "/"):
            return root + path[len(CONTAINER_MOUNT):]
        if path in HARMLESS_PATHS:
            return path
        raise ExecRefused(f"the command names {path}, outside the container's {CONTAINER_MOUNT}")

    return ABSOLUTE_PATH.sub(translate, command)


class ExecSessions:
    """Sessions opened by ExecuteCommand, each run once when its stream URL is fetched."""

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self._sessions = {}

    def open(self, task_id, root, command):
        """The `session` part of ExecuteCommand's answer."""
        now = time.monotonic()
        self._sessions = {key: s for key, s in self._sessions.items() if s["expires"] > now}
        session_id = f"ecs-execute-command-{secrets.token_hex(9)}"
        token = secrets.token_urlsafe(24)
        self._sessions[session_id] = {"token": token, "task": task_id, "root": root, "command": command,
                                      "expires": now + SESSION_TTL_S}
        stream = f"{self.endpoint}{STREAM_PATH.format(session_id=session_id)}?role=publish_subscribe"
        return {"sessionId": session_id, "streamUrl": stream, "tokenValue": token}

    async def run(self, session_id, token):
        """The command's output as a terminal shows it (stderr merged, CRLF line ends)."""
        session = self._sessions.pop(session_id, None)
        if session is None or session["expires"] <= time.monotonic():
            raise ExecRefused(f"no open session {session_id}")
        if not secrets.compare_digest(session["token"], token or ""):
            raise ExecRefused(f"the token does not open session {session_id}")
        argv = shlex.split(in_workspace(session["command"], session["root"]))
        if not argv:
            raise ExecRefused("the command is empty")
        os.makedirs(session["root"], exist_ok=True)
        process = await asyncio.create_subprocess_exec(
            *argv, cwd=session["root"], stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": session["root"], "LANG": "C.UTF-8"})
        try:
            output, _ = await asyncio.wait_for(process.communicate(), RUN_TIMEOUT_S)
        except asyncio.TimeoutError:
            process.kill()
            await process.wait()
            raise ExecRefused(f"the command ran longer than {RUN_TIMEOUT_S} s") from None
        return output.decode(errors="replace").replace("\r\n", "\n").replace("\n", "\r\n")
