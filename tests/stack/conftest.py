"""Real processes for the preview stack's tests: moto, the orchestrator, Hermes and the router.

Each fixture registers its own teardown, and every directory lives under one temporary root that
is removed at the end, so a test run leaves no process and no file behind.
"""
import shutil
import tempfile
from pathlib import Path

import httpx
import pytest

from stack import cloud
from stack.settings import NAMES
from tests.stack.processes import Processes, Stack, free_port


@pytest.fixture(scope="session")
def scratch():
    root = tempfile.mkdtemp(prefix="stack-tests-")
    yield Path(root)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def aws(scratch):
    """One moto server with the preview's resources, shared by every test (names carry unique ids)."""
    port = free_port()
    processes = Processes(str(scratch))
    processes.start("moto", cloud.server_command(port), f"http://127.0.0.1:{port}/moto-api/")
    endpoint = f"http://127.0.0.1:{port}"
    cloud.provision({"endpoints": {"aws": endpoint}, "names": NAMES})
    yield endpoint
    processes.stop_all()


@pytest.fixture
def stack_factory(scratch, aws):
    stacks = []

    def start(*services, **overrides):
        stacks.append(Stack(scratch, aws, services, **overrides))
        return stacks[-1]

    yield start
    for stack in reversed(stacks):
        stack.stop()


@pytest.fixture(scope="module")
def platform(request, scratch, aws):
    """The preview platform (orchestrator, Hermes, router) for one test module, with a 1 s idle
    timeout; a module that needs more than one edit task sets MAX_EDIT_TASKS."""
    stack = Stack(scratch, aws, ["ecs", "hermes", "lb"], idle_timeout_s=1.0,
                  max_edit_tasks=getattr(request.module, "MAX_EDIT_TASKS", 1))
    yield stack
    stack.stop()


@pytest.fixture
def lb(platform):
    with httpx.Client(base_url=platform.url("lb"), timeout=30) as client:
        yield client
