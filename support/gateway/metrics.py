"""The gateway's Prometheus text read as samples, and what changed between two readings."""
import re
from dataclasses import dataclass

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class Sample:
    name: str
    labels: tuple
    value: float

    def label(self, key):
        return dict(self.labels).get(key)


def parse(text):
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = _SAMPLE.match(line.strip())
        if match:
            labels = tuple(sorted(_LABEL.findall(match.group(2) or "")))
            samples.append(Sample(match.group(1), labels, float(match.group(3))))
    return samples


class Reading:
    """One scrape: totals of a metric over the samples whose labels match."""

    def __init__(self, text):
        self.text = text
        self.samples = parse(text)

    def names(self):
        return {sample.name for sample in self.samples}

    def total(self, name, **labels):
        wanted = {key: str(value) for key, value in labels.items()}
        return sum(s.value for s in self.samples
                   if s.name == name and all(s.label(k) == v for k, v in wanted.items()))

    def tenants(self, name):
        return sorted({s.label("tenant") for s in self.samples if s.name == name and s.label("tenant")})

    def label_values(self):
        return sorted({value for sample in self.samples for _, value in sample.labels})


def rise(before, after, name, **labels):
    return after.total(name, **labels) - before.total(name, **labels)
