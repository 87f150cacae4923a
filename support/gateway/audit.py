"""The gateway's audit log (one JSON object a line), read from where the profile says it is.

`mark()` remembers the end of the file, so a scenario reads only the lines its own requests wrote.
"""
import json
import os


class AuditLog:
    def __init__(self, path):
        self.path = path

    def mark(self):
        return os.path.getsize(self.path) if os.path.exists(self.path) else 0

    def since(self, mark):
        """The lines written after `mark`, parsed; a line that is not JSON is kept as {"unparsed": text}."""
        if not os.path.exists(self.path):
            return []
        with open(self.path, "rb") as handle:
            handle.seek(mark)
            text = handle.read().decode(errors="replace")
        lines = []
        for line in text.splitlines():
            if line.strip():
                try:
                    lines.append(json.loads(line))
                except ValueError:
                    lines.append({"unparsed": line})
        return lines
