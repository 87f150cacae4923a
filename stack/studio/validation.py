"""Request validation with the real system's (Laravel's) rules and messages.

Every field of every endpoint is declared here as data, so bad input of any shape (wrong type,
unknown choice, oversized text, an id beyond SQLite's range) becomes a 422 with field messages
before a handler touches the database.
"""
import json
import re
from dataclasses import dataclass

from stack.studio.store import MAX_ID

_DIGITS = re.compile(r"^-?[0-9]{1,19}$")
TRUE, FALSE = (True, 1, "1", "true", "on", "yes"), (False, 0, "0", "false", "off", "no")


class Invalid(Exception):
    """422 "Validation error." with {field: [messages]}."""

    def __init__(self, errors):
        super().__init__("Validation error.")
        self.errors = errors


@dataclass(frozen=True)
class Field:
    kind: str  # integer | number | string | boolean | object
    required: bool = False
    minimum: float = None
    maximum: float = None  # a number's range, a string's or object's length
    choices: tuple = None
    exists: str = None  # a table whose row the id must name
    default: object = None


def _label(name):
    return name.replace("_", " ")


def _integer(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _DIGITS.match(value.strip()):
        return int(value)
    return None


def _number(value):
    """A float (SQLite cannot hold integers past 64 bits); None for anything else, or too large for a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return float(value)
    except (ValueError, OverflowError):
        return None


def _check(name, field, value, store):
    """(cleaned value, None) or (None, message)."""
    label = _label(name)
    if field.kind == "integer":
        number = _integer(value)
        if number is None:
            return None, f"The {label} field must be an integer."
        if field.exists:
            if not 0 < number <= MAX_ID or not store.exists(field.exists, number):
                return None, f"The selected {label} is invalid."
        elif (field.minimum is not None and number < field.minimum) or (
                field.maximum is not None and number > field.maximum):
            return None, f"The {label} field must be between {field.minimum:g} and {field.maximum:g}."
        return number, None
    if field.kind == "number":
        number = _number(value)
        if number is None or number != number or number in (float("inf"), float("-inf")):
            return None, f"The {label} field must be a number."
        if field.minimum is not None and number < field.minimum:
            return None, f"The {label} field must be at least {field.minimum:g}."
        return number, None
    if field.kind == "string":
        if not isinstance(value, str):
            return None, f"The {label} field must be a string."
        if field.maximum is not None and len(value) > field.maximum:
            return None, f"The {label} field must not be greater than {field.maximum:g} characters."
        if field.choices and value not in field.choices:
            return None, f"The selected {label} is invalid."
        return value, None
    if field.kind == "boolean":
        if value in TRUE:
            return True, None
        if value in FALSE:
            return False, None
        return None, f"The {label} field must be true or false."
    if field.kind == "object":
        if not isinstance(value, dict):
            return None, f"The {label} field must be an array."
        if field.maximum is not None and len(json.dumps(value)) > field.maximum:
            return None, f"The {label} field must not be greater than {field.maximum:g} characters."
        return value, None
    raise ValueError(f"unknown field kind {field.kind!r}")


def validate(data, spec, store=None):
    """The declared fields of `data`, checked and cleaned; raises Invalid naming every bad field."""
    if not isinstance(data, dict):
        raise Invalid({"body": ["The request body must be a JSON object."]})
    values, errors = {}, {}
    for name, field in spec.items():
        value = data.get(name)
        if value is None or value == "":
            if field.required:
                errors[name] = [f"The {_label(name)} field is required."]
            else:
                values[name] = field.default
            continue
        cleaned, problem = _check(name, field, value, store)
        if problem:
            errors[name] = [problem]
        else:
            values[name] = cleaned
    if errors:
        raise Invalid(errors)
    return values


def path_id(text):
    """A path segment as a row id, or None when it cannot name a row (so the answer is a 404)."""
    number = _integer(text) if _DIGITS.match(text or "") else None
    return number if number is not None and 0 < number <= MAX_ID else None
