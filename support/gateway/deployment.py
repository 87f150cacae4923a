"""Checks of a rendered chart (`helm template` output) against its values file: the workloads it
must hold, KEDA's scaling bounds, Karpenter's CPU and GPU node provisioners."""
from dataclasses import dataclass

import yaml

KINDS = ("Deployment", "Service", "PodDisruptionBudget", "NetworkPolicy", "ScaledObject")
PROVISIONER_KINDS = ("Provisioner", "NodePool")


@dataclass
class Chart:
    documents: list
    values: dict

    @classmethod
    def load(cls, manifest_path, values_path):
        with open(manifest_path) as handle:
            documents = [doc for doc in yaml.safe_load_all(handle) if isinstance(doc, dict)]
        with open(values_path) as handle:
            values = yaml.safe_load(handle) or {}
        return cls(documents, values)

    def of_kind(self, kind):
        return [doc for doc in self.documents if doc.get("kind") == kind]

    def missing_kinds(self):
        return [kind for kind in KINDS if not self.of_kind(kind)]

    def scaler(self):
        found = self.of_kind("ScaledObject")
        return found[0] if found else None

    def scaling_disagreements(self):
        """Where the ScaledObject and the values' autoscaling section differ: {what: (scaler, values)}."""
        scaler = self.scaler()
        if scaler is None:
            return {"ScaledObject": ("absent", "expected")}
        spec, wanted = scaler.get("spec", {}), self.values.get("autoscaling", {})
        targets = [str(t.get("metadata", {}).get("backlogSecondsTarget")) for t in spec.get("triggers", [])]
        found = {
            "minimum replicas": (spec.get("minReplicaCount"), wanted.get("minReplicas")),
            "maximum replicas": (spec.get("maxReplicaCount"), wanted.get("maxReplicas")),
            "backlog target (s)": (targets[0] if targets else None, str(wanted.get("backlogSecondsTarget"))),
        }
        return {what: pair for what, pair in found.items() if pair[0] != pair[1] or pair[0] is None}

    def bounds(self):
        spec = (self.scaler() or {}).get("spec", {})
        return spec.get("minReplicaCount"), spec.get("maxReplicaCount")

    def node_kinds(self):
        """Which node kinds ("cpu", "gpu") the chart's Karpenter provisioners offer."""
        found = set()
        for kind in PROVISIONER_KINDS:
            for doc in self.of_kind(kind):
                text = yaml.safe_dump(doc.get("spec", {})).lower()
                found.add("gpu" if "gpu" in text else "cpu")
        return found
