@studio @costly
Feature: An operator finds the most profitable variant, promotes it and can take it back
  As a studio operator running the iteration 1 staging runbook
  I want load tests and a benchmark of every variant judged on quality and economics
  So that routing goes to the variant that earns the most, and a promotion is undone in one step

  Background:
    Given the studio's golden dataset is available

  @smoke @id.studio.benchmark_story.smoke_load_test
  Scenario: A smoke load test dispatches its plan and reports its metrics
    When the operator starts the smoke load test on the baseline variant
    Then the load test finishes within the studio load test budget
    And the load test reports every planned dispatch with its latency and costs
    And every warning the studio logged for this work carries an operator instruction

  @smoke @destructive @serial @id.studio.benchmark_story.promotion_rolled_back
  Scenario: The benchmark's most profitable variant is promoted, then rolled back exactly
    Given the effect's routing is in place
    When the operator benchmarks every eligible variant with 20 runs each
    And the operator has each variant's output evaluated for quality
    Then the benchmark has one item with its dispatch records for every eligible variant
    And every variant's output has a quality evaluation
    And the money HUD names the variant with the highest margin as the winner
    And the money HUD recommends routing to the winner
    When the operator promotes the winner
    Then the winner is the active routing for the effect
    When the operator rolls the routing back
    Then the routing is exactly what it was before the promotion
    And every warning the studio logged for this work carries an operator instruction
