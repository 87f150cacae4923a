"""Checks, before the first scenario, that a target can be reached at all, so an unreachable
endpoint or missing credentials gives one clear message instead of a page of failures.

Each area's `preflight` uses these; `environment.py` adds the profile's name and file.
"""
import httpx
from botocore.exceptions import BotoCoreError, ClientError


class TargetUnreachable(RuntimeError):
    pass


def http_problem(http, path, what, key, **kwargs):
    """None when `what` answers `path` with 200, else a sentence saying what is wrong."""
    try:
        answer = http.get(path, attach=False, **kwargs)
    except httpx.HTTPError as error:
        return f"{what} at {http.base_url} is unreachable ({type(error).__name__}: {error}); check {key}"
    if answer.status != 200:
        return f"{what} at {http.base_url} is not healthy ({path} answered {answer.status} {answer.text[:200]})"
    return None


def aws_problem(call, what):
    """None when `call` (an AWS describe call) returns something, else a sentence saying what is wrong."""
    try:
        found = call()
    except (BotoCoreError, ClientError) as error:
        return f"AWS is not usable ({type(error).__name__}: {error}); check the aws section and credentials"
    if not found:
        return f"{what} does not exist"
    return None
