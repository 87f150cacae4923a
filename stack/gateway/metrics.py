"""Prometheus counters, gauges and one histogram, rendered as the text exposition format.

Labels are bounded on purpose: a route is its template (`/v1/traces/{id}/status`), never the raw
path, and a tenant is the token's tenant or `none` for a caller the gateway could not identify.
"""
from collections import defaultdict

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
HELP = {
    "http_requests_total": ("counter", "HTTP requests by route template, method, status and tenant"),
    "http_request_duration_seconds": ("histogram", "HTTP request duration by route template"),
    "chat_requests_total": ("counter", "chat completion requests by tenant and whether they asked for a trace"),
    "rate_limit_rejections_total": ("counter", "requests refused by a tenant's token bucket"),
    "rbac_denied_total": ("counter", "requests refused for credentials, scope or tenant"),
    "traces_total": ("counter", "traces reaching a state, by tenant"),
    "trace_queue_rejections_total": ("counter", "explained chats refused because the trace queue was full"),
    "trace_queue_depth": ("gauge", "traces waiting for a worker"),
    "trace_queue_capacity": ("gauge", "how many traces the queue holds"),
}


def _labels(pairs):
    return ",".join(f'{key}="{str(value)}"' for key, value in pairs)


class Metrics:
    def __init__(self):
        self.counters = defaultdict(float)
        self.gauges = {}
        self.histogram = defaultdict(lambda: [0] * (len(BUCKETS) + 1) + [0.0])

    def inc(self, name, amount=1, **labels):
        self.counters[(name, tuple(sorted(labels.items())))] += amount

    def set(self, name, value, **labels):
        self.gauges[(name, tuple(sorted(labels.items())))] = value

    def observe(self, seconds, **labels):
        counts = self.histogram[tuple(sorted(labels.items()))]
        for index, bound in enumerate(BUCKETS):
            if seconds <= bound:
                counts[index] += 1
        counts[len(BUCKETS)] += 1
        counts[-1] += seconds

    def render(self):
        lines = []
        for name, (kind, text) in HELP.items():
            lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]
            if kind == "histogram":
                lines += self._render_histogram(name)
                continue
            values = self.counters if kind == "counter" else self.gauges
            for (metric, labels), value in sorted(values.items()):
                if metric == name:
                    shown = f"{{{_labels(labels)}}}" if labels else ""
                    lines.append(f"{name}{shown} {value:g}")
        return "\n".join(lines) + "\n"

    def _render_histogram(self, name):
        lines = []
        for labels, counts in sorted(self.histogram.items()):
            for index, bound in enumerate(BUCKETS):
                lines.append(f'{name}_bucket{{{_labels(labels + (("le", f"{bound:g}"),))}}} {counts[index]}')
            lines.append(f'{name}_bucket{{{_labels(labels + (("le", "+Inf"),))}}} {counts[len(BUCKETS)]}')
            lines.append(f"{name}_count{{{_labels(labels)}}} {counts[len(BUCKETS)]}")
            lines.append(f"{name}_sum{{{_labels(labels)}}} {counts[-1]:g}")
        return lines
