"""`GET/PUT /control/faults`: switches an area's faults at run time, mounted by the service that owns
them on its own port (never behind the load balancer). A PUT of `{"faults": [...]}` makes those the
area's run-time faults and answers the active set; start-up faults stay as they were.
"""
import json

from aiohttp import web

from stack import faults

PATH = "/control/faults"


def fault_routes(settings, area):
    """The routes to add to the owning service's app: `app.add_routes(control.fault_routes(settings, area))`."""

    async def show(_request):
        return _answer(area, sorted(faults.active_in(settings, area)))

    async def put(request):
        try:
            body = json.loads(await request.read() or b"null")
        except (ValueError, RecursionError):
            return _refuse(400, 'body must be JSON: {"faults": [fault names]}')
        names = body.get("faults") if isinstance(body, dict) else None
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            return _refuse(400, 'body must be {"faults": [fault names]}')
        try:
            return _answer(area, faults.switch(settings, area, names))
        except faults.UnknownFault as error:
            return _refuse(400, str(error))
        except faults.StartupOnly as error:
            return _refuse(409, str(error))

    return [web.get(PATH, show), web.put(PATH, put)]


def _answer(area, names):
    return web.json_response({"area": area, "faults": names})


def _refuse(status, reason):
    return web.json_response({"error": reason}, status=status)
