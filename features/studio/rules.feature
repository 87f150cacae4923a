@studio
Feature: The studio's rules for variants, routing, cancellation, quality and reliability
  As a studio operator
  I want the studio to refuse what would corrupt routing or results, and to flag what needs attention
  So that every number and every binding I act on can be trusted

  Background:
    Given the studio's golden dataset is available

  @id.studio.rules.variant_id_stable
  Scenario: A variant's id is stable and made of its parts
    When the operator lists the eligible variants of the effect twice
    Then every variant has the same id both times
    And every variant's id is made of its effect, workflow, environment, stage and experiment

  @id.studio.rules.ineligible_not_promoted @serial
  Scenario: A variant that is not eligible cannot be promoted
    Given the effect's routing is in place
    When the operator applies the variant on the retired environment
    Then the request is refused because the variant is not eligible
    And the effect's routing is unchanged

  @id.studio.rules.nothing_to_roll_back
  Scenario: Rolling back an effect that was never routed fails clearly and routes nothing
    Given an effect that has never been routed
    When the operator rolls the routing back
    Then the request is refused because there is nothing to roll back
    And the effect still has no routing

  @costly @id.studio.rules.finished_run_not_cancelled
  Scenario: A finished load test cannot be cancelled
    Given a smoke load test has finished
    When the operator cancels that load test
    Then the request is refused because the load test has already finished
    And the load test is reported as completed

  @costly @id.studio.rules.quality_fallback @use.with_capability=no_quality_provider_key
  Scenario: A quality evaluation without a provider key falls back to a neutral score and says so
    Given the studio has no quality provider key
    And a benchmark of every eligible variant with 1 run each
    When the operator has each variant's output evaluated for quality
    Then every evaluation has the neutral fallback score because the provider key is missing
    And a warning for every fallback tells the operator what to do

  @costly @id.studio.rules.reliability_flagged @use.with_capability=failing_variant
  Scenario: A variant failing more often than the reliability limit is flagged for investigation
    Given the studio has a variant that fails on purpose
    When the operator benchmarks every eligible variant with 20 runs each
    Then every variant failing more often than the reliability limit gets a reliability recommendation
    And no variant within the reliability limit gets one
