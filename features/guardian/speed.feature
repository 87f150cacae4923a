@guardian @performance @serial
Feature: The guardian answers within the seed's speed targets
  As the owner of the rule engine's data plane
  I want recording, redaction, window queries and the whole review workflow to stay within their targets
  So that the engine never slows a pull request down

  Only what the operations API serves is measured; targets that exist only inside the library, such
  as a cached nonce load, cannot be observed from outside. Against the embedded guardian (an
  emulator) the timings are a smoke check of the suite, and the report says so.

  Background:
    Given a rule of the run's own

  @id.guardian.speed.latency
  Scenario Outline: <operation> stays within its budgets
    When the guardian's time for <operation> is measured
    Then its mean time is within the <mean> budget
    And its 95th percentile is within the <p95> budget

    Examples:
      | operation                         | mean                    | p95                    |
      | recording an event                | guardian record mean    | guardian record p95    |
      | redacting a text                  | guardian redaction mean | guardian redaction p95 |
      | reading a rule's window           | guardian window mean    | guardian window p95    |
      | the whole false-positive workflow | guardian workflow mean  | guardian workflow p95  |

  @id.guardian.speed.sustained
  Scenario: The guardian records events at its sustained rate
    When events are offered steadily at the guardian sustained rate
    Then every offered event is recorded
    And the guardian records at least the guardian sustained rate

  @id.guardian.speed.burst
  Scenario: The guardian records a burst of events
    When a burst of events is offered at once
    Then every offered event is recorded
    And the guardian records at least the guardian burst rate
