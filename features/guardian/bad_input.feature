@guardian
Feature: The guardian refuses malformed events and stores nothing of them
  As a rule author whose integration may send broken events
  I want a broken event refused with a reason that names what is wrong
  So that I can fix my integration and no broken data reaches the statistics

  Background:
    Given a rule of the run's own

  @id.guardian.bad_input.refused
  Scenario Outline: An event with <problem> is refused with a reason that names <field>
    When the rule's event is sent with <problem>
    Then the event is refused with a reason that names <field>
    And nothing is stored for the rule

    Examples:
      | problem                             | field        |
      | no rule                             | the rule     |
      | a timestamp that is not a time      | the timestamp |
      | an id with path characters          | the event id |
      | a body that is not JSON             | the body     |
      | a false positive without a reviewer | the reviewer |
