"""Looking inside a user's workspace, the way an operator would on each target.

Locally the workspace volume is a directory on this machine (the stack's stand-in for EFS); on
AWS the files live on EFS inside the edit container and are read through ECS Exec. Both answer
the same two questions: does a file exist, and what does the git history say.
"""
import os
import shlex
import shutil
import subprocess

PROJECT = "project"
# The edit service's lock between tasks of one user, next to the project: not a file an instruction wrote.
LOCK_FILE = ".workspace.lock"


class WorkspaceError(AssertionError):
    pass


class LocalDirectoryWorkspace:
    available = True
    problem = None

    def __init__(self, root):
        self.root = os.path.realpath(root)

    def _project(self, client_id, user_id):
        path = os.path.realpath(os.path.join(self.root, client_id, user_id, PROJECT))
        if not path.startswith(self.root + os.sep):
            raise WorkspaceError(f"workspace of {client_id}/{user_id} would be outside {self.root}")
        return path

    def has_file(self, client_id, user_id, relative_path, task_arn=None):
        return os.path.isfile(os.path.join(self._project(client_id, user_id), relative_path))

    def holders(self, owners, relative_path, task_arn=None):
        """Which of `owners` ((client id, user id) pairs) have the file in their workspace."""
        return [owner for owner in owners if self.has_file(*owner, relative_path)]

    def files(self, client_id, user_id, folder, task_arn=None):
        path = os.path.join(self._project(client_id, user_id), folder)
        return sorted(os.listdir(path)) if os.path.isdir(path) else []

    def history(self, client_id, user_id, task_arn=None):
        """Commit subjects, newest first (empty when there is no repository yet)."""
        project = self._project(client_id, user_id)
        if not os.path.isdir(os.path.join(project, ".git")):
            return []
        result = subprocess.run(["git", "-C", project, "log", "--format=%s"], capture_output=True, text=True,
                                check=True)
        return result.stdout.splitlines()

    def exists(self, client_id, user_id, task_arn=None):
        """True once anything was created for this user on the workspace volume."""
        return os.path.exists(os.path.dirname(self._project(client_id, user_id)))

    def files_outside_projects(self, client_id, task_arn=None):
        """Files under the client's folder that are in no user's project (relative paths)."""
        client = os.path.realpath(os.path.join(self.root, client_id))
        if os.path.dirname(client) != self.root:
            raise WorkspaceError(f"the folder of client {client_id} would not be directly under {self.root}")
        stray = []
        for folder, subfolders, files in os.walk(client):
            if os.path.basename(folder) != PROJECT or os.path.dirname(os.path.dirname(folder)) != client:
                stray += [os.path.relpath(os.path.join(folder, name), client) for name in files if name != LOCK_FILE]
            else:
                subfolders.clear()
        return sorted(stray)

    def remove(self, client_id, user_id):
        """Removes one user's workspace, and the client's folder once it is empty."""
        project = self._project(client_id, user_id)
        shutil.rmtree(os.path.dirname(project), ignore_errors=True)
        client = os.path.dirname(os.path.dirname(project))
        if os.path.isdir(client) and not os.listdir(client):
            os.rmdir(client)

    def remove_prefixed(self, prefix):
        """Removes every client workspace whose name starts with `prefix` (the run's namespace)."""
        removed = []
        if os.path.isdir(self.root):
            for client in os.listdir(self.root):
                if client.startswith(prefix):
                    shutil.rmtree(os.path.join(self.root, client), ignore_errors=True)
                    removed.append(client)
        return removed


class EcsExecWorkspace:
    """Runs read-only commands in an edit container through `aws ecs execute-command` (needs the AWS CLI
    and the Session Manager plugin, on PATH or in `tools_path`, and ECS Exec enabled on the service).

    The workspace is on EFS, shared by every task, so any running edit task can answer; the session's
    own task is asked when it still runs. The plugin frames the command's output with its own lines
    (and a terminal's CRLF ends), which are taken off here."""

    def __init__(self, ecs, names, container, aws, endpoint=None, tools_path=(), calls=None):
        self.ecs, self.cluster, self.service = ecs, names["cluster"], names["edit_service"]
        self.container, self.endpoint = container, endpoint
        self.path = os.pathsep.join([*tools_path, os.environ.get("PATH", os.defpath)])
        self.environment = {**os.environ, "PATH": self.path, "AWS_DEFAULT_REGION": aws["region"],
                            **({"AWS_ACCESS_KEY_ID": aws["access_key_id"],
                                "AWS_SECRET_ACCESS_KEY": aws["secret_access_key"]} if aws.get("access_key_id") else {})}
        self.missing = [tool for tool in ("aws", "session-manager-plugin") if shutil.which(tool, path=self.path) is None]
        self.calls = calls

    @property
    def available(self):
        return not self.missing

    @property
    def problem(self):
        """Why this workspace cannot be looked into here, or None."""
        return f"checking workspaces through ECS Exec needs '{self.missing[0]}' on PATH" if self.missing else None

    def _task(self, task_arn):
        """The session's task while it runs, else any running edit task."""
        if task_arn:
            tasks = self.ecs.describe_tasks(cluster=self.cluster, tasks=[task_arn])["tasks"]
            if tasks and tasks[0]["lastStatus"] == "RUNNING":
                return task_arn
        running = self.ecs.list_tasks(cluster=self.cluster, serviceName=self.service,
                                      desiredStatus="RUNNING")["taskArns"]
        if not running:
            raise WorkspaceError("no edit task runs, so no container can look into the workspace")
        return running[0]

    def _run(self, task_arn, command):
        if self.missing:
            raise WorkspaceError(self.problem)
        task = self._task(task_arn)
        endpoint = ["--endpoint-url", self.endpoint] if self.endpoint else []
        if self.calls:
            self.calls.record("workspace", "ExecuteCommand")
        result = subprocess.run(
            ["aws", "ecs", "execute-command", *endpoint, "--cluster", self.cluster, "--task", task,
             "--container", self.container, "--interactive", "--command", f"sh -c {shlex.quote(command)}"],
            capture_output=True, text=True, timeout=60, env=self.environment,
        )
        if result.returncode != 0:
            raise WorkspaceError(f"ECS Exec failed ({result.returncode}): {result.stderr.strip()[:500]}")
        return session_output(result.stdout)

    def _project(self, client_id, user_id):
        return f"/workspace/{shlex.quote(client_id)}/{shlex.quote(user_id)}/{PROJECT}"

    def has_file(self, client_id, user_id, relative_path, task_arn=None):
        path = f"{self._project(client_id, user_id)}/{shlex.quote(relative_path)}"
        return "EXISTS" in self._run(task_arn, f'test -f {path} && echo EXISTS || echo MISSING')

    def holders(self, owners, relative_path, task_arn=None):
        """Which of `owners` ((client id, user id) pairs) have the file in their workspace: one session
        for all of them, as each look costs seconds and the owners' containers idle meanwhile."""
        paths = " ".join(f"{self._project(*owner)}/{shlex.quote(relative_path)}" for owner in owners)
        output = self._run(task_arn, f"for f in {paths}; do test -f $f && echo EXISTS || echo MISSING; done")
        answers = [line.strip() for line in output.splitlines() if line.strip()]
        if len(answers) != len(owners):
            raise WorkspaceError(f"asked about {len(owners)} workspaces, ECS Exec answered {answers}")
        return [owner for owner, answer in zip(owners, answers) if answer == "EXISTS"]

    def files(self, client_id, user_id, folder, task_arn=None):
        output = self._run(task_arn, f"ls -1 {self._project(client_id, user_id)}/{shlex.quote(folder)} 2>/dev/null")
        return sorted(line.strip() for line in output.splitlines() if line.strip())

    def history(self, client_id, user_id, task_arn=None):
        output = self._run(task_arn, f"git -C {self._project(client_id, user_id)} log --format=%s 2>/dev/null")
        return [line.strip() for line in output.splitlines() if line.strip()]

    def exists(self, client_id, user_id, task_arn=None):
        folder = f"/workspace/{shlex.quote(client_id)}/{shlex.quote(user_id)}"
        return "EXISTS" in self._run(task_arn, f"test -e {folder} && echo EXISTS || echo MISSING")

    def files_outside_projects(self, client_id, task_arn=None):
        client = f"/workspace/{shlex.quote(client_id)}"
        output = self._run(task_arn, f"cd {client} 2>/dev/null && find . -path './*/{PROJECT}' -prune -o -type f "
                                     f"! -name {LOCK_FILE} -print")
        return sorted(line.strip()[2:] for line in output.splitlines() if line.strip())

    def remove(self, client_id, user_id):
        """See remove_prefixed: staging workspaces are left to the platform's retention."""

    def remove_prefixed(self, prefix):
        """Staging workspaces outlive their containers on EFS and cannot be reached once the edit
        service is back at zero; TEST_ users' folders are left to the platform's retention."""
        return []


SESSION_START = "Starting session with SessionId:"
SESSION_END = "Exiting session with sessionId:"


def session_output(printed):
    """What the remote command printed, without the Session Manager plugin's framing lines."""
    lines = printed.replace("\r\n", "\n").split("\n")
    starts = [n for n, line in enumerate(lines) if line.startswith(SESSION_START)]
    if not starts:
        raise WorkspaceError(f"ECS Exec opened no session; it printed: {printed.strip()[:300]!r}")
    body = lines[starts[0] + 1:]
    ends = [n for n, line in enumerate(body) if line.startswith(SESSION_END)]
    return "\n".join(body[:ends[0]] if ends else body).strip("\n")


def workspace_for(profile, aws, calls=None):
    section = profile.area("preview")
    workspace = section["workspace"]
    if workspace["access"] == "local_directory":
        return LocalDirectoryWorkspace(workspace["root"])
    return EcsExecWorkspace(aws("ecs"), section["names"], workspace.get("container") or "edit", profile["aws"],
                            endpoint=section["endpoints"].get("ecs"), tools_path=workspace.get("tools_path") or (),
                            calls=calls)
