"""One JSON line per security-relevant event, for the people who investigate an incident.

An event carries who (tenant, subject), what (event, trace, path, method, status, reason) and, for
a chat, a short snippet of the message with e-mail addresses and phone numbers masked. The
Authorization header and token values are never passed in, so they cannot be written.
"""
import json
import re
import threading
import time

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PHONE = re.compile(r"\+?\d[\d ().-]{7,}\d")
SNIPPET_CHARS = 160


def mask(text):
    return PHONE.sub("[PHONE]", EMAIL.sub("[EMAIL]", text))


class Audit:
    def __init__(self, path, unmasked=lambda: False, duplicated=lambda: False):
        self.path = path
        self._lock = threading.Lock()
        self._unmasked = unmasked
        self._duplicated = duplicated

    def write(self, event, request, principal=None, status=None, trace_id=None, reason=None, snippet=None):
        line = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + f".{int(time.time() * 1000) % 1000:03d}Z",
            "event": event,
            "tenant_id": principal.get("tenant_id") if principal else None,
            "subject": principal.get("subject") if principal else None,
            "trace_id": trace_id,
            "method": request.method,
            "path": request.path,
            "status": status,
        }
        if reason:
            line["reason"] = reason
        if snippet is not None:
            text = snippet[:SNIPPET_CHARS]
            line["snippet"] = text if self._unmasked() else mask(text)
        text = json.dumps(line, sort_keys=True) + "\n"
        with self._lock, open(self.path, "a") as handle:
            handle.write(text * (2 if self._duplicated() else 1))
