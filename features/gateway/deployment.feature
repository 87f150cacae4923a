@gateway
Feature: The gateway's deployment can carry its load
  As the operator who deploys the gateway
  I want the rendered chart to hold every workload, scale within the values' bounds, and have nodes for it
  So that a release cannot quietly lose its autoscaling, its isolation or its GPU capacity

  Background:
    Given the gateway's rendered manifest and its chart values

  @id.gateway.deployment.manifest @use.with_capability=manifest
  Scenario: The rendered chart holds every workload and scales as its values say
    Then the manifest holds deployments, services, disruption budgets, network policies and a scaled object
    And the scaled object's replica bounds and backlog target agree with the values
    And node provisioners exist for CPU and for GPU nodes

  @id.gateway.deployment.capacity @serial @use.with_capability=manifest
  Scenario: The replicas needed at the target concurrency fall within the autoscaling bounds
    When the explanation throughput of one replica and the share of chats asking for one are measured
    Then the replicas needed at the target concurrency are within the scaled object's bounds
