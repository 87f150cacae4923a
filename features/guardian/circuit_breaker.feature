@guardian
Feature: The guardian's circuit breaker stops a noisy rule for one organisation only
  As an organisation flooded by one rule's findings
  I want that rule stopped for me once it passes the threshold, without touching anyone else
  So that one noisy rule cannot silence the engine for every organisation

  Background:
    Given a rule and two organisations of the run's own

  @id.guardian.circuit_breaker.parallel
  Scenario: Triggers at the same moment are all counted
    When the rule is triggered 10 times at the same moment for the first organisation
    Then the rule's count for the first organisation is 10

  @id.guardian.circuit_breaker.one_organisation @smoke
  Scenario: At the threshold the rule stops for that organisation only
    When the rule is triggered as often as the breaker threshold for the first organisation
    Then the rule is stopped for the first organisation
    And the rule is not stopped for the second organisation
    And another rule is not stopped for the first organisation

  @id.guardian.circuit_breaker.separator
  Scenario: Rules and organisations whose names run together when joined keep their own counts
    Given two rule and organisation pairs whose names read the same when joined by the bucket key's separator
    When the first pair's rule is triggered as often as the breaker threshold
    Then the rule of the first pair is stopped for its organisation
    And the rule of the second pair is not stopped for its organisation

  @id.guardian.circuit_breaker.hourly_bucket
  Scenario: Counts are kept per hour and expire
    When the rule is triggered 3 times at the same moment for the first organisation
    Then the count is kept in one bucket that expires within two hours, by the attribute the table expires items by
