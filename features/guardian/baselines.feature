@guardian
Feature: The guardian keeps every version of a repository's baseline
  As a rule author who compares findings against a repository's baseline
  I want every baseline kept, the latest one returned and a missing one told apart from a failure
  So that drift is measured against the right baseline and no history is lost

  Background:
    Given a repository of the run's own

  @id.guardian.baselines.versions @smoke
  Scenario: Storing a baseline twice keeps both versions and returns the latest
    When the repository's baseline is stored with 3 rules
    And the repository's baseline is stored again with 5 rules
    Then the repository's baseline has 5 rules
    And the repository has 2 baseline versions, newest first

  @id.guardian.baselines.none
  Scenario: A repository without a baseline has none, and that is not an error
    When the repository's baseline is read
    Then the repository has no baseline

  @id.guardian.baselines.encrypted
  Scenario: Every stored baseline is encrypted
    When the repository's baseline is stored with 3 rules
    And the repository's baseline is stored again with 5 rules
    Then every stored version of the repository's baseline is encrypted
