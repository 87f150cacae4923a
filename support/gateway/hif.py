"""Whether a graph is a valid explanation hypergraph: the shipped JSON Schema (hif.schema.json,
every field the contract names, `meta.version` fixed to hif-1) plus the granularity asked for
and incidences that name nodes the graph has."""
import json
import os

from jsonschema import Draft202012Validator

SCHEMA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hif.schema.json")
with open(SCHEMA_PATH) as _handle:
    SCHEMA = json.load(_handle)
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)


def problems(graph, granularity):
    """Everything wrong with `graph` for a trace asked at `granularity`, as sentences; [] when valid."""
    found = [f"{'/'.join(map(str, error.absolute_path)) or 'the graph'}: {error.message}"
             for error in sorted(VALIDATOR.iter_errors(graph), key=lambda e: list(map(str, e.absolute_path)))]
    if found:
        return found
    if graph["meta"]["granularity"] != granularity:
        found.append(f"meta/granularity is {graph['meta']['granularity']!r}; {granularity!r} was asked for")
    nodes = {node["node"] for node in graph["nodes"]}
    strangers = sorted({str(i["node"]) for i in graph["incidences"]} - {str(n) for n in nodes})
    if strangers:
        found.append(f"incidences name nodes the graph does not have: {', '.join(strangers[:5])}")
    return found
