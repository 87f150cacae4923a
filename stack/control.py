"""`GET/PUT /control/faults`: switches an area's faults at run time, mounted by the service that owns
them on its own port (never behind the load balancer). A PUT of `{"faults": [...]}` makes those the
area's run-time faults and answers the active set; start-up faults stay as they were.

`POST /control/reset`, where a service has one: puts the service back as a fresh start would leave
it and answers what it undid (the fault matrix's way back to rest between runs, tests/stack_lane.py).
"""
from aiohttp import web

from stack import faults
from stack.body import BodyProblem, read_body

PATH = "/control/faults"
RESET_PATH = "/control/reset"


def reset_route(handler):
    return web.post(RESET_PATH, handler)


def fault_routes(settings, area):
    """The routes to add to the owning service's app: `app.add_routes(control.fault_routes(settings, area))`."""

    async def show(_request):
        return _answer(area, sorted(faults.active_in(settings, area)))

    async def put(request):
        try:
            body = await read_body(request, check=_problem)
        except BodyProblem as problem:
            return _refuse(problem.status, "ValidationError", problem.message, problem.field)
        try:
            return _answer(area, faults.switch(settings, area, body["faults"]))
        except faults.UnknownFault as error:
            return _refuse(400, "UnknownFault", str(error), "faults")
        except faults.StartupOnly as error:
            return _refuse(409, "StartupOnly", str(error), "faults")

    return [web.get(PATH, show), web.put(PATH, put)]


def _problem(body):
    names = body.get("faults")
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        return "faults", 'body must be {"faults": [fault names]}'
    return None


def _answer(area, names):
    return web.json_response({"area": area, "faults": names})


def _refuse(status, kind, message, field):
    """The preview services' error shape (stack/preview/web.py), which the studio's control route shares."""
    return web.json_response({"error": kind, "message": message, "field": field}, status=status)
