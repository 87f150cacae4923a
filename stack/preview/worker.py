"""One edit "container": applies a session's instructions to its client's workspace and serves the preview.

Started by the orchestrator as a task (`--port`, `--task-arn`). A worker holds at most one session
at a time; the workspace outlives it, because it belongs to the client and user, not the task.
"""
import asyncio
import fcntl
import os
import re
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

from aiohttp import web
from botocore.exceptions import BotoCoreError, ClientError

from stack import faults
from stack.body import read_body
from stack.preview import degradations, site
from stack.preview.ecs_exec import task_workspace_root
from stack.preview.live_reload import LiveReload
from stack.preview.web import (
    ID_RULE, StageLog, healthy, json_error, json_errors, parse_args, valid_id,
)
from stack.service import serve
from stack.settings import aws_client

# The identity and an empty global config keep commits independent of whoever runs the stack.
GIT_IDENTITY = ["-c", "user.name=WebOrdinary Edit", "-c", "user.email=edit@webordinary.local"]
WORK_FIELDS = ("sessionId", "clientId", "userId", "threadId")


class GitError(RuntimeError):
    pass


def git(cwd, *args):
    result = subprocess.run(
        ["git", *GIT_IDENTITY, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"},
    )
    if result.returncode:
        raise GitError(f"git {' '.join(args)} failed: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout.strip()


class Workspace:
    """`<workspace_root>/<client>/<user>/project`, a git repository pushed to a bare remote."""

    def __init__(self, settings, client_id, user_id, root=None):
        root = Path(root or settings["workspace_root"]).resolve()
        self.project = (root / client_id / user_id / "project").resolve()
        if not self.project.is_relative_to(root):
            raise ValueError(f"workspace for {client_id}/{user_id} would be outside {root}")
        self.remote = Path(settings["git_remote_root"]).resolve() / client_id / f"{user_id}.git"

    @contextmanager
    def locked(self):
        """Serialises git work on one workspace across worker processes.

        A git lock file found while holding this lock was left by a worker that was killed
        mid-command, so it is removed.
        """
        self.project.parent.mkdir(parents=True, exist_ok=True)
        with open(self.project.parent / ".workspace.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            (self.project / ".git" / "index.lock").unlink(missing_ok=True)
            yield

    def prepare(self, branch):
        """Creates the project and its remote when missing, then checks out `branch` from HEAD."""
        if not (self.project / ".git").is_dir():
            self.project.mkdir(parents=True, exist_ok=True)
            site.create_project(self.project)
            git(self.project, "init", "-q", "-b", "main")
            git(self.project, "add", "-A")
            git(self.project, "commit", "-q", "-m", "Create site from template")
        if not (self.remote / "HEAD").is_file():
            self.remote.mkdir(parents=True, exist_ok=True)
            git(self.remote, "init", "-q", "--bare")
        if "origin" not in git(self.project, "remote").split():
            git(self.project, "remote", "add", "origin", str(self.remote))
        git(self.project, "checkout", "-q", "-B", branch)

    def commit(self, message):
        """Commits everything; an unchanged tree still gets its commit, so every instruction leaves one."""
        git(self.project, "add", "-A")
        git(self.project, "commit", "-q", "--allow-empty", "-m", message)
        sha = git(self.project, "rev-parse", "HEAD")
        files = git(self.project, "diff-tree", "--no-commit-id", "--name-only", "-r", "--root", sha).splitlines()
        return sha, files

    def push(self, branch):
        git(self.project, "push", "-q", "origin", branch)


class Worker:
    def __init__(self, settings, task_arn):
        self.settings = settings
        self.task_arn = task_arn
        self.task_id = task_arn.rsplit("/", 1)[-1]
        self.names = settings["names"]
        self.s3 = aws_client(settings, "s3")
        self.log = degradations.stage_log(settings, StageLog(settings, self.names["edit_log_group"], self.task_id))
        self.session = None
        self.busy = asyncio.Lock()
        self.live_reload = LiveReload()
        self.touched = set()  # workspaces this task has opened, for the resume defects
        # The defect behind `workspace_not_persisted`: edits land on the task's own scratch disk.
        self.workspace_root = task_workspace_root(settings, self.task_id, faults)

    def _workspace(self, session):
        # The defect behind `sessions_share_workspace`: one workspace per client, whoever the user.
        user = "shared" if faults.active(self.settings, "sessions_share_workspace") else session["userId"]
        return Workspace(self.settings, session["clientId"], user, root=self.workspace_root)

    def _open(self, workspace):
        """The defects behind `workspace_not_resumed` and `history_not_kept`: a task's first look at a workspace."""
        if workspace.project in self.touched:
            return
        self.touched.add(workspace.project)
        if faults.active(self.settings, "workspace_not_resumed"):
            shutil.rmtree(workspace.project, ignore_errors=True)
        elif faults.active(self.settings, "history_not_kept"):
            shutil.rmtree(workspace.project / ".git", ignore_errors=True)

    def app(self):
        app = web.Application(middlewares=[json_errors])
        app.on_startup.append(self._started)
        app.add_routes(
            [
                web.get("/health", self.health),
                web.get("/api/health", healthy),
                web.post("/work", self.work),
                web.post("/release", self.release),
                web.get("/session/{sessionId}", self.preview),
                web.get("/session/{sessionId}/health", self.session_health),
                web.get("/session/{sessionId}/{page}", self.preview),
                web.get("/ws/hmr", self.live_reload_channel),
            ]
        )
        return app

    async def _started(self, _app):
        self.degraded = degradations.on_start(self.settings)
        await asyncio.to_thread(self.log.put, f"Container started task={self.task_id}")

    async def health(self, _request):
        session = self.session["sessionId"] if self.session else None
        return web.json_response({"status": "healthy", "taskArn": self.task_arn, "session": session})

    async def work(self, request):
        """Binds the session and applies its instruction; without an instruction it resumes the preview."""
        body = await read_body(request, check=_work_problem)
        if self.session and self.session["sessionId"] != body["sessionId"]:
            return json_error(409, "Conflict", f"this worker holds session {self.session['sessionId']}")
        self.session = {field: body[field] for field in WORK_FIELDS}
        async with self.busy:
            try:
                outcome = await asyncio.to_thread(self._apply, self.session, body.get("instruction"))
            except (GitError, site.BuildError, BotoCoreError, ClientError, OSError) as exc:
                outcome = {"status": "failed", "reason": f"{type(exc).__name__}: {exc}"}
        if outcome["status"] == "done" and not faults.active(self.settings, "reload_not_sent"):
            await self.live_reload.reload()
        return web.json_response(outcome)

    def _apply(self, session, instruction):
        """Instruction, build, upload, push: the stages the suite reads from the log, in order."""
        tags = f"session={session['sessionId']} thread={session['threadId']}"
        workspace = self._workspace(session)
        # The defect behind `preview_not_rebuilt`: the site is built before the instruction is applied.
        stale = faults.active(self.settings, "preview_not_rebuilt")
        with workspace.locked():
            if instruction is None and faults.active(self.settings, "taken_over_session_starts_afresh"):
                shutil.rmtree(workspace.project, ignore_errors=True)
            if workspace.project in self.touched:
                degradations.on_resume(self.settings)
            self._open(workspace)
            workspace.prepare(session["threadId"])
            built = site.build(workspace.project) if stale else None
            early = degradations.build_logged_early(self.settings, self.log, tags)
            outcome = {"status": "resumed"} if instruction is None else self._instruct(workspace, instruction, tags)
            degradations.before_build(self.settings)
            built = built or site.build(workspace.project)
            if not early and not faults.active(self.settings, "build_stage_not_logged"):
                self.log.put(f"Build complete {tags}")
            for name in ([] if faults.active(self.settings, "preview_not_published") else built):
                self.s3.put_object(
                    Bucket=self.names["preview_bucket"],
                    Key=f"{session['clientId']}/{session['sessionId']}/{name}",
                    Body=(workspace.project / "dist" / name).read_bytes(),
                    ContentType="text/html",
                )
            self.log.put(f"S3 sync complete {tags} uploaded={len(built)}")
            if outcome["status"] == "done":
                workspace.push(session["threadId"])
                self.log.put(f"Git push complete {tags}")
        return outcome

    def _instruct(self, workspace, instruction, tags):
        """What Claude does in production: change the site as asked and commit the change."""
        if faults.active(self.settings, "unsafe_path_accepted"):
            instruction = instruction.replace("../", "")
        try:
            change = site.interpret(instruction)
            if not faults.active(self.settings, "instruction_not_applied"):
                change.apply(workspace.project)
        except site.InstructionError as exc:
            if faults.active(self.settings, "unknown_instruction_reported_done"):
                sha, files = workspace.commit(instruction)
                return {"status": "done", "commit": sha, "message": instruction, "files": files}
            if faults.active(self.settings, "failed_instruction_committed"):
                workspace.commit(f"Attempt: {instruction}")
            if isinstance(exc, site.UnsafeName) and faults.active(self.settings, "path_checked_after_write"):
                _write_unchecked(workspace.project, instruction)
            if isinstance(exc, site.UnsafeName) and faults.active(self.settings, "unsafe_refusal_committed"):
                workspace.commit(f"Refused unsafe instruction: {instruction}")
            self.log.put(f"Claude command failed {tags} reason={exc}")
            return {"status": "failed", "reason": str(exc)}
        if change.update and faults.active(self.settings, "update_not_committed"):
            sha, files = git(workspace.project, "rev-parse", "HEAD"), []
        else:
            sha, files = workspace.commit(change.message)
        self.log.put(f"Claude command completed {tags}")
        return {"status": "done", "commit": sha, "message": change.message, "files": files}

    async def release(self, request):
        sid = (await read_body(request, check=_release_problem))["sessionId"]
        if self.session and self.session["sessionId"] == sid:
            self.session = None
            await self.live_reload.close("session released")
        return web.json_response({"status": "released", "sessionId": sid})

    async def live_reload_channel(self, request):
        sid = request.query.get("sessionId")
        if not valid_id(sid):
            return json_error(400, "ValidationError", f"sessionId {ID_RULE}", field="sessionId")
        if not self.session or self.session["sessionId"] != sid:
            return json_error(404, "NotFound", "this worker does not hold that session")
        return await self.live_reload.connect(request)

    def _held(self, request):
        sid = request.match_info["sessionId"]
        return self.session if self.session and self.session["sessionId"] == sid else None

    async def session_health(self, request):
        if not self._held(request):
            return json_error(404, "NotFound", "this worker does not hold that session")
        return web.json_response({"status": "healthy", "sessionId": request.match_info["sessionId"]})

    async def preview(self, request):
        """The built page, with a <base> so its relative links stay under /session/<id>/."""
        session = self._held(request)
        if not session:
            return json_error(404, "NotFound", "this worker does not hold that session")
        page = request.match_info.get("page", "index").removesuffix(".html")
        if not valid_id(page):
            return json_error(400, "ValidationError", f"page {ID_RULE}", field="page")
        workspace = self._workspace(session)
        built = workspace.project / "dist" / f"{page}.html"
        if not built.is_file():
            return json_error(404, "NotFound", f"page {page} has not been built")
        html = built.read_text().replace("<head>", f'<head>\n<base href="/session/{session["sessionId"]}/">', 1)
        return web.Response(text=html, content_type="text/html")


def _write_unchecked(project, instruction):
    """The defect behind `path_checked_after_write`: the named file is written before its path is checked."""
    named = re.search(r"(\S+?)\.astro", instruction)
    if named:
        target = Path(f"{project}/src/{named.group(1)}.astro")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("written before the path was checked\n")


def _work_problem(body):
    """(field, message) for the first thing wrong with a /work body, or None."""
    for field in WORK_FIELDS:
        if not valid_id(body.get(field)):
            return field, f"{field} {ID_RULE}"
    if body.get("instruction") is not None and not isinstance(body["instruction"], str):
        return "instruction", "instruction must be a string"
    return None


def _release_problem(body):
    """(field, message) when a /release body does not name a session, or None."""
    if not valid_id(body.get("sessionId")):
        return "sessionId", f"sessionId {ID_RULE}"
    return None


def main():
    settings, args = parse_args("an edit worker (one ECS task)", ("--port", int), ("--task-arn", str))
    serve(Worker(settings, args.task_arn).app(), args.port)


if __name__ == "__main__":
    main()
