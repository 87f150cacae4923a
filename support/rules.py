"""Validation rules for profile values: each is `(check, what is expected)`.

A profile's schema is a nested mapping of keys to rules; areas build theirs from these so that
every message about a bad value reads the same way.
"""
import re

FROM_STACK = "from_stack"


def number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def whole(value):
    return isinstance(value, int) and not isinstance(value, bool)


def text(value):
    return isinstance(value, str) and value.strip() != ""


def url(value):
    return isinstance(value, str) and re.match(r"^https?://[^\s/]+", value) is not None


def positive_whole(value):
    """An id or a count; environment variables give text, so digits in a string count too."""
    if isinstance(value, str):
        return value.isdigit() and int(value) > 0
    return whole(value) and value > 0


POSITIVE = (lambda v: number(v) and v > 0, "a number above 0")
POSITIVE_WHOLE = (lambda v: whole(v) and v > 0, "a whole number above 0")
ID = (positive_whole, "a whole number above 0")
NOT_NEGATIVE = (lambda v: number(v) and v >= 0, "a number, 0 or more")
PERCENT = (lambda v: number(v) and 0 < v <= 100, "a percentage above 0, at most 100")
SHARE = (lambda v: number(v) and 0 < v <= 1, "a share above 0 and at most 1, e.g. 0.98")
BOOL = (lambda v: isinstance(v, bool), "true or false")
TEXT = (text, "some text")
NAME = (text, "a resource name")
URL = (url, "an http(s) URL")
OPTIONAL_URL = (lambda v: v is None or url(v), "an http(s) URL, or empty for AWS itself")
OPTIONAL_TEXT = (lambda v: v is None or text(v), "some text, or empty")
BUDGETS = (lambda v: isinstance(v, dict) and bool(v) and all(number(x) and x > 0 for x in v.values()),
           "a mapping of budget names to numbers above 0")
LIMITS = (lambda v: isinstance(v, dict) and all(number(x) and x > 0 for x in v.values()),
          "a mapping of limit names to numbers above 0")


def costly(value):
    """The run gate's estimates: `id.<area>.<feature>.<name>` (a scenario's id tag) to US dollars."""
    if not isinstance(value, dict):
        raise ValueError("expected a mapping of scenario id tags (id.<area>.<feature>.<name>) to US dollars")
    for key, usd in value.items():
        if not (isinstance(key, str) and re.fullmatch(r"id\.[a-z0-9_-]+\.[a-z0-9_-]+\.[a-z0-9_-]+", key)):
            raise ValueError(f"{key!r} is not a scenario id tag (id.<area>.<feature>.<name>, without the @)")
        if not (number(usd) and usd >= 0):
            raise ValueError(f"the estimate for {key} is {usd!r}; expected a number of US dollars, 0 or more")
    return True


COSTLY = (costly, "a mapping of scenario id tags to US dollars")


def one_of(*choices):
    return (lambda v: v in choices, " or ".join(repr(c) for c in choices))
