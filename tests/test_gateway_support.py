"""The gateway area's instruments, without a gateway: the HIF schema, metrics, events, audit
masking, the capacity formula and the chart checks each say exactly what is wrong."""
import copy

import pytest
import yaml

from stack.gateway import chart as embedded_chart
from stack.gateway import hif as embedded_hif
from stack.gateway.audit import mask
from support.gateway import hif, sse
from support.gateway.deployment import Chart
from support.gateway.metrics import Reading, rise
from support.gateway.speed import replicas_needed

GRAPH = embedded_hif.build("trc_0123456789ab", "The sky is blue. Light scatters.", "sentence", "sae-default")


def test_a_graph_of_the_contract_is_valid_at_its_granularity():
    assert hif.problems(GRAPH, "sentence") == []


@pytest.mark.parametrize("change, problem", [
    (lambda g: g.pop("incidences"), "the graph: 'incidences' is a required property"),
    (lambda g: g["meta"].update(version="hif-2"), "meta/version: 'hif-1' was expected"),
    (lambda g: g["meta"].pop("sae_dictionary"), "meta: 'sae_dictionary' is a required property"),
    (lambda g: g.update({"network-type": "undirected"}), "network-type: 'directed' was expected"),
    (lambda g: g["incidences"].append({"edge": "explains-0", "node": "ghost"}),
     "incidences name nodes the graph does not have: ghost"),
])
def test_a_graph_that_breaks_the_contract_is_named_for_what_it_breaks(change, problem):
    graph = copy.deepcopy(GRAPH)
    change(graph)
    assert hif.problems(graph, "sentence") == [problem]


def test_a_graph_at_another_granularity_than_asked_is_refused():
    assert hif.problems(GRAPH, "token") == ["meta/granularity is 'sentence'; 'token' was asked for"]


def test_metrics_are_read_by_name_and_label():
    before = Reading('chat_requests_total{explain="true",tenant="tenant-a"} 2\n# HELP x y\n')
    after = Reading('chat_requests_total{explain="true",tenant="tenant-a"} 5\n'
                    'chat_requests_total{explain="false",tenant="tenant-b"} 1\n')
    assert rise(before, after, "chat_requests_total", tenant="tenant-a") == 3
    assert rise(before, after, "chat_requests_total") == 4
    assert after.tenants("chat_requests_total") == ["tenant-a", "tenant-b"]


def test_server_sent_events_are_split_and_decoded():
    lines = ["event: status_update", 'data: {"state": "running"}', "", "event: complete",
             'data: {"state": "complete"}', "", "data: [DONE]", ""]
    assert [(e.name, e.data) for e in sse.parse(lines)] == [
        ("status_update", {"state": "running"}), ("complete", {"state": "complete"}), ("message", "[DONE]")]


def test_audit_snippets_lose_email_addresses_and_phone_numbers():
    assert mask("write to jane.doe@example.org or +44 20 7946 0958 today") == "write to [EMAIL] or [PHONE] today"


@pytest.mark.parametrize("concurrency, share, throughput, latency, needed", [
    (10, 0.5, 10.0, 0.125, 4),   # 40 explanations a second at 10 a replica
    (300, 0.3, 20.0, 0.5, 9),    # 180 a second at 20 a replica
    (1, 0.1, 50.0, 1.0, 1),      # never fewer than one
])
def test_replicas_needed_follow_littles_law(concurrency, share, throughput, latency, needed):
    assert replicas_needed(concurrency, share, throughput, latency) == needed


def test_no_replica_count_comes_from_no_throughput():
    assert replicas_needed(10, 0.5, 0.0, 0.1) is None


def test_the_shipped_chart_agrees_with_its_values():
    chart = Chart.load(embedded_chart.MANIFEST, embedded_chart.VALUES)
    assert (chart.missing_kinds(), chart.scaling_disagreements(), chart.bounds(), sorted(chart.node_kinds())) == (
        [], {}, (2, 12), ["cpu", "gpu"])


def test_a_chart_whose_scaler_drifted_says_where(tmp_path):
    with open(embedded_chart.MANIFEST) as handle:
        documents = [doc for doc in yaml.safe_load_all(handle) if doc]
    for doc in documents:
        if doc["kind"] == "ScaledObject":
            doc["spec"]["maxReplicaCount"] = 4
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(yaml.safe_dump_all(documents))
    assert Chart.load(str(manifest), embedded_chart.VALUES).scaling_disagreements() == {"maximum replicas": (4, 12)}
