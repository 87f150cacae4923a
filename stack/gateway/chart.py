"""The rendered chart the embedded gateway publishes: deploy/manifest.yaml as shipped, or, when the
stack starts with a chart fault, a broken copy written into the stack run's directory."""
import os

import yaml

from stack import faults

DEPLOY_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "deploy")
MANIFEST = os.path.join(DEPLOY_DIR, "manifest.yaml")
VALUES = os.path.join(DEPLOY_DIR, "values.yaml")


def _broken(documents, settings):
    for doc in documents:
        kind, name = doc.get("kind"), doc.get("metadata", {}).get("name", "")
        if kind == "NetworkPolicy" and faults.active(settings, "gateway_chart_missing_network_policy"):
            continue
        if kind == "Provisioner" and "gpu" in name and faults.active(settings, "gateway_chart_no_gpu_provisioner"):
            continue
        if kind == "ScaledObject" and (faults.active(settings, "gateway_chart_scaler_drift")
                                       or faults.active(settings, "gateway_chart_replicas_capped")):
            doc["spec"]["maxReplicaCount"] = doc["spec"]["minReplicaCount"]
        yield doc


def _write(settings, name, write):
    path = os.path.join(settings["runtime_dir"], name)
    with open(path, "w") as handle:
        write(handle)
    return path


def manifest(settings):
    """The path of the manifest this stack run publishes."""
    chart_faults = [name for name in settings.get("faults", ()) if name.startswith("gateway_chart_")]
    if not chart_faults:
        return MANIFEST
    with open(MANIFEST) as handle:
        documents = [doc for doc in yaml.safe_load_all(handle) if doc]
    broken = list(_broken(documents, settings))
    return _write(settings, "gateway-manifest.yaml", lambda handle: yaml.safe_dump_all(broken, handle, sort_keys=False))


def values(settings):
    """The path of the values file this stack run publishes (capped along with the scaler by a fault)."""
    if not faults.active(settings, "gateway_chart_replicas_capped"):
        return VALUES
    with open(VALUES) as handle:
        data = yaml.safe_load(handle)
    data["autoscaling"]["maxReplicas"] = data["autoscaling"]["minReplicas"]
    return _write(settings, "gateway-values.yaml", lambda handle: yaml.safe_dump(data, handle, sort_keys=False))
