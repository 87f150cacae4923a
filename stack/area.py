"""What each area of the embedded stack declares, so the supervisor starts only the areas asked for.

Each `stack/<area>/__init__.py` exposes `AREA = StackArea(...)`; `stack/areas.py` lists them.
A service is `python -m <module> --settings <file>`: it reads its port as
`settings["ports"][<service name>]` and answers `health` with 200 once it is ready.
"""
from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Service:
    module: str
    health: str
    #: the path of the service's control API (faults, chaos), never reachable through a public address
    control: str = "/control"


def _nothing(settings):
    return None


@dataclass(frozen=True)
class StackArea:
    name: str
    services: dict = field(default_factory=dict)
    #: whether the area needs the moto server (and its resources provisioned there)
    needs_aws: bool = False
    #: creates the area's AWS resources in moto; called once moto answers
    provision: Callable = _nothing
    #: the area's section of the state file (stack/state.md): what the suite reads about it
    publish: Callable = _nothing
