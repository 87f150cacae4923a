"""The contract's envelope, errors and access rules, shared by every studio endpoint.

Access is checked in the order the real system checks it: a bearer token (401), a tenant from
the Host (400; the central domains 127.0.0.1 and localhost never carry one) and membership of it
(400), then the admin role (403). Everything that goes wrong becomes the contract's JSON envelope;
a 500 is reserved for defects of the stack itself.
"""
import traceback

from aiohttp import web

from stack.body import BodyProblem, read_body
from stack.studio.validation import Invalid

ADMIN_PREFIX = "/api/admin/studio/"
CENTRAL_DOMAINS = {"127.0.0.1", "localhost", "::1", "[::1]"}
MAX_BODY = 256 * 1024


class NotFound(Exception):
    """404 with the contract's message, e.g. "Load test run not found."."""


class Refused(Exception):
    """A rule of the contract refuses the request: (status, message, field errors)."""

    def __init__(self, status, message, errors=None):
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors


def ok(data, message, status=200):
    return web.json_response({"success": True, "data": data, "message": message}, status=status)


def fail(status, message, errors=None):
    body = {"success": False, "message": message}
    if errors is not None:
        body["data"] = errors
    return web.json_response(body, status=status)


async def body_of(request):
    """The JSON object a request sends (an empty body stands for none); see `envelope` for refusals."""
    return await read_body(request, limit=MAX_BODY, empty={})


def _host(request):
    host = (request.headers.get("Host") or "").strip().lower()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def who(store, request):
    """(user, tenant id from the Host) for a request; either may be None."""
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    user = store.one("SELECT * FROM users WHERE token = ?", token) if token else None
    host = _host(request)
    tenant = None if host in CENTRAL_DOMAINS else store.one("SELECT * FROM tenant_domains WHERE domain = ?", host)
    return user, tenant["tenant_id"] if tenant else None


def access_problem(user, tenant_id, skip_admin=False, skip_tenant=False):
    """The contract's refusal for this caller, or None when an admin of the Host's tenant asks."""
    if user is None:
        return 401, "Unauthenticated."
    if not skip_tenant and (tenant_id is None or user["tenant_id"] != tenant_id):
        return 400, "Tenant context is required."
    if not skip_admin and not user["is_admin"]:
        return 403, "Admin access required."
    return None


@web.middleware
async def envelope(request, handler):
    """Turns every error into the contract's envelope; nothing leaves as HTML or a bare 500."""
    try:
        return await handler(request)
    except Invalid as exc:
        return fail(422, "Validation error.", exc.errors)
    except BodyProblem as problem:
        if problem.status == 413:
            return fail(413, problem.message)
        return fail(422, "Validation error.", {problem.field: [problem.message]})
    except NotFound as exc:
        return fail(404, str(exc))
    except Refused as exc:
        return fail(exc.status, exc.message, exc.errors)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        if exc.status == 413:
            return fail(413, f"The request body must not be greater than {MAX_BODY} bytes.")
        return fail(exc.status, "Not found." if exc.status == 404 else exc.reason)
    except Exception as exc:  # noqa: BLE001 - a defect of the stack must still answer in JSON
        traceback.print_exc()
        return fail(500, f"Server error: {type(exc).__name__}")
