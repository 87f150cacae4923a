"""Refusals of the operations API: every one names the field that was wrong, and comes before any write."""
import re
from datetime import datetime, timezone

ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class Refused(Exception):
    """An answer other than success: a status, a code and a message that names the field."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def invalid(field, problem):
    return Refused(400, "invalid_request", f"{field}: {problem}")


def vague(refused):
    """The same refusal without the field's name (the `refusals_do_not_name_field` fault)."""
    return Refused(refused.status, refused.code, "the event is not valid")


def not_found(message):
    return Refused(404, "not_found", message)


def conflict(message):
    return Refused(409, "conflict", message)


def identifier(value, field):
    if not isinstance(value, str) or not ID.match(value):
        raise invalid(field, "must be 1 to 128 of the characters A-Z a-z 0-9 . _ : -")
    return value


def text(value, field):
    if not isinstance(value, str) or not value.strip():
        raise invalid(field, "must be a non-empty string")
    return value


def instant(value, field):
    """An ISO 8601 time with a zone, normalised to UTC milliseconds so that keys sort by time."""
    if not isinstance(value, str):
        raise invalid(field, "must be an ISO 8601 time")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise invalid(field, f"{value!r} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise invalid(field, f"{value!r} has no time zone")
    return parsed.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def boolean(value, field):
    if not isinstance(value, bool):
        raise invalid(field, "must be true or false")
    return value


def mapping(value, field):
    if not isinstance(value, dict):
        raise invalid(field, "must be an object")
    return value


def whole(value, field, minimum=1, maximum=1000):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise invalid(field, f"{value!r} is not a whole number") from None
    if not minimum <= number <= maximum:
        raise invalid(field, f"must be from {minimum} to {maximum}")
    return number


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
