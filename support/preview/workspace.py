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

    def __init__(self, root):
        self.root = os.path.realpath(root)

    def _project(self, client_id, user_id):
        path = os.path.realpath(os.path.join(self.root, client_id, user_id, PROJECT))
        if not path.startswith(self.root + os.sep):
            raise WorkspaceError(f"workspace of {client_id}/{user_id} would be outside {self.root}")
        return path

    def has_file(self, client_id, user_id, relative_path, task_arn=None):
        return os.path.isfile(os.path.join(self._project(client_id, user_id), relative_path))

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
    """Runs read-only commands in the session's edit container (needs the AWS CLI and the Session
    Manager plugin on the machine running the suite, and ECS Exec enabled on the service)."""

    def __init__(self, cluster, container, region):
        self.cluster, self.container, self.region = cluster, container, region
        self.missing = [tool for tool in ("aws", "session-manager-plugin") if shutil.which(tool) is None]

    @property
    def available(self):
        return not self.missing

    def _run(self, task_arn, command):
        if self.missing:
            raise WorkspaceError(f"checking workspaces through ECS Exec needs '{self.missing[0]}' on PATH")
        if not task_arn:
            raise WorkspaceError("the session has no edit task to look into")
        result = subprocess.run(
            ["aws", "ecs", "execute-command", "--region", self.region, "--cluster", self.cluster, "--task", task_arn,
             "--container", self.container, "--interactive", "--command", f"sh -c {shlex.quote(command)}"],
            capture_output=True, text=True, timeout=60,
        )
        if result.returncode != 0:
            raise WorkspaceError(f"ECS Exec failed ({result.returncode}): {result.stderr.strip()[:500]}")
        return result.stdout

    def _project(self, client_id, user_id):
        return f"/workspace/{shlex.quote(client_id)}/{shlex.quote(user_id)}/{PROJECT}"

    def has_file(self, client_id, user_id, relative_path, task_arn=None):
        path = f"{self._project(client_id, user_id)}/{shlex.quote(relative_path)}"
        return "EXISTS" in self._run(task_arn, f'test -f {path} && echo EXISTS || echo MISSING')

    def files(self, client_id, user_id, folder, task_arn=None):
        output = self._run(task_arn, f"ls -1 {self._project(client_id, user_id)}/{shlex.quote(folder)}")
        return sorted(line.strip() for line in output.splitlines() if line.strip())

    def history(self, client_id, user_id, task_arn=None):
        output = self._run(task_arn, f"git -C {self._project(client_id, user_id)} log --format=%s")
        return [line.strip() for line in output.splitlines() if line.strip()]

    def exists(self, client_id, user_id, task_arn=None):
        """Only answerable while an edit task runs; the suite asks it right after the activations."""
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


def workspace_for(profile):
    workspace = profile.area("preview")["workspace"]
    if workspace["access"] == "local_directory":
        return LocalDirectoryWorkspace(workspace["root"])
    return EcsExecWorkspace(profile.area("preview")["names"]["cluster"], workspace.get("container") or "edit", profile["aws"]["region"])
