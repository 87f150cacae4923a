"""The one way a stack service reads a JSON request body.

A hostile client can send anything: bytes that are not JSON, a number of 5,000 digits, arrays
nested past Python's recursion limit, megabytes, or valid JSON of the wrong shape. Every service
reads its body here, so each of those becomes a `BodyProblem` naming what is wrong, which the
service answers in its contract's error shape (a 4xx, never a 500). No heavy imports: the studio
uses it without boto3.
"""
import json

from aiohttp import web

# The largest body any preview service accepts; the studio passes its own limit.
MAX_BODY = 64 * 1024
_NOTHING = object()
_KINDS = {dict: "a JSON object", list: "a JSON array"}


class BodyProblem(ValueError):
    """A body the handler cannot use: which field (or "body") is wrong, why, and the status to answer.

    `decoded` says whether the body was JSON at all; if so, `body` is what it decoded to.
    """

    def __init__(self, field, message, status=400, decoded=False, body=None):
        super().__init__(message)
        self.field, self.message, self.status = field, message, status
        self.decoded, self.body = decoded, body


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def _json_type(value):
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


async def read_body(request, check=None, kind=dict, limit=MAX_BODY, empty=_NOTHING):
    """The request's JSON body, which must be of `kind`; raises BodyProblem for anything else.

    `empty` is what an empty body stands for (by default an empty body is refused). `check(body)`
    returns (field, message) for the first thing wrong with a decoded body, or None.
    """
    if request.content_length is not None and request.content_length > limit:
        raise BodyProblem("body", f"request body is {request.content_length} bytes; the limit is {limit}", 413)
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise BodyProblem("body", f"request body exceeds the limit of {limit} bytes", 413) from None
    if len(raw) > limit:
        raise BodyProblem("body", f"request body is {len(raw)} bytes; the limit is {limit}", 413)
    if not raw.strip():
        if empty is _NOTHING:
            raise BodyProblem("body", f"request body is empty; expected {_KINDS[kind]}")
        body = empty
    else:
        body = _decode(raw)
        if not isinstance(body, kind):
            message = f"request body must be {_KINDS[kind]}, not {_json_type(body)}"
            raise BodyProblem("body", message, decoded=True, body=body)
    problem = check(body) if check else None
    if problem:
        raise BodyProblem(*problem, decoded=True, body=body)
    return body


def _decode(raw):
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyProblem("body", "request body is not UTF-8 text") from None
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise BodyProblem("body", "request body nests arrays or objects too deeply to decode") from None
    except ValueError as exc:  # bad JSON, NaN or Infinity, a number of thousands of digits
        raise BodyProblem("body", f"request body is not valid JSON: {exc}") from None
