"""An explanation as a hypergraph in HIF: output units (sentences or tokens) are explained by
dictionary features, one directed hyperedge per unit from its features (tail) to the unit (head).

Attribution weights are a hash of the text, so the same answer always gets the same graph.
"""
import hashlib
import re
import time

VERSION = "hif-1"
FEATURES_PER_UNIT = 2
DICTIONARY_SIZE = 8


def units(text, granularity):
    if granularity == "token":
        return text.split()
    return [part for part in re.split(r"(?<=[.!?])\s+", text.strip()) if part]


def _weight(*parts):
    return int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:4], 16) / 0xFFFF


def build(trace_id, text, granularity, featureset, drop_incidences=False):
    parts = units(text, granularity)
    nodes, edges, incidences = [], [], []
    features = [f"{featureset}/f{index}" for index in range(DICTIONARY_SIZE)]
    nodes += [{"node": name, "attrs": {"kind": "feature"}} for name in features]
    for index, part in enumerate(parts):
        unit = f"{granularity}-{index}"
        edge = f"explains-{index}"
        nodes.append({"node": unit, "attrs": {"kind": granularity, "text": part, "position": index}})
        edges.append({"edge": edge, "attrs": {"kind": "attribution"}})
        incidences.append({"edge": edge, "node": unit, "attrs": {"direction": "head"}})
        for offset in range(FEATURES_PER_UNIT):
            feature = features[int(_weight(part, str(offset)) * (DICTIONARY_SIZE - 1))]
            incidences.append({"edge": edge, "node": feature,
                               "attrs": {"direction": "tail", "weight": round(_weight(part, feature), 4)}})
    graph = {
        "network-type": "directed",
        "nodes": nodes,
        "edges": edges,
        "incidences": incidences,
        "meta": {"version": VERSION, "granularity": granularity, "sae_dictionary": featureset,
                 "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "trace_id": trace_id,
                 "units": len(parts)},
    }
    if drop_incidences:
        del graph["incidences"]
    return graph
