@gateway
Feature: A failing explanation stage fails traces clearly and recovers
  As an application waiting for explanations
  I want a trace to fail with a reason when the gateway cannot explain, and nothing to hang
  So that I can tell my users, and explanations come back once the fault is gone

  @id.gateway.failure_recovery.attribution @serial @use.with_capability=attribution_failure
  Scenario: While attribution fails, new traces fail with a reason; once restored, they complete
    Given the attribution stage is failing
    When tenant A asks for an answer explained sentence by sentence
    Then the trace fails with a reason within the trace complete budget
    When the attribution stage is restored
    And tenant A asks for an answer explained sentence by sentence
    Then the trace completes within the trace complete budget
