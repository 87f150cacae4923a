@studio
Feature: Safety gates keep a studio run within the agreed cost and stability
  As the owner of the staging budget and its stability
  I want an expensive run to need an approval, and a failing load test to stop and undo itself
  So that the runbook's gates hold even when nobody is watching

  Background:
    Given the studio's golden dataset is available

  @id.studio.safety_gates.cost_gate
  Scenario: A benchmark estimated above the cost limit does not start without an approval reference
    Given no cost approval reference is given
    When the operator benchmarks every eligible variant with 100 runs each
    Then the benchmark is refused before anything is created or started, naming its estimate and the cost limit

  @costly @id.studio.safety_gates.approved_benchmark
  Scenario: With an approval reference the same benchmark runs
    Given the operator holds the cost approval reference "CAB-2041"
    When the operator benchmarks every eligible variant with 100 runs each
    Then the benchmark has one item with its dispatch records for every eligible variant

  @costly @destructive @serial @id.studio.safety_gates.stop_condition @use.with_capability=failing_variant
  Scenario: A load test that keeps failing is cancelled and its promotion rolled back
    Given the studio has a variant that fails on purpose
    And the effect's routing is in place
    And the operator has promoted the failing variant with its rollback plan registered
    When the operator starts the sustained load test on the promoted variant
    Then the stop condition stops the load test within the studio stop condition budget
    And the load test is reported as cancelled
    And the routing is exactly what it was before the promotion
