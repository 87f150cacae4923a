@guardian
Feature: The guardian remembers which findings were false positives and reports honest rates
  As a rule author
  I want every event recorded once, every review remembered and my rule's window counted exactly
  So that the false-positive rate I act on is the real one

  Background:
    Given a rule of the run's own

  @id.guardian.false_positives.recorded_once @smoke
  Scenario: An event is recorded once, and recording it again is refused without changing it
    When the rule's event "e1" is recorded with outcome "block"
    And the same event is recorded again with outcome "warn"
    Then the repeat is refused because the event is already recorded
    And the rule holds exactly one event "e1", with outcome "block"

  @id.guardian.false_positives.repeat_other_time
  Scenario: The same event with another timestamp is still a repeat
    When the rule's event "e1" is recorded with outcome "block"
    And the same event is recorded again 5 minutes later with outcome "warn"
    Then the repeat is refused because the event is already recorded
    And the rule holds exactly one event "e1", with outcome "block"

  @id.guardian.false_positives.newest_first
  Scenario: A rule's events come back newest first
    Given the rule's events "e1, e2, e3" were recorded 30, 20 and 10 minutes ago
    When the rule's latest 10 events are read
    Then the events are "e3, e2, e1", in that order

  @id.guardian.false_positives.marked
  Scenario: A finding is found by its id, and marking it a false positive records who and when
    Given the rule's events "e1, e2" were recorded 20 and 10 minutes ago
    When "Alice" marks the finding of event "e1" as a false positive
    Then the finding of event "e1" is a false positive
    And the finding of event "e2" is not a false positive
    And the event "e1" records that "Alice" reviewed it just now

  @id.guardian.false_positives.window_statistics
  Scenario: A rule's window counts false positives, true positives and pending reviews exactly
    Given the rule has these events:
      | event | minutes ago | review                                |
      | e1    | 50          | none                                  |
      | e2    | 40          | marked a false positive by Alice      |
      | e3    | 30          | arrived reviewed by Bob               |
      | e4    | 20          | arrived as a false positive from Bob  |
      | e5    | 10          | none                                  |
    When the rule's latest 10 events are read
    Then the window counts 5 events: 2 false positives, 1 true positive and 2 pending
    And the observed false-positive rate is 2 of 3 reviewed events

  @id.guardian.false_positives.window_since
  Scenario: A window by time holds only the events since then
    Given the rule's events "e1, e2, e3" were recorded 30, 20 and 10 minutes ago
    When the rule's events of the last 25 minutes are read
    Then the events are "e3, e2", in that order

  @id.guardian.false_positives.expiry
  Scenario: Stored events expire after the retention period
    When the rule's event "e1" is recorded with outcome "block"
    Then the stored event expires after the retention period, by the attribute the table expires items by
