"""Server-sent events as a client reads them: `event:` and `data:` lines, a blank line ends one."""
import json
from dataclasses import dataclass


@dataclass
class Event:
    name: str
    data: object

    def __str__(self):
        return f"{self.name}: {json.dumps(self.data) if not isinstance(self.data, str) else self.data}"


def parse(lines):
    """Yields Events from an iterable of text lines; JSON data is decoded, `[DONE]` stays text."""
    name, data = "message", []
    for line in lines:
        if line == "":
            if data:
                yield Event(name, _decode("\n".join(data)))
            name, data = "message", []
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())
    if data:
        yield Event(name, _decode("\n".join(data)))


def _decode(text):
    try:
        return json.loads(text)
    except ValueError:
        return text
