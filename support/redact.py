"""Hides secrets in what a run publishes (environment files, summaries), keeping the address readable.

A report is shared more widely than the credentials behind it: a target address may carry a user and
password or a signed query, and a profile may hold keys. Only the secret part is replaced, so a reader
still sees which target was used.
"""
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

HIDDEN = "***"
_SECRET_NAME = re.compile(r"(secret|password|passwd|token|credential|signature|api[_-]?key|access[_-]?key|auth)",
                          re.IGNORECASE)
_AWS_KEY = re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")


def is_secret_name(name):
    return bool(_SECRET_NAME.search(name))


def redact_value(value):
    """`value` with URL passwords, secret query parameters and AWS access key ids replaced."""
    text = _AWS_KEY.sub(HIDDEN, str(value))
    if "://" not in text:
        return text
    parts = urlsplit(text)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{HIDDEN}@{host}" if ":" in userinfo else f"{HIDDEN}@{host}"
    query = urlencode([(key, HIDDEN if is_secret_name(key) else val)
                       for key, val in parse_qsl(parts.query, keep_blank_values=True)], safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact(properties):
    """A copy of a {name: value} mapping where secret-named entries are hidden and values redacted."""
    return {name: HIDDEN if is_secret_name(name) else redact_value(value) for name, value in properties.items()}
